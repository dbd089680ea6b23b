package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.protocol.ExitReason;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * One worker process, its state machine and its deadlines: it kills itself when it is not ready by its boot
 * deadline, and escalates from TERM to KILL when it outlives its stop deadline. Only the master loop changes it.
 */
public final class WorkerHandle {

	private static final System.Logger log = System.getLogger(WorkerHandle.class.getName());

	/** The master's decisions about a worker are logged under the master's name, as they always were. */
	private static final System.Logger masterLog = System.getLogger(Master.class.getName());

	private final int workerId;

	private final int generation;

	private final WorkerProcess process;

	private final Instant startedAt;

	private final Duration bootTimeout;

	private final ExitReason lateBoot;

	private Instant stopDeadline;

	private Duration stopTimeout;

	private WorkerState state = WorkerState.STARTING;

	private Instant stateSince;

	private String reason;

	private ExitReason kill;

	private Instant readyAt;

	private ExitStatus exit;

	private WorkerHeartbeat heartbeat;

	private String startupError;

	private boolean accepting;

	private ChannelConnection connection;

	private Instant termAt;

	private Instant killAt;

	/** The epoch of the leadership this worker holds or is giving up, 0 when none. */
	private long leaderEpoch;

	private Duration revokeTimeout;

	private boolean revokeSent;

	/**
	 * Track a started worker process.
	 * @param workerId its slot
	 * @param generation its slot's generation
	 * @param process the process
	 * @param startedAt when it was started
	 * @param bootTimeout how long it may take to become ready
	 * @param lateBoot why it is killed when it takes longer
	 */
	WorkerHandle(int workerId, int generation, WorkerProcess process, Instant startedAt, Duration bootTimeout,
			ExitReason lateBoot) {
		this.workerId = workerId;
		this.generation = generation;
		this.process = process;
		this.startedAt = startedAt;
		this.bootTimeout = bootTimeout;
		this.lateBoot = lateBoot;
		this.stateSince = startedAt;
		this.reason = "launched";
		log.log(System.Logger.Level.INFO, "Worker {0} (pid {1}, generation {2}): started", workerId,
				String.valueOf(process.pid()), generation);
	}

	void transition(WorkerState to, String why, Instant now) {
		if (to == this.state && why.equals(this.reason)) {
			return;
		}
		if (this.state == WorkerState.READY && to != WorkerState.READY && this.exit == null) {
			// before the worker is signalled or told to stop accepting: leadership moves before it drains
			revokeLeadership();
		}
		System.Logger.Level level = (to == WorkerState.FAILED || to == WorkerState.RESTARTING)
				? System.Logger.Level.WARNING : System.Logger.Level.INFO;
		log.log(level, "Worker {0} (pid {1}, generation {2}): {3} -> {4} ({5})", this.workerId,
				String.valueOf(pid()), this.generation, this.state.label(), to.label(), why);
		this.state = to;
		this.stateSince = now;
		this.reason = why;
		this.kill = null;
		if (to == WorkerState.READY) {
			this.readyAt = now;
			this.accepting = true;
		}
	}

	/**
	 * Kill the worker if it is still starting after its boot timeout.
	 * @param now the current time
	 */
	void checkBoot(Instant now) {
		if (this.state == WorkerState.STARTING && !killed() && now.isAfter(this.startedAt.plus(this.bootTimeout))) {
			kill(WorkerState.STARTING, this.lateBoot, Durations.format(this.bootTimeout), now);
		}
	}

	/**
	 * Ask the worker to stop (SIGTERM): it drains.
	 * @param why why it stops
	 * @param now the current time
	 */
	void terminate(String why, Instant now) {
		transition(WorkerState.DRAINING, why, now);
		this.process.terminate();
	}

	/**
	 * Give the worker a deadline to exit by, after which {@link #escalate(Instant)} kills it.
	 * @param timeout how long it may take from now
	 * @param now the current time
	 */
	void stopWithin(Duration timeout, Instant now) {
		this.stopTimeout = timeout;
		this.stopDeadline = now.plus(timeout);
	}

