package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * Stops the cluster: after the shutdown delay, if any, during which the workers serve with their readiness down,
 * TERM to every worker, KILL to those still running after the shutdown timeout, the listening
 * socket closed once no worker accepts, and the exit code and outcome told to the clients that asked for the stop.
 */
final class Shutdown {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final SupervisorSettings settings;

	private final WorkerTable table;

	private final int port;

	private final List<StopWaiter> waiters = new ArrayList<>();

	private final List<String> killed = new ArrayList<>();

	/**
	 * How long the kernel's queue must stay empty after new connections stopped before the workers drain: a
	 * handshake under way when the filter came completes within a round trip and joins the queue.
	 */
	static final Duration QUEUE_SETTLE = Duration.ofMillis(250);

	/** The longest the workers are given to take the queued connections before they drain anyway. */
	static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(3);

	private ListeningSocket socket = ListeningSocket.NONE;

	/** Since when the kernel takes no new connection while the workers empty its queue; {@code null} otherwise. */
	private Instant closingSince;

	private String closingWhy;

	private boolean closed;

	private boolean listening = true;

	/** When the drain starts after the shutdown delay; {@code null} outside the delay. */
	private Instant delayEnds;

	private String delayedWhy;

	private int exitCode;

	private String failure;

	Shutdown(SupervisorSettings settings, WorkerTable table, int port) {
		this.settings = settings;
		this.table = table;
		this.port = port;
	}

	void listeningSocket(ListeningSocket socket) {
		this.socket = socket;
	}

	int exitCode() {
		return this.exitCode;
	}

	String failure() {
		return this.failure;
	}

	/** A worker did not stop cleanly: the master exits with 1 at least. */
	void workerFailed() {
		this.exitCode = Math.max(this.exitCode, ExitCodes.FAILURE);
	}

	/**
	 * Record why the master stops, before the reload and the scale in progress are interrupted.
	 * @param why why
	 * @param code the exit code it asks for
	 */
	void record(String why, int code) {
		this.exitCode = Math.max(this.exitCode, code);
		if (code != 0 && this.failure == null) {
			this.failure = why;
		}
	}

	/**
	 * Start the shutdown delay: every worker is told to refuse traffic (its readiness goes down) and keeps
	 * serving until the delay ends, then the drain starts as {@link #begin} does.
	 * @param why why
	 * @param now the current time
	 */
	void delay(String why, Instant now) {
		this.delayEnds = now.plus(this.settings.shutdownDelay());
		this.delayedWhy = why;
		int told = 0;
		for (WorkerHandle worker : this.table.live()) {
			if (worker.send(Frame.of(MessageType.REFUSE_TRAFFIC))) {
				told++;
			}
		}
		log.log(System.Logger.Level.INFO, "Stopping {0} ({1}): readiness is down on {2} workers, which keep serving "
				+ "for the shutdown delay of {3} before they drain; TERM or INT again to drain now",
				this.settings.name(), why, told, Durations.format(this.settings.shutdownDelay()));
	}

	/**
	 * Whether the shutdown delay is under way.
	 * @return whether the workers serve with their readiness down, not draining yet
	 */
	boolean delaying() {
		return this.delayEnds != null;
	}

	/**
	 * End the shutdown delay now: a second TERM or INT does not wait for it.
	 * @param signal what ended it
	 * @param now the current time
	 */
	void endDelay(String signal, Instant now) {
		if (this.delayEnds != null) {
			log.log(System.Logger.Level.INFO, "{0} received during the shutdown delay: the drain starts now, {1} "
					+ "early", signal, Durations.format(Duration.between(now, this.delayEnds)));
			this.delayEnds = now;
		}
	}

