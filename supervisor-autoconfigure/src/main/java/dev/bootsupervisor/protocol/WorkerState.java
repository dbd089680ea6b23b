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

	/** Exited after being asked to stop. */
	STOPPED,

	/** Exited without being asked to, or never became ready. */
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