	/**
	 * Kill the worker (SIGKILL) when it outlived its stop deadline and was not killed yet.
	 * @param now the current time
	 * @return whether it was killed now
	 */
	/**
	 * How long the worker has left before {@link #escalate(Instant)} kills it.
	 * @param now the current time
	 * @return the time left, {@code null} without a deadline
	 */
	Duration timeLeftToStop(Instant now) {
		return (this.stopDeadline != null) ? Duration.between(now, this.stopDeadline) : null;
	}

	boolean escalate(Instant now) {
		if (this.stopDeadline == null || !now.isAfter(this.stopDeadline) || killed()) {
			return false;
		}
		masterLog.log(System.Logger.Level.WARNING,
				"Worker {0} (pid {1}) still running after the shutdown timeout of {2}; killing it", this.workerId,
				String.valueOf(pid()), Durations.format(this.stopTimeout));
		kill(WorkerState.DRAINING, ExitReason.KILLED_AFTER_SHUTDOWN_TIMEOUT, null, now);
		return true;
	}

	/**
	 * Kill the process (SIGKILL), entering a state whose reason is the kill's.
	 * @param to the state it is in while the kill lands
	 * @param why why it is killed
	 * @param detail what the reason's text adds, the timeout, {@code null} for nothing
	 * @param now the current time
	 */
	private void kill(WorkerState to, ExitReason why, String detail, Instant now) {
		transition(to, why.text(detail), now);
		this.kill = why;
		this.process.kill();
	}

	/**
	 * End a worker the watchdog found hung or broken, which cannot be trusted to drain well: close its accept gate
	 * now (if it still reads its channel), have the JVM print a thread dump (SIGQUIT; a stopped process is
	 * continued first so it can), TERM it after {@code dumpGrace}, KILL it {@code killGrace} after that.
	 * @param why hung or broken
	 * @param detail what the watchdog saw
	 * @param stopped whether the process is stopped (SIGSTOP or a debugger)
	 * @param now the current time
	 * @param dumpGrace how long the thread dump may take
	 * @param killGrace how long after TERM it is killed
	 */
	void condemn(ExitReason why, String detail, boolean stopped, Instant now, Duration dumpGrace,
			Duration killGrace) {
		transition(WorkerState.DRAINING, why.text(detail), now);
		this.kill = why;
		this.accepting = false;
		if (this.connection != null) {
			this.connection.send(Frame.of(MessageType.STOP_ACCEPTING));
		}
		if (stopped) {
			this.process.resume();
		}
		this.process.dumpThreads();
		this.termAt = now.plus(dumpGrace);
		this.killAt = this.termAt.plus(killGrace);
	}

	/**
	 * Whether the watchdog is ending this worker.
	 * @return whether it was condemned
	 */
	boolean condemned() {
		return this.killAt != null;
	}

	/**
	 * Carry a condemned worker's ending on: TERM once its thread dump had its time, KILL after the grace.
	 * @param now the current time
	 */
	void checkCondemned(Instant now) {
		if (this.termAt != null && !now.isBefore(this.termAt)) {
			this.termAt = null;
			log.log(System.Logger.Level.INFO, "Worker {0} (pid {1}): sending TERM after its thread dump",
					this.workerId, String.valueOf(pid()));
			this.process.terminate();
		}
		if (this.killAt != null && this.termAt == null && this.exit == null && !now.isBefore(this.killAt)) {
			masterLog.log(System.Logger.Level.WARNING, "Worker {0} (pid {1}) is still running after TERM; killing it",
					this.workerId, String.valueOf(pid()));
			this.killAt = Instant.MAX;
			this.process.kill();
		}
	}

	/**
	 * Make this worker the leader: it is told at once.
	 * @param epoch the leadership's epoch
	 * @param revokeTimeout how long it will have to confirm a revoke, told with the revoke
	 */
	void grantLeadership(long epoch, Duration revokeTimeout) {
		this.leaderEpoch = epoch;
		this.revokeTimeout = revokeTimeout;
		this.revokeSent = false;
		send(Frame.of(MessageType.GRANT, "epoch", epoch));
	}

