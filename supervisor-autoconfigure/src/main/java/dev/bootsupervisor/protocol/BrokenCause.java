package dev.bootsupervisor.protocol;

import java.util.Arrays;

/**
 * Why a worker reports itself broken to the master, with the name the {@code BROKEN} message carries: the worker
 * sends it, the master reads it back.
 */
public enum BrokenCause {

	/** The application published {@code LivenessState.BROKEN}. */
	LIVENESS("liveness"),

	/** Threads of the worker's JVM are deadlocked on monitors or locks. */
	DEADLOCK("deadlock"),

	/** An {@link OutOfMemoryError} was thrown in the worker's JVM. */
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

	/**
	 * The cause a {@code BROKEN} message names.
	 * @param wireName the {@code cause} field
	 * @return the cause
	 * @throws ProtocolException when the name is no cause
	 */
	public static BrokenCause of(String wireName) throws ProtocolException {
		return Arrays.stream(values())
			.filter((cause) -> cause.wireName.equals(wireName))
			.findFirst()
			.orElseThrow(() -> new ProtocolException("unknown BROKEN cause '" + wireName + "'"));
	}

}
