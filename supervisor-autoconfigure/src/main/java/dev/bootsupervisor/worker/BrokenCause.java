package dev.bootsupervisor.worker;

/**
 * Why a worker reports itself broken to the master, with the name the {@code BROKEN} message carries.
 */
public enum BrokenCause {

	/** The application published {@code LivenessState.BROKEN}. */
	LIVENESS("liveness"),

	/** Threads of this JVM are deadlocked on monitors or locks. */
	DEADLOCK("deadlock"),

	/** An {@link OutOfMemoryError} was thrown in this JVM. */
	OUT_OF_MEMORY("out-of-memory");

	private final String wireName;

	BrokenCause(String wireName) {
		this.wireName = wireName;
	}

	/**
	 * Return the cause as the {@code cause} field of a {@code BROKEN} message names it.
	 * @return the name on the wire
	 */
	public String wireName() {
		return this.wireName;
	}

}
