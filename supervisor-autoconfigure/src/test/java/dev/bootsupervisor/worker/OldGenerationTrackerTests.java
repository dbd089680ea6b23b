package dev.bootsupervisor.worker;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Map;

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

	private final OldGenerationTracker tracker = new OldGenerationTracker(1000 * MB);

	@Test
	void reportsNothingBeforeTheFirstOldCollection() {
		assertThat(this.tracker.collections()).isZero();
		assertThat(this.tracker.afterGc()).isEqualTo("-");
	}

	@Test
	void countsMajorCollectionsWithTheOldPoolsUseAfterThem() {
		this.tracker.record("MarkSweepCompact", "end of major GC", 1,
				Map.of("Tenured Gen", usage(612, 1000), "Eden Space", usage(0, 300)));
		assertThat(this.tracker.collections()).isOne();
		assertThat(this.tracker.afterGc()).isEqualTo("61.2");
	}

	@Test
	void ignoresYoungCollections() {
		this.tracker.record("Copy", "end of minor GC", 1, Map.of("Tenured Gen", usage(900, 1000)));
		this.tracker.record("G1 Young Generation", "end of minor GC", 1, Map.of("G1 Old Gen", usage(900, 1000)));
		this.tracker.record("ZGC Minor Cycles", "end of GC cycle", 1, Map.of("ZGC Old Generation", usage(900, 1000)));
		this.tracker.record("ZGC Major Pauses", "end of GC pause", 1, Map.of("ZGC Old Generation", usage(900, 1000)));
		assertThat(this.tracker.collections()).isZero();
		assertThat(this.tracker.afterGc()).isEqualTo("-");
	}

	@Test
	void countsConcurrentCyclesOfTheOldGeneration() {
		this.tracker.record("G1 Concurrent GC", "end of concurrent GC pause", 2,
				Map.of("G1 Old Gen", usage(100, 1000)));
		this.tracker.record("ZGC Major Cycles", "end of GC cycle", 1, Map.of("ZGC Old Generation", usage(200, 1000)));
		this.tracker.record("ZGC Cycles", "end of GC cycle", 1, Map.of("ZHeap", usage(300, 1000)));
		this.tracker.record("Shenandoah Cycles", "end of GC cycle", 1, Map.of("Shenandoah", usage(400, 1000)));
		this.tracker.record("PS MarkSweep", "end of major GC", 1, Map.of("PS Old Gen", usage(500, 1000)));
		assertThat(this.tracker.collections()).isEqualTo(5);
		assertThat(this.tracker.afterGc()).isEqualTo("30.0,40.0,50.0");
	}

	@Test
	void countsEachConcurrentCycleOfG1OnceAtItsCleanupPause() {
		for (int id = 1; id <= 4; id++) {
			this.tracker.record("G1 Concurrent GC", "end of concurrent GC pause", id,
					Map.of("G1 Old Gen", usage(100 * id, 1000)));
		}
		assertThat(this.tracker.collections()).isEqualTo(2);
		assertThat(this.tracker.afterGc()).isEqualTo("20.0,40.0");
	}

	@Test
	void keepsTheLatestThreeOldestFirst() {
		for (int used : new int[] { 500, 612, 630, 648 }) {
			this.tracker.record("G1 Old Generation", "end of major GC", 1, Map.of("G1 Old Gen", usage(used, 1000)));
		}
		assertThat(this.tracker.collections()).isEqualTo(4);
		assertThat(this.tracker.afterGc()).isEqualTo("61.2,63.0,64.8");
	}

	@Test
	void measuresAgainstTheHeapMaximumWhenThePoolHasNone() {
		this.tracker.record("ZGC Cycles", "end of GC cycle", 1,
				Map.of("ZHeap", new MemoryUsage(0, 250 * MB, 300 * MB, -1)));
		assertThat(this.tracker.afterGc()).isEqualTo("25.0");
	}

	@Test
	void followsTheCollectionsOfThisJvm() throws ListenerNotFoundException {
		OldGenerationTracker installed = OldGenerationTracker.install();
		try {
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

	private static MemoryUsage usage(long usedMb, long maxMb) {
		return new MemoryUsage(0, usedMb * MB, usedMb * MB, maxMb * MB);
	}

}
