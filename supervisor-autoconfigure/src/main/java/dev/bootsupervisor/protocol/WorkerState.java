package dev.bootsupervisor.protocol;

import java.util.Locale;

/**
 * Where a worker is in its life. Every transition is logged with a reason; on the wire and in every view a state
 * is its {@link #label() label}.
 */
public enum WorkerState {

	/** Launched, its application is starting; it takes no connection yet. */
	STARTING,

	/** Its application is ready and it accepts connections. */
	READY,

	/** Asked to stop: it accepts no new connection and finishes the open ones. */
	DRAINING,

	/**
	 * Exited without being asked to (crashed, broken, hung...): its slot's next worker starts when the restart
	 * backoff is over, or is already starting.
	 */
	RESTARTING,

	/** Exited after being asked to stop, or not restarted because the master stops. */
	STOPPED,

	/**
	 * Exited without being asked to, and the master gave up on it: its slot is in a crash loop, the cluster was not
	 * ready yet, the master was stopping, or it was a replacement whose reload or recycle is given up.
	 */
	FAILED;

	/**
	 * Whether a worker in this state is a running process.
	 * @return whether it is alive
	 */
	public boolean isLive() {
		return this == STARTING || this == READY || this == DRAINING;
	}

	/**
	 * The state as users read it: {@code starting}, {@code ready}...
	 * @return the label
	 */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * The state of a label.
	 * @param label a label such as {@code ready}
	 * @return the state
	 * @throws IllegalArgumentException when the label names no state
	 */
	public static WorkerState of(String label) {
		return valueOf(label.toUpperCase(Locale.ROOT));
	}

}
