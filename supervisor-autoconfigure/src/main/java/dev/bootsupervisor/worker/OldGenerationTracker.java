package dev.bootsupervisor.worker;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * Follows the old generation's use after each collection of it, from the JVM's GC notifications: the usage the
 * collector reports at the end of that collection, never the current usage, so garbage a later collection frees
 * never counts. Young collections, which leave the old generation as it was, are not counted. With G1, whose full
 * collections come only at the edge of an OutOfMemoryError, each concurrent cycle counts with what its mixed phase
 * leaves ({@link MixedPhase}); the cycles' ends come from the {@code G1 Concurrent GC} collector (JDK 20 and later)
 * or, before it existed, from the JVM's performance counters.
 */
final class OldGenerationTracker implements NotificationListener {

	/** How many of the latest collections the heartbeat carries. */
	static final int KEPT = 3;

	private static final System.Logger log = System.getLogger(OldGenerationTracker.class.getName());

	/** G1's young and mixed collections, all {@code end of minor GC}. */
	static final String G1_YOUNG = "G1 Young Generation";

	/**
	 * G1's concurrent cycle (JDK 20 and later): it reports two pauses per cycle, Remark then Cleanup, numbered one
	 * after the other; Cleanup ends the cycle.
	 */
	static final String G1_CONCURRENT = "G1 Concurrent GC";

	/** Collectors whose every collection is a whole-heap or old-generation cycle, whatever their action says. */
	private static final Set<String> OLD_CYCLE_COLLECTORS = Set.of("ZGC Major Cycles", "ZGC Cycles",
			"Shenandoah Cycles");

	private final long heapMax;

	private final OldGenerationSignal signal;

	/** G1's concurrent cycles ended so far, from the performance counters: {@code null} unless they are the signal. */
	private final LongSupplier perfCycles;

	private final MixedPhase mixedPhase;

	private long cleanups;

	/** The old generation's maximum, as the latest collection reported it. */
	private long oldMax;

	private final int[] tenths = new int[KEPT];

	private long collections;

	/**
	 * A tracker that counts the old generation's collections, with no knowledge of G1's concurrent cycles.
	 * @param heapMax the heap's maximum, for pools that have none
	 */
	OldGenerationTracker(long heapMax) {
		this(heapMax, OldGenerationSignal.OLD_COLLECTIONS, null);
	}

	/**
	 * A tracker.
	 * @param heapMax the heap's maximum, for pools that have none
	 * @param signal what tells it that G1 collected its old generation
	 * @param perfCycles how many G1 concurrent cycles have ended, for {@link OldGenerationSignal#G1_PERF_COUNTER}
	 */
	OldGenerationTracker(long heapMax, OldGenerationSignal signal, LongSupplier perfCycles) {
		this.heapMax = heapMax;
		this.oldMax = heapMax;
		this.signal = signal;
		this.perfCycles = (signal == OldGenerationSignal.G1_PERF_COUNTER) ? perfCycles : null;
		this.mixedPhase = new MixedPhase(g1Cycles());
	}

	/**
	 * Listen to the collections of every platform garbage collector that emits notifications, and log which signal
	 * the memory watchdog gets.
	 * @return the tracker
	 */
	static OldGenerationTracker install() {
		List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
		OldGenerationSignal.Detected detected = OldGenerationSignal
			.detect(collectors.stream().map(GarbageCollectorMXBean::getName).collect(Collectors.toSet()));
		OldGenerationTracker tracker = new OldGenerationTracker(
				ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax(), detected.signal(),
				detected.perfCycles());
		for (GarbageCollectorMXBean collector : collectors) {
			if (collector instanceof NotificationEmitter emitter) {
				emitter.addNotificationListener(tracker, null, null);
			}
		}
		if (detected.signal() == OldGenerationSignal.G1_FULL_ONLY) {
			log.log(System.Logger.Level.WARNING, "The memory watchdog sees G1''s full collections only, which come at "
					+ "the edge of an OutOfMemoryError: its concurrent cycles cannot be seen on this JVM without the "
					+ "performance data file ({0}); remove -XX:-UsePerfData or -XX:+PerfDisableSharedMem, or run on "
					+ "JDK 20 or later, where G1 reports its cycles", detected.unseen());
		}
		else {
			log.log(System.Logger.Level.INFO, "The memory watchdog measures the old generation after {0}",
					detected.signal().description());
		}
		return tracker;
	}

	OldGenerationSignal signal() {
		return this.signal;
	}

