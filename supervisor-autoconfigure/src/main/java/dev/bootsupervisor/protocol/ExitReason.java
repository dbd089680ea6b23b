package dev.bootsupervisor.protocol;

/**
 * Why a worker process ended, as the master classifies it. A kill's text names the timeout that caused it, so the
 * text shown to users is {@link #text(String)}.
 */
public enum ExitReason {

	/** Exited cleanly after being asked to stop. */
	STOPPED("stopped", false),

	/** Exited with a failure after being asked to stop. */
	STOPPED_WITH_A_FAILURE("stopped with a failure", false),

	/** Exited before it was ready. */
	FAILED_TO_START("failed to start", false),

	/** Exited with code 0 while nobody had asked it to stop. */
	EXITED_UNASKED("exited without being asked to", false),

	/** Exited with a failure while nobody had asked it to stop. */
	CRASHED("crashed", false),

	/** Killed by the master: not ready within the startup timeout. */
	KILLED_NOT_READY("killed: not ready within", true),

	/** Killed by the master: a reload's replacement not ready within the reload timeout. */
	KILLED_NOT_READY_FOR_RELOAD("killed: not ready within the reload timeout of", true),

	/** Killed by the master: still running after the shutdown timeout. */
	KILLED_AFTER_SHUTDOWN_TIMEOUT("killed after the shutdown timeout", true),

	/** Ended by the master's watchdog: hung (no heartbeat, or requests stuck). */
	KILLED_HUNG("hung:", true),

	/** Ended by the master's watchdog: broken (liveness BROKEN, a deadlock, an OutOfMemoryError). */
	KILLED_BROKEN("broken:", true);

	private final String label;

	private final boolean killed;

	ExitReason(String label, boolean killed) {
		this.label = label;
		this.killed = killed;
	}

	/**
	 * Whether the master killed the worker.
	 * @return whether it was killed
	 */
	public boolean killed() {
		return this.killed;
	}

	/**
	 * Whether the master killed the worker because it was not ready in time, at startup or in a reload.
	 * @return whether it was too slow to become ready
	 */
	public boolean notReadyInTime() {
		return this == KILLED_NOT_READY || this == KILLED_NOT_READY_FOR_RELOAD;
	}

	/**
	 * The reason as users read it.
	 * @param detail what follows the label (the timeout of a kill), {@code null} for none
	 * @return the text
	 */
	public String text(String detail) {
		return (detail != null) ? this.label + " " + detail : this.label;
	}

}
