package dev.bootsupervisor.worker;

import java.io.IOException;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What tells the {@link OldGenerationTracker} that the old generation was collected, which depends on the collector
 * and, for G1, on the JDK and on whether the JVM publishes its performance counters.
 */
enum OldGenerationSignal {

	/** Every collection of the old generation counts: full collections, and ZGC's and Shenandoah's cycles. */
	OLD_COLLECTIONS("each of its collections (full collections; ZGC's and Shenandoah's cycles)"),

	/** G1's full collections, and its concurrent cycles as the {@code G1 Concurrent GC} collector reports them. */
	G1_CONCURRENT_COLLECTOR("G1's full collections, and each concurrent cycle's mixed collections (cycles from the "
			+ "G1 Concurrent GC collector)"),

	/** G1's full collections, and its concurrent cycles as the JVM's performance counters count them. */
	G1_PERF_COUNTER("G1's full collections, and each concurrent cycle's mixed collections (cycles from the JVM's "
			+ "performance counters)"),

	/** G1's full collections only: its concurrent cycles cannot be seen. */
	G1_FULL_ONLY("G1's full collections only");

	/** The performance counters' name of G1's Remark and Cleanup pauses, two per cycle (JDK 17 and later). */
	private static final String G1_CYCLE_PAUSES = "G1 concurrent cycle pauses";

	private final String description;

	OldGenerationSignal(String description) {
		this.description = description;
	}

	/** What the old generation's figures come after, for a person. */
	String description() {
		return this.description;
	}

	/** Whether the collector is G1, whose old generation may wait long for a collection that measures it. */
	boolean isG1() {
		return this != OLD_COLLECTIONS;
	}

	/** Whether G1's concurrent cycles are seen, each counting with what its mixed phase leaves. */
	boolean followsG1Cycles() {
		return this == G1_CONCURRENT_COLLECTOR || this == G1_PERF_COUNTER;
	}

	/**
	 * The signal this JVM gives.
	 * @param signal the signal
	 * @param perfCycles how many G1 concurrent cycles have ended, for {@link #G1_PERF_COUNTER}, else {@code null}
	 * @param unseen why G1's cycles cannot be seen, for {@link #G1_FULL_ONLY}, else {@code null}
	 */
	record Detected(OldGenerationSignal signal, LongSupplier perfCycles, String unseen) {
	}

	/**
	 * Find the signal of this JVM: G1's cycles from its {@code G1 Concurrent GC} collector (JDK 20 and later), else
	 * from this JVM's performance counters.
	 * @param collectors the names of this JVM's garbage collector beans
	 * @return the signal
	 */
	static Detected detect(Set<String> collectors) {
		if (collectors.contains(OldGenerationTracker.G1_CONCURRENT)) {
			return new Detected(G1_CONCURRENT_COLLECTOR, null, null);
		}
		if (!collectors.contains(OldGenerationTracker.G1_YOUNG)) {
			return new Detected(OLD_COLLECTIONS, null, null);
		}
		try {
			return new Detected(G1_PERF_COUNTER, g1CyclesFromPerfData(), null);
		}
		catch (IOException | RuntimeException ex) {
			return new Detected(G1_FULL_ONLY, null, ex.getMessage());
		}
	}

	private static LongSupplier g1CyclesFromPerfData() throws IOException {
		PerfData data = PerfData.ofThisJvm();
		for (int i = 0; i < 10; i++) {
			String collector = "sun.gc.collector." + i;
			try {
				if (G1_CYCLE_PAUSES.equals(data.string(collector + ".name"))) {
					LongSupplier pauses = data.counter(collector + ".invocations");
					return () -> pauses.getAsLong() / 2;
				}
			}
			catch (IOException ex) {
				break;
			}
		}
		throw new IOException("no counter of '" + G1_CYCLE_PAUSES + "'");
	}

}