	/**
	 * Ask every live worker to stop, with the shutdown timeout as its deadline.
	 * @param why why
	 * @param now the current time
	 */
	void begin(String why, Instant now) {
		if (this.listening && this.port >= 0 && !this.closed && this.closingSince == null
				&& !this.table.live().isEmpty()) {
			// Before any worker stops accepting: once none accepts, whatever the kernel queued would be reset
			this.closed = true;
			if (this.socket.refuseNewConnections()) {
				this.closingSince = now;
				this.closingWhy = why;
				log.log(System.Logger.Level.INFO, "Stopping {0} ({1}): the listening socket takes no new connection; "
						+ "the workers take the {2} it queued, then drain", this.settings.name(), why,
						queued(this.socket.queuedConnections()));
				return;
			}
		}
		log.log(System.Logger.Level.INFO, "Stopping {0} ({1}): {2} workers, shutdown timeout {3}",
				this.settings.name(), why, this.table.live().size(), Durations.format(this.settings.shutdownTimeout()));
		for (WorkerHandle worker : this.table.live()) {
			if (worker.state() != WorkerState.DRAINING || !this.table.isRetiring(worker)) {
				worker.terminate(why, now);
			}
			worker.stopWithin(this.settings.shutdownTimeout(), now);
		}
	}

	/**
	 * A control client asked for the stop and is told its outcome when the master has stopped.
	 * @param connection its connection
	 * @param request its request
	 */
	void tell(ChannelConnection connection, Frame request) {
		this.waiters.add(new StopWaiter(connection, request));
	}

	/**
	 * A connection ended: a client that asked for the stop and went away cannot be told its outcome.
	 * @param connection the connection
	 */
	void forget(ChannelConnection connection) {
		this.waiters.removeIf((waiter) -> waiter.connection() == connection);
	}

	/**
	 * Kill the workers past their deadline, close the listening socket once none accepts, and tell the outcome
	 * once every worker has exited.
	 * @param now the current time
	 * @return whether every worker has exited
	 */
	boolean tick(Instant now) {
		if (this.delayEnds != null) {
			if (now.isBefore(this.delayEnds) && !this.table.live().isEmpty()) {
				return false;
			}
			this.delayEnds = null;
			begin(this.delayedWhy, now);
		}
		if (this.closingSince != null) {
			int queued = this.socket.queuedConnections();
			Duration closing = Duration.between(this.closingSince, now);
			boolean empty = queued == 0 && closing.compareTo(QUEUE_SETTLE) >= 0;
			if (!empty && closing.compareTo(QUEUE_TIMEOUT) < 0 && !this.table.live().isEmpty()) {
				return false;
			}
			if (!empty && queued != 0) {
				log.log(System.Logger.Level.WARNING, "{0} still queued on the listening socket after {1}: the "
						+ "workers drain now, and those connections will be reset", queued(queued),
						Durations.format(QUEUE_TIMEOUT));
			}
			this.closingSince = null;
			begin(this.closingWhy, now);
		}
		for (WorkerHandle worker : this.table.live()) {
			if (worker.escalate(now)) {
				String killed = "worker " + worker.workerId() + " (pid " + worker.pid()
						+ ") was killed after the shutdown timeout of "
						+ Durations.format(this.settings.shutdownTimeout());
				this.killed.add(killed);
				record(killed, ExitCodes.FAILURE);
			}
		}
		if (this.listening && this.port >= 0 && !this.table.anyAccepting()) {
			this.listening = false;
			this.socket.close();
			log.log(System.Logger.Level.INFO, "No worker accepts connections any more: the listening socket is "
					+ "closed, so new connections are refused while the workers finish");
		}
		if (!this.table.live().isEmpty()) {
			return false;
		}
		log.log(System.Logger.Level.INFO, "{0} stopped (exit code {1})", this.settings.name(), this.exitCode);
		String outcome = (this.exitCode == 0) ? "every worker stopped cleanly"
				: (this.killed.isEmpty() ? this.failure : String.join("; ", this.killed));
		for (StopWaiter waiter : this.waiters) {
			waiter.connection().send(ControlRequests.withId(waiter.request(), Frame.of(MessageType.REPLY, "ok",
					this.exitCode == 0, "exitCode", this.exitCode, "final", true, "message", outcome)));
		}
		this.waiters.clear();
		return true;
	}

	private static String queued(int count) {
		return (count < 0) ? "connections" : (count == 1) ? "1 connection" : count + " connections";
	}

	/** A control connection that asked for the stop and is told its outcome when the master has stopped. */
	private record StopWaiter(ChannelConnection connection, Frame request) {
	}

}
