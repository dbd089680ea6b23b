package dev.bootsupervisor.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;

/**
 * The worker's side of the master's leader election: takes {@code GRANT} and {@code REVOKE} on a thread of its own,
 * and on a revocation clears the leader flag first, waits for the leader-only calls still running, lets the
 * {@link LeadershipListener} stop the leader-only work, and only then confirms with {@code REVOKED}.
 */
public final class LeaderElection {

	private static final System.Logger log = System.getLogger(LeaderElection.class.getName());

	private final int workerId;

	private final LeaderState state;

	private final Consumer<Frame> master;

	private final Clock clock;

	private final ExecutorService thread = Executors.newSingleThreadExecutor(Threads.daemon("supervisor-leadership"));

	private volatile LeadershipListener listener = new LeadershipListener() {

		@Override
		public void granted(long epoch) {
		}

		@Override
		public void revoked(long epoch) {
		}

	};

	/**
	 * Create the election's worker side.
	 * @param workerId this worker's id, for the logs
	 * @param state the leader flag it keeps
	 * @param master sends a frame to the master
	 * @param clock tells when leadership was granted
	 */
	public LeaderElection(int workerId, LeaderState state, Consumer<Frame> master, Clock clock) {
		this.workerId = workerId;
		this.state = state;
		this.master = master;
		this.clock = clock;
	}

	/**
	 * Set what starts and stops the leader-only work.
	 * @param listener the listener
	 */
	public void listener(LeadershipListener listener) {
		this.listener = listener;
	}

	/**
	 * The leader flag this election keeps.
	 * @return the state
	 */
	public LeaderState state() {
		return this.state;
	}

	/**
	 * Receive a {@code GRANT} or {@code REVOKE}; returns at once.
	 * @param frame the frame
	 */
	public void accept(Frame frame) {
		if (this.thread.isShutdown()) {
			return;
		}
		this.thread.execute(() -> {
			try {
				if (frame.type() == MessageType.GRANT) {
					grant(frame.requireLong("epoch"));
				}
				else if (frame.type() == MessageType.REVOKE) {
					long epoch = frame.requireLong("epoch");
					revoke(epoch, Duration.ofMillis(frame.requireLong("timeout")));
				}
			}
			catch (ProtocolException ex) {
				log.log(System.Logger.Level.WARNING, "Worker {0}: malformed {1} from the master ignored: {2}",
						this.workerId, frame.type(), ex.getMessage());
			}
		});
	}

	/** Ask the master to hand leadership to another ready worker; nothing happens when this worker does not lead. */
	public void yieldLeadership() {
		if (this.state.isLeader()) {
			this.master.accept(Frame.of(MessageType.YIELD, "epoch", this.state.epoch()));
		}
	}

	/**
	 * Give leadership up because the application stops: as on a {@code REVOKE}, unasked, then stop the thread.
	 * @param timeout how long to wait for the leader-only calls still running
	 */
	public synchronized void close(Duration timeout) {
		if (this.thread.isShutdown()) {
			return;
		}
		Future<?> done = this.thread.submit(() -> {
			if (this.state.isLeader()) {
				log.log(System.Logger.Level.INFO, "Worker {0}: the application stops, giving up leadership (epoch {1})",
						this.workerId, this.state.epoch());
				revoke(this.state.epoch(), timeout);
			}
		});
		try {
			done.get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			log.log(System.Logger.Level.WARNING, "Worker {0}: giving up leadership failed: {1}", this.workerId,
					ex.toString());
		}
		this.thread.shutdownNow();
	}

	private void grant(long epoch) {
		if (this.state.isLeader() && this.state.epoch() == epoch) {
			return;
		}
		this.state.grant(epoch, this.clock.instant());
		log.log(System.Logger.Level.INFO, "Worker {0} leads, epoch {1}", this.workerId, epoch);
		try {
			this.listener.granted(epoch);
		}
		catch (RuntimeException ex) {
			log.log(System.Logger.Level.WARNING, "Worker {0}: starting the leader-only work of epoch {1} failed: {2}",
					this.workerId, epoch, ex.toString());
		}
	}

	private void revoke(long epoch, Duration timeout) {
		boolean led = this.state.isLeader() && this.state.epoch() == epoch;
		if (led) {
			try {
				if (!this.state.revoke(timeout)) {
					log.log(System.Logger.Level.WARNING, "Worker {0}: {1} leader-only call(s) still running {2} ms "
							+ "after leadership was revoked; confirming anyway", this.workerId, this.state.running(),
							timeout.toMillis());
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			try {
				this.listener.revoked(epoch);
			}
			catch (RuntimeException ex) {
				log.log(System.Logger.Level.WARNING, "Worker {0}: stopping the leader-only work of epoch {1} failed: "
						+ "{2}", this.workerId, epoch, ex.toString());
			}
			log.log(System.Logger.Level.INFO, "Worker {0} no longer leads (epoch {1} revoked)", this.workerId, epoch);
		}
		// a revocation of an epoch this worker does not hold is confirmed too: the master waits for it
		this.master.accept(Frame.of(MessageType.REVOKED, "epoch", epoch));
	}

}
