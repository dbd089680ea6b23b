package dev.bootsupervisor.worker;

import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link OnDemandCollections}: the requested collections run off the heartbeat, and a leak's three figures
 * reach the master at once.
 */
class OnDemandCollectionsTests {

	private static final long MB = 1024 * 1024;

	private final OldGenerationTracker tracker = new OldGenerationTracker(1000 * MB,
			OldGenerationSignal.G1_CONCURRENT_COLLECTOR, null);

	private final AtomicInteger collected = new AtomicInteger();

	private final AtomicInteger reported = new AtomicInteger();

	private final LongSupplier clock = () -> System.nanoTime() / 1_000_000;

	private OnDemandCollections collections;

	@AfterEach
	void stop() {
		if (this.collections != null) {
			this.collections.stop();
		}
	}

	@Test
	void aLeakIsCollectedThreeTimesHalfASecondApartAndReportedAtOnce() {
		// the old generation at 80% now, 78% after each full collection: a leak above heap-after-gc=70
		this.collections = new OnDemandCollections(new CollectionRequests(70, false, this.clock.getAsLong() - 60_000),
				this.tracker, () -> 800, this::fullCollection, this.clock);
		this.collections.onFigures(this.reported::incrementAndGet);
		this.collections.heartbeat();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.reported.get() == 1);
		assertThat(this.collected).hasValue(3);
		assertThat(this.tracker.afterGc()).isEqualTo("78.0,78.0,78.0");
		this.collections.heartbeat();
		assertThat(this.collected).as("the next one after the interval").hasValue(3);
	}

	@Test
	void aHealthyAppIsCollectedOnce() throws InterruptedException {
		this.collections = new OnDemandCollections(new CollectionRequests(70, false, this.clock.getAsLong() - 60_000),
				this.tracker, () -> 800, () -> fullCollection(300), this.clock);
		this.collections.heartbeat();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.tracker.collections() == 1);
		Thread.sleep(700);
		this.collections.heartbeat();
		assertThat(this.collected).hasValue(1);
		assertThat(this.reported).hasValue(0);
	}

	private void fullCollection() {
		fullCollection(780);
	}

	/** What the JVM reports of a full collection, from its notification thread, after the collection returns. */
	private void fullCollection(long afterMb) {
		int id = this.collected.incrementAndGet();
		new Thread(() -> this.tracker.record("G1 Old Generation", "end of major GC", id,
				Map.of("G1 Old Gen", new MemoryUsage(0, 800 * MB, 1000 * MB, 1000 * MB)),
				Map.of("G1 Old Gen", new MemoryUsage(0, afterMb * MB, 1000 * MB, 1000 * MB))))
			.start();
	}

}
