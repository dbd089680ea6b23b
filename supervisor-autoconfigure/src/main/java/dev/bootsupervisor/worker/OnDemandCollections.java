package dev.bootsupervisor.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Asks the JVM for the collections that {@link CollectionRequests} decides on, on a thread of its own, so that a
 * long collection never holds a heartbeat back: with G1, {@code System.gc()} is a full collection, which the
 * {@link OldGenerationTracker} counts with the live set it leaves.
 */
final class OnDemandCollections {

	private static final System.Logger log = System.getLogger(OnDemandCollections.class.getName());

	/** How long to wait for the collection's notification, which the JVM delivers after the collection returns. */
	private static final long NOTIFIED_WITHIN_MILLIS = 1_000;

	private final CollectionRequests policy;

	private final OldGenerationTracker tracker;

	private final IntSupplier oldUseTenths;

	private final Runnable collect;

	private final LongSupplier clock;

	/** Sends a heartbeat now, so that the master has the figures a second sooner. */
	private volatile Runnable report = () -> {
	};

	private final ScheduledExecutorService thread = Executors
		.newSingleThreadScheduledExecutor(Threads.daemon("supervisor-collection-request"));

	OnDemandCollections(CollectionRequests policy, OldGenerationTracker tracker, IntSupplier oldUseTenths,
			Runnable collect, LongSupplier clock) {
		this.policy = policy;
		this.tracker = tracker;
		this.oldUseTenths = oldUseTenths;
		this.collect = collect;
		this.clock = clock;
	}

	/**
	 * Requested collections for this JVM, when they apply: recycling on heap is on and the collector is G1, whose
	 * old generation can wait for a collection until an OutOfMemoryError (the other collectors collect their old
	 * generation before they throw one).
	 * @param heapAfterGc {@code supervisor.recycle.heap-after-gc}, {@code null} when off
	 * @param tracker the tracker whose figures the heartbeat carries
	 * @return the requested collections, or {@code null}
	 */
	static OnDemandCollections install(Integer heapAfterGc, OldGenerationTracker tracker) {
		if (heapAfterGc == null || heapAfterGc < 1 || heapAfterGc > 100 || !tracker.signal().isG1()) {
			return null;
		}
		MemoryPoolMXBean oldPool = ManagementFactory.getMemoryPoolMXBeans()
			.stream()
			.filter((pool) -> pool.getType() == MemoryType.HEAP && OldGenerationTracker.isOldPool(pool.getName()))
			.findFirst()
			.orElse(null);
		if (oldPool == null) {
			return null;
		}
		long heapMax = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
		LongSupplier clock = () -> System.nanoTime() / 1_000_000;
		return new OnDemandCollections(new CollectionRequests(heapAfterGc, explicitGcDisabled(), clock.getAsLong()),
				tracker, () -> tenths(oldPool.getUsage(), heapMax), System::gc, clock);
	}

	/**
	 * Set what sends the figures to the master at once, when the requested collections found the old generation
	 * above the threshold as many times in a row as the master recycles on.
	 * @param report sends a heartbeat
	 */
	void onFigures(Runnable report) {
		this.report = report;
	}

	/** At each heartbeat: request a collection if one is due. Returns at once. */
	void heartbeat() {
		if (this.policy.due(this.clock.getAsLong(), this.oldUseTenths.getAsInt(), this.tracker.collections(),
				this.tracker.latestTenths())) {
			this.thread.execute(this::collectAndMeasure);
		}
	}

	void stop() {
		this.thread.shutdownNow();
	}

	private void collectAndMeasure() {
		long before = this.tracker.collections();
		long started = this.clock.getAsLong();
		this.collect.run();
		long deadline = this.clock.getAsLong() + NOTIFIED_WITHIN_MILLIS;
		try {
			while (this.tracker.collections() == before && this.clock.getAsLong() < deadline) {
				Thread.sleep(5);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		long now = this.clock.getAsLong();
		CollectionRequests.Next next = this.policy.measured(now, this.tracker.collections(),
				this.tracker.latestTenths());
		log.log(System.Logger.Level.DEBUG, "Requested collection {0} took {1} ms; the latest figure is {2} tenths of "
				+ "a percent", this.policy.requests(), now - started, this.tracker.latestTenths());
		if (next == CollectionRequests.Next.CONFIRM && !this.thread.isShutdown()) {
			this.thread.schedule(this::heartbeat, CollectionRequests.CONFIRM_GAP_MILLIS, TimeUnit.MILLISECONDS);
		}
		else if (next == CollectionRequests.Next.REPORT) {
			this.report.run();
		}
	}

	private static int tenths(MemoryUsage usage, long heapMax) {
		long max = (usage.getMax() > 0) ? usage.getMax() : heapMax;
		return (max > 0) ? (int) Math.round(usage.getUsed() * 1000.0 / max) : 0;
	}

	private static boolean explicitGcDisabled() {
		try {
			HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
			return hotSpot != null && "true".equals(hotSpot.getVMOption("DisableExplicitGC").getValue());
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}
