package dev.bootsupervisor.worker;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link OldGenerationTracker}.
 */
class OldGenerationTrackerTests {

	private static final long MB = 1024 * 1024;

	private static final String YOUNG = "G1 Young Generation";

	private final OldGenerationTracker tracker = new OldGenerationTracker(1000 * MB);

	/** G1 on JDK 17 to 19: the cycles' ends come from the performance counters. */
	private final AtomicLong cycles = new AtomicLong(5);

	private final OldGenerationTracker g1 = new OldGenerationTracker(1000 * MB, OldGenerationSignal.G1_PERF_COUNTER,
			this.cycles::get);

	@Test
	void reportsNothingBeforeTheFirstOldCollection() {
		assertThat(this.tracker.collections()).isZero();
		assertThat(this.tracker.afterGc()).isEqualTo("-");
	}

	@Test
	void countsMajorCollectionsWithTheOldPoolsUseAfterThem() {
		record(this.tracker, "MarkSweepCompact", "end of major GC", 1,
				Map.of("Tenured Gen", usage(612, 1000), "Eden Space", usage(0, 300)));
		assertThat(this.tracker.collections()).isOne();
		assertThat(this.tracker.afterGc()).isEqualTo("61.2");
	}

	@Test
	void ignoresYoungCollections() {
		record(this.tracker, "Copy", "end of minor GC", 1, Map.of("Tenured Gen", usage(900, 1000)));
		record(this.tracker, YOUNG, "end of minor GC", 1, Map.of("G1 Old Gen", usage(900, 1000)));
		record(this.tracker, "ZGC Minor Cycles", "end of GC cycle", 1,
				Map.of("ZGC Old Generation", usage(900, 1000)));
		record(this.tracker, "ZGC Major Pauses", "end of GC pause", 1,
				Map.of("ZGC Old Generation", usage(900, 1000)));
		assertThat(this.tracker.collections()).isZero();
		assertThat(this.tracker.afterGc()).isEqualTo("-");
	}

	@Test
	void countsTheCyclesOfZgcAndShenandoah() {
		record(this.tracker, "ZGC Major Cycles", "end of GC cycle", 1, Map.of("ZGC Old Generation", usage(200, 1000)));
		record(this.tracker, "ZGC Cycles", "end of GC cycle", 1, Map.of("ZHeap", usage(300, 1000)));
		record(this.tracker, "Shenandoah Cycles", "end of GC cycle", 1, Map.of("Shenandoah", usage(400, 1000)));
		record(this.tracker, "PS MarkSweep", "end of major GC", 1, Map.of("PS Old Gen", usage(500, 1000)));
		assertThat(this.tracker.collections()).isEqualTo(4);
		assertThat(this.tracker.afterGc()).isEqualTo("30.0,40.0,50.0");
	}

	@Test
	void keepsTheLatestThreeOldestFirst() {
		for (int used : new int[] { 500, 612, 630, 648 }) {
			record(this.tracker, "G1 Old Generation", "end of major GC", 1, Map.of("G1 Old Gen", usage(used, 1000)));
		}
		assertThat(this.tracker.collections()).isEqualTo(4);
		assertThat(this.tracker.afterGc()).isEqualTo("61.2,63.0,64.8");
	}

	@Test
	void measuresAgainstTheHeapMaximumWhenThePoolHasNone() {
		record(this.tracker, "ZGC Cycles", "end of GC cycle", 1,
				Map.of("ZHeap", new MemoryUsage(0, 250 * MB, 300 * MB, -1)));
		assertThat(this.tracker.afterGc()).isEqualTo("25.0");
	}

