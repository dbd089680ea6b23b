package dev.bootsupervisor.worker;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * Follows the old generation's use after each collection of it, from the JVM's GC notifications: the usage the
 * collector reports at the end of that collection, never the current usage, so garbage a later collection frees
 * never counts. Young collections, which leave the old generation as it was, are not counted.
 */
final class OldGenerationTracker implements NotificationListener {

	/** How many of the latest collections the heartbeat carries. */
	static final int KEPT = 3;

	/**
	 * G1's concurrent cycle (JDK 20 and later): it reports two pauses per cycle, Remark then Cleanup, numbered one
	 * after the other; only Cleanup, which ends the cycle, counts, so that a cycle counts once.
	 */
	private static final String G1_CONCURRENT = "G1 Concurrent GC";

	/** Collectors whose every collection is a whole-heap or old-generation cycle, whatever their action says. */
	private static final Set<String> OLD_CYCLE_COLLECTORS = Set.of(G1_CONCURRENT, "ZGC Major Cycles", "ZGC Cycles",
			"Shenandoah Cycles");

	private final long heapMax;

	private final int[] tenths = new int[KEPT];

	private long collections;

	OldGenerationTracker(long heapMax) {
		this.heapMax = heapMax;
	}

	/**
	 * Listen to the collections of every platform garbage collector that emits notifications.
	 * @return the tracker
	 */
	static OldGenerationTracker install() {
		OldGenerationTracker tracker = new OldGenerationTracker(
				ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax());
		for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
			if (collector instanceof NotificationEmitter emitter) {
				emitter.addNotificationListener(tracker, null, null);
			}
		}
		return tracker;
	}

	static boolean collectsOldGeneration(String gcName, String gcAction, long gcId) {
		if (G1_CONCURRENT.equals(gcName)) {
			return gcId % 2 == 0;
		}
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
					info.getGcInfo().getMemoryUsageAfterGc());
		}
	}

	/**
	 * Count one collection if it collected the old generation.
	 * @param gcName the collector's name
	 * @param gcAction what the collection was, as the JVM says ({@code end of major GC}, ...)
	 * @param gcId the collection's number, from 1, counted per collector
	 * @param usageAfterGc each memory pool's usage at the end of the collection
	 */
	void record(String gcName, String gcAction, long gcId, Map<String, MemoryUsage> usageAfterGc) {
		if (!collectsOldGeneration(gcName, gcAction, gcId)) {
			return;
		}
		for (Map.Entry<String, MemoryUsage> pool : usageAfterGc.entrySet()) {
			if (isOldPool(pool.getKey())) {
				MemoryUsage usage = pool.getValue();
				long max = (usage.getMax() > 0) ? usage.getMax() : this.heapMax;
				if (max > 0) {
					add((int) Math.round(usage.getUsed() * 1000.0 / max));
				}
				return;
			}
		}
	}

	private synchronized void add(int tenthsOfPercent) {
		this.tenths[(int) (this.collections % KEPT)] = tenthsOfPercent;
		this.collections++;
	}

	synchronized long collections() {
		return this.collections;
	}

	/**
	 * Return the old generation's use after the latest collections of it, in percent of its maximum, one decimal,
	 * oldest first: {@code 61.2,63.0,64.8}, or {@code -} before the first.
	 * @return the heartbeat's {@code oldAfterGc} field
	 */
	synchronized String afterGc() {
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
