package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;

import dev.bootsupervisor.protocol.ExitReason;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * One worker process and its state machine. Only the master loop changes it.
 */
public final class WorkerHandle {

	private static final System.Logger log = System.getLogger(WorkerHandle.class.getName());

	private final int workerId;

	private final int generation;

	private final WorkerProcess process;

	private final Instant startedAt;

	private WorkerState state = WorkerState.STARTING;

	private Instant stateSince;

	private String reason;

	private ExitReason kill;

	private Instant readyAt;

	private ExitStatus exit;

	private WorkerHeartbeat heartbeat;

	private String startupError;

	private boolean accepting;

	WorkerHandle(int workerId, int generation, WorkerProcess process, Instant startedAt) {
		this.workerId = workerId;
		this.generation = generation;
		this.process = process;
		this.startedAt = startedAt;
		this.stateSince = startedAt;
		this.reason = "launched";
		log.log(System.Logger.Level.INFO, "Worker {0} (pid {1}, generation {2}): started", workerId,
				String.valueOf(process.pid()), generation);
	}

	void transition(WorkerState to, String why, Instant now) {
		if (to == this.state && why.equals(this.reason)) {
			return;
		}
		System.Logger.Level level = (to == WorkerState.FAILED) ? System.Logger.Level.WARNING : System.Logger.Level.INFO;
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
	 * Kill the process (SIGKILL), entering a state whose reason is the kill's.
	 * @param to the state it is in while the kill lands
	 * @param why why it is killed
	 * @param detail what the reason's text adds, the timeout, {@code null} for nothing
	 * @param now the current time
	 */
	void kill(WorkerState to, ExitReason why, String detail, Instant now) {
		transition(to, why.text(detail), now);
		this.kill = why;
		this.process.kill();
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