	@Test
	void aPureLeakOnG1CountsEachConcurrentCycleWithTheOldGenerationLeftAfterIt() {
		// Issue 26: above the IHOP, cycles run back to back, find nothing to reclaim, and no mixed collection comes;
		// the old generation only grows, by 10 MB a cycle, and only young pauses are notified on JDK 17.
		young(this.g1, 500, 502);
		assertThat(this.g1.collections()).as("pauses before any cycle ended").isZero();
		long old = 502;
		for (int cycle = 0; cycle < 4; cycle++) {
			this.cycles.addAndGet(1);
			young(this.g1, old, old + 1);
			old += 10;
		}
		assertThat(this.g1.collections()).as("cycles made final by the next one").isEqualTo(3);
		assertThat(this.g1.afterGc()).isEqualTo("50.3,51.3,52.3");
	}

	@Test
	void theHeartbeatCountsACycleAsSoonAsTheNextOneHasEndedWithoutWaitingForAPause() {
		this.cycles.addAndGet(1);
		young(this.g1, 502, 503); // the next cycle's start
		this.cycles.addAndGet(1);
		assertThat(this.g1.afterGc()).isEqualTo("50.3");
		assertThat(this.g1.collections()).isOne();
		young(this.g1, 512, 513);
		young(this.g1, 513, 514);
		assertThat(this.g1.afterGc()).as("the cycle the heartbeat saw end, followed from its first pause")
			.isEqualTo("50.3,51.3");
	}

	@Test
	void aPureLeakWithYoungPausesBetweenTheCyclesCountsEachCycleAfterTwoOfThem() {
		this.cycles.addAndGet(1);
		young(this.g1, 600, 603);
		assertThat(this.g1.collections()).isZero();
		young(this.g1, 603, 605);
		assertThat(this.g1.collections()).isOne();
		young(this.g1, 605, 607);
		assertThat(this.g1.collections()).as("pauses of no cycle").isOne();
		assertThat(this.g1.afterGc()).isEqualTo("60.3");
	}

	@Test
	void aHealthySawtoothOnG1CountsWhatTheMixedPhaseLeaves() {
		// Live data is 300 MB; each cycle starts near the IHOP of 45% and its mixed phase frees down to 300.
		for (int cycle = 0; cycle < 3; cycle++) {
			young(this.g1, 440, 452);
			this.cycles.addAndGet(1);
			young(this.g1, 460, 468); // Prepare Mixed: young only, the old generation grows
			young(this.g1, 468, 390); // mixed
			young(this.g1, 390, 330);
			young(this.g1, 330, 300);
			young(this.g1, 300, 310); // young again: the mixed phase has ended
			young(this.g1, 310, 320);
			young(this.g1, 320, 330);
		}
		assertThat(this.g1.collections()).isEqualTo(3);
		assertThat(this.g1.afterGc()).isEqualTo("30.0,30.0,30.0");
	}

	@Test
	void aCycleThatFoundTooLittleToReclaimCountsAfterTwoPausesThatDidNotShrinkTheOldGeneration() {
		this.cycles.addAndGet(1);
		young(this.g1, 700, 705);
		young(this.g1, 705, 712);
		assertThat(this.g1.collections()).isOne();
		assertThat(this.g1.afterGc()).isEqualTo("70.5");
	}

	@Test
	void humongousObjectsReclaimedByYoungPausesCountOnlyAfterACycle() {
		// G1 frees dead humongous arrays at young pauses too: outside a cycle's mixed phase that is no figure
		young(this.g1, 600, 200);
		young(this.g1, 200, 600);
		young(this.g1, 600, 210);
		assertThat(this.g1.collections()).isZero();
		this.cycles.addAndGet(1);
		young(this.g1, 620, 615);
		young(this.g1, 615, 230);
		young(this.g1, 230, 640);
		assertThat(this.g1.collections()).isOne();
		assertThat(this.g1.afterGc()).isEqualTo("23.0");
	}

	@Test
	void aFullCollectionOnG1CountsAndEndsTheCycleFollowedUntilThen() {
		this.cycles.addAndGet(1);
		young(this.g1, 800, 810);
		record(this.g1, "G1 Old Generation", "end of major GC", 1, Map.of("G1 Old Gen", usage(650, 1000)));
		assertThat(this.g1.collections()).isEqualTo(2);
		assertThat(this.g1.afterGc()).isEqualTo("81.0,65.0");
	}