	static boolean collectsOldGeneration(String gcName, String gcAction) {
		return "end of major GC".equals(gcAction) || OLD_CYCLE_COLLECTORS.contains(gcName);
	}

	static boolean isOldPool(String poolName) {
		return poolName.contains("Old Gen") || poolName.contains("Tenured") || poolName.equals("ZHeap")
				|| poolName.equals("Shenandoah");
	}

	@Override
	public void handleNotification(Notification notification, Object handback) {
		if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
			GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
				.from((CompositeData) notification.getUserData());
			record(info.getGcName(), info.getGcAction(), info.getGcInfo().getId(),
					info.getGcInfo().getMemoryUsageBeforeGc(), info.getGcInfo().getMemoryUsageAfterGc());
		}
	}

	/**
	 * Count one collection if it collected the old generation, or if it made final what G1 left of its old
	 * generation after a concurrent cycle.
	 * @param gcName the collector's name
	 * @param gcAction what the collection was, as the JVM says ({@code end of major GC}, ...)
	 * @param gcId the collection's number, from 1, counted per collector
	 * @param usageBeforeGc each memory pool's usage at the start of the collection
	 * @param usageAfterGc each memory pool's usage at the end of the collection
	 */
	synchronized void record(String gcName, String gcAction, long gcId, Map<String, MemoryUsage> usageBeforeGc,
			Map<String, MemoryUsage> usageAfterGc) {
		MemoryUsage after = oldPool(usageAfterGc);
		if (G1_CONCURRENT.equals(gcName)) {
			// Cleanup, the second pause of a cycle, ends it: what the cycle found is freed by the pauses after it
			this.cleanups = gcId / 2;
		}
		else if (G1_YOUNG.equals(gcName)) {
			MemoryUsage before = oldPool(usageBeforeGc);
			if (followsG1Cycles() && before != null && after != null) {
				this.oldMax = max(after);
				add(this.mixedPhase.paused(g1Cycles(), before.getUsed(), after.getUsed()));
			}
		}
		else if (collectsOldGeneration(gcName, gcAction) && after != null) {
			this.oldMax = max(after);
			if (followsG1Cycles()) {
				add(this.mixedPhase.fullCollection());
			}
			add(after.getUsed());
		}
	}

	/** A cycle that ended since the last pause makes final what the one before it left: count it now. */
	private void pollCycles() {
		if (followsG1Cycles()) {
			add(this.mixedPhase.cycles(g1Cycles()));
		}
	}

	private boolean followsG1Cycles() {
		return this.signal.followsG1Cycles();
	}

	private long g1Cycles() {
		return (this.perfCycles != null) ? this.perfCycles.getAsLong() : this.cleanups;
	}

	private static MemoryUsage oldPool(Map<String, MemoryUsage> usage) {
		for (Map.Entry<String, MemoryUsage> pool : usage.entrySet()) {
			if (isOldPool(pool.getKey())) {
				return pool.getValue();
			}
		}
		return null;
	}

	private long max(MemoryUsage pool) {
		return (pool.getMax() > 0) ? pool.getMax() : this.heapMax;
	}

	private void add(long used) {
		if (used >= 0 && this.oldMax > 0) {
			add((int) Math.round(used * 1000.0 / this.oldMax));
		}
	}

	private void add(int tenthsOfPercent) {
		this.tenths[(int) (this.collections % KEPT)] = tenthsOfPercent;
		this.collections++;
	}

	synchronized long collections() {
		pollCycles();
		return this.collections;
	}

	/**
	 * Return the old generation's use after the latest collection of it.
	 * @return tenths of a percent of its maximum, {@code -1} before the first
	 */
	synchronized int latestTenths() {
		pollCycles();
		return (this.collections == 0) ? -1 : this.tenths[(int) ((this.collections - 1) % KEPT)];
	}

	/**
	 * Return the old generation's use after the latest collections of it, in percent of its maximum, one decimal,
	 * oldest first: {@code 61.2,63.0,64.8}, or {@code -} before the first.
	 * @return the heartbeat's {@code oldAfterGc} field
	 */
	synchronized String afterGc() {
		pollCycles();
		if (this.collections == 0) {
			return "-";
		}
		StringBuilder text = new StringBuilder();
		for (long i = Math.max(0, this.collections - KEPT); i < this.collections; i++) {
			if (text.length() > 0) {
				text.append(',');
			}
			int value = this.tenths[(int) (i % KEPT)];
			text.append(String.format(Locale.ROOT, "%d.%d", value / 10, value % 10));
		}
		return text.toString();
	}

}
