package dev.bootsupervisor.master;

/**
 * Where a worker is in its life. Every transition is logged with a reason.
 */
public enum WorkerState {

	/** Launched, its application is starting; it takes no connection yet. */
	STARTING,

	/** Its application is ready and it accepts connections. */
	READY,

	/** Asked to stop: it accepts no new connection and finishes the open ones. */
	DRAINING,

	/** Exited after being asked to stop. */
	STOPPED,

	/** Exited without being asked to, or never became ready. */
	FAILED;

	public boolean isLive() {
		return this == STARTING || this == READY || this == DRAINING;
	}

	public String label() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

}