	@Test
	void g1OnJdk20AndLaterGetsTheCyclesFromTheConcurrentCollectorWithTheSameRule() {
		OldGenerationTracker jdk21 = new OldGenerationTracker(1000 * MB, OldGenerationSignal.G1_CONCURRENT_COLLECTOR, null);
		for (int cycle = 0; cycle < 3; cycle++) {
			young(jdk21, 440, 452);
			// Remark, then Cleanup: the figures at their ends still hold what the mixed phase frees
			record(jdk21, "G1 Concurrent GC", "end of concurrent GC pause", 2 * cycle + 1,
					Map.of("G1 Old Gen", usage(455, 1000)));
			record(jdk21, "G1 Concurrent GC", "end of concurrent GC pause", 2 * cycle + 2,
					Map.of("G1 Old Gen", usage(455, 1000)));
			young(jdk21, 460, 468);
			young(jdk21, 468, 390);
			young(jdk21, 390, 300);
			young(jdk21, 300, 310);
		}
		assertThat(jdk21.collections()).isEqualTo(3);
		assertThat(jdk21.afterGc()).isEqualTo("30.0,30.0,30.0");
	}

	@Test
	void g1WithoutItsCyclesCountsFullCollectionsOnly() {
		OldGenerationTracker blind = new OldGenerationTracker(1000 * MB, OldGenerationSignal.G1_FULL_ONLY, null);
		young(blind, 500, 510);
		record(blind, "G1 Concurrent GC", "end of concurrent GC pause", 2, Map.of("G1 Old Gen", usage(520, 1000)));
		young(blind, 520, 400);
		young(blind, 400, 410);
		young(blind, 410, 420);
		assertThat(blind.collections()).isZero();
		record(blind, "G1 Old Generation", "end of major GC", 1, Map.of("G1 Old Gen", usage(300, 1000)));
		assertThat(blind.afterGc()).isEqualTo("30.0");
	}

	@Test
	void followsTheCollectionsOfThisJvm() throws ListenerNotFoundException {
		OldGenerationTracker installed = OldGenerationTracker.install();
		try {
			boolean g1 = ManagementFactory.getGarbageCollectorMXBeans()
				.stream()
				.anyMatch((collector) -> collector.getName().equals(YOUNG));
			if (g1 && Runtime.version().feature() < 20) {
				assertThat(installed.signal()).as(installed.signal().description()).isEqualTo(OldGenerationSignal.G1_PERF_COUNTER);
			}
			System.gc();
			await().atMost(Duration.ofSeconds(10)).until(() -> installed.collections() > 0);
			assertThat(installed.afterGc()).matches("[0-9]{1,3}\\.[0-9](,[0-9]{1,3}\\.[0-9]){0,2}");
		}
		finally {
			for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
				if (collector instanceof NotificationEmitter emitter) {
					emitter.removeNotificationListener(installed);
				}
			}
		}
	}

	/** A young-collector pause with the old generation's use before and after it, in MB of 1000. */
	private static void young(OldGenerationTracker tracker, long beforeMb, long afterMb) {
		tracker.record(YOUNG, "end of minor GC", 1, Map.of("G1 Old Gen", usage(beforeMb, 1000)),
				Map.of("G1 Old Gen", usage(afterMb, 1000)));
	}

	private static void record(OldGenerationTracker tracker, String gcName, String gcAction, long gcId,
			Map<String, MemoryUsage> usageAfterGc) {
		tracker.record(gcName, gcAction, gcId, Map.of(), usageAfterGc);
	}

	private static MemoryUsage usage(long usedMb, long maxMb) {
		return new MemoryUsage(0, usedMb * MB, usedMb * MB, maxMb * MB);
	}

}
