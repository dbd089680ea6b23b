package dev.bootsupervisor.protocol;

import java.util.Locale;

/**
 * Where the whole cluster is; on the wire and in every view a phase is its {@link #label() label}.
 */
public enum ClusterPhase {

	/** The workers are starting; the cluster is not ready yet. */
	STARTING,

	/** Every worker was ready once: the cluster serves, restarts, reloads and scales. */
	RUNNING,

	/** The master stops its workers. */
	STOPPING,

	/** Every worker has exited. */
	STOPPED;

	/**
	 * Whether the master is stopping or has stopped.
	 * @return whether it is stopping or stopped
	 */
	public boolean isStopping() {
		return this == STOPPING || this == STOPPED;
	}

	/**
	 * The phase as users read it: {@code starting}, {@code running}...
	 * @return the label
	 */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * The phase of a label.
	 * @param label a label such as {@code running}
	 * @return the phase
	 * @throws IllegalArgumentException when the label names no phase
	 */
	public static ClusterPhase of(String label) {
		return valueOf(label.toUpperCase(Locale.ROOT));
	}

}