	/** Tell the leader to stop its leader-only work, once; it answers REVOKED, or exits, or runs out of time. */
	void revokeLeadership() {
		if (this.leaderEpoch != 0 && !this.revokeSent) {
			this.revokeSent = true;
			send(Frame.of(MessageType.REVOKE, "epoch", this.leaderEpoch, "timeout", this.revokeTimeout.toMillis()));
		}
	}

	/** This worker holds no leadership any more: it confirmed, exited or ran out of time. */
	void leadershipReleased() {
		this.leaderEpoch = 0;
		this.revokeSent = false;
	}

	/**
	 * The epoch of the leadership this worker holds or is giving up.
	 * @return the epoch, 0 when none
	 */
	long leaderEpoch() {
		return this.leaderEpoch;
	}

	/**
	 * Whether this worker leads now: granted and not revoked.
	 * @return whether it is the leader
	 */
	boolean leads() {
		return this.leaderEpoch != 0 && !this.revokeSent;
	}

	/**
	 * Send a frame on this worker's channel connection, if it has one that is open.
	 * @param frame the frame
	 * @return whether it was written
	 */
	boolean send(Frame frame) {
		ChannelConnection connection = this.connection;
		if (connection == null || connection.isClosed()) {
			return false;
		}
		connection.send(frame);
		return !connection.isClosed();
	}

	/**
	 * Whether the worker's channel connection is open.
	 * @return whether the master can tell it something
	 */
	boolean reachable() {
		return this.connection != null && !this.connection.isClosed();
	}

	/**
	 * The channel connection this worker was verified on.
	 * @param connection the connection
	 */
	void connection(ChannelConnection connection) {
		this.connection = connection;
	}

	/**
	 * Why the master killed this worker, while that is its latest transition.
	 * @return the reason, {@code null} when it was not killed
	 */
	ExitReason killedFor() {
		return this.kill;
	}

	boolean killed() {
		return this.kill != null;
	}

	void exited(ExitStatus status) {
		this.exit = status;
		this.accepting = false;
	}

	/** The worker said it closed its accept gate: it takes no new connection from the shared socket. */
	void stoppedAccepting() {
		this.accepting = false;
	}

	/**
	 * Whether this worker may still take connections from the shared socket: it became ready and has neither
	 * said it stopped accepting nor exited.
	 * @return whether it may accept
	 */
	boolean acceptsConnections() {
		return this.accepting;
	}

	void heartbeat(WorkerHeartbeat heartbeat) {
		this.heartbeat = heartbeat;
	}

	void startupError(String error) {
		this.startupError = (error.length() > 2000) ? error.substring(0, 2000) + "..." : error;
	}

	/**
	 * The error the worker reported when its application failed to start, {@code null} when none.
	 * @return the error
	 */
	public String startupError() {
		return this.startupError;
	}

	public int workerId() {
		return this.workerId;
	}

	public int generation() {
		return this.generation;
	}

	public long pid() {
		return this.process.pid();
	}

	WorkerProcess process() {
		return this.process;
	}

	public WorkerState state() {
		return this.state;
	}

	public Instant stateSince() {
		return this.stateSince;
	}

	public String reason() {
		return this.reason;
	}

	public Instant startedAt() {
		return this.startedAt;
	}

	public Instant readyAt() {
		return this.readyAt;
	}

	public ExitStatus exit() {
		return this.exit;
	}

	public WorkerHeartbeat lastHeartbeat() {
		return this.heartbeat;
	}

	/**
	 * How long this worker has been ready, zero when it never was or is no longer serving.
	 * @param now the current time
	 * @return the time spent ready
	 */
	Duration readyFor(Instant now) {
		if (this.readyAt == null) {
			return Duration.ZERO;
		}
		Instant end = (this.exit != null) ? this.exit.at() : now;
		return Duration.between(this.readyAt, end);
	}

}
