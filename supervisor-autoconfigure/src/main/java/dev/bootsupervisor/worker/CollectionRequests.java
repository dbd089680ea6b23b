package dev.bootsupervisor.worker;

import java.util.Locale;

/**
 * Decides when a worker asks its JVM for a collection so that the memory watchdog gets a figure: when the old
 * generation's current use is above {@code heap-after-gc} and the collector's own collections have not measured it
 * for two heartbeats (JDK 20+'s G1 can wait for a young collection that a leak of large objects never brings).
 * Bounded: one request at a time, at most one per interval; a request that finds the old generation below the
 * threshold doubles the interval, up to five minutes, and a figure above it resets it. Within the interval, when the
 * last request found the old generation less than 5 points below the threshold, a rise of the current use by 5
 * points since that request brings the next one sooner, so a leak is measured again before it fills the heap. A
 * request that finds it above is followed by two more, half a second apart, so that the master's three figures in a
 * row come in time.
 */
final class CollectionRequests {

	private static final System.Logger log = System.getLogger(CollectionRequests.class.getName());

	/** How long without a new figure before a request: two heartbeats, a natural collection's chance. */
	static final long STALE_MILLIS = 2_000;

	static final long FIRST_INTERVAL_MILLIS = 5_000;

	static final long MAX_INTERVAL_MILLIS = 300_000;

	/**
	 * A rise of the current use since the last request that brings the next one sooner, in tenths of a percent, when
	 * that request found the old generation within as much below the threshold.
	 */
	static final int GROWTH_TENTHS = 50;

	/** The gap between the requests that confirm a figure above the threshold. */
	static final long CONFIRM_GAP_MILLIS = 500;

	/** The master recycles after this many figures in a row above the threshold. */
	static final int IN_A_ROW = 3;

	private final int thresholdTenths;

	private final boolean explicitGcDisabled;

	private long collections;

	/** When the collector's own collections last gave a figure. */
	private long lastFigureAt;

	private long lastRequestAt;

	/** The old generation's current use at the last request, in tenths of a percent. */
	private int useAtRequest;

	private boolean requested;

	private boolean inFlight;

	private long interval = FIRST_INTERVAL_MILLIS;

	/** The latest requested figure, in tenths of a percent. */
	private int requestedFigure = -1;

	/** Requested figures above the threshold in a row, up to {@link #IN_A_ROW}. */
	private int above;

	private long requests;

	private boolean warned;

	/**
	 * A policy.
	 * @param heapAfterGc the master's {@code supervisor.recycle.heap-after-gc}, in percent
	 * @param explicitGcDisabled whether {@code -XX:+DisableExplicitGC} is set, so that a request does nothing
	 * @param now the clock's time now, in milliseconds
	 */
	CollectionRequests(int heapAfterGc, boolean explicitGcDisabled, long now) {
		this.thresholdTenths = heapAfterGc * 10;
		this.explicitGcDisabled = explicitGcDisabled;
		this.lastFigureAt = now;
	}

	/**
	 * Whether to request a collection now; {@code true} counts as a request, to be followed by {@link #measured}.
	 * @param now the clock's time, in milliseconds
	 * @param useTenths the old generation's current use, in tenths of a percent of its maximum
	 * @param collections how many figures the tracker has produced
	 * @param latestTenths the latest figure, in tenths of a percent
	 * @return whether to collect
	 */
	synchronized boolean due(long now, int useTenths, long collections, int latestTenths) {
		if (collections != this.collections) {
			figure(now, collections, latestTenths, false);
		}
		if (useTenths <= this.thresholdTenths || this.inFlight) {
			return false;
		}
		boolean confirming = this.above > 0 && this.above < IN_A_ROW;
		if (!confirming && now - this.lastFigureAt < STALE_MILLIS) {
			return false;
		}
		if (this.requested && !waited(now, useTenths, confirming)) {
			return false;
		}
		if (this.explicitGcDisabled) {
			if (!this.warned) {
				this.warned = true;
				log.log(System.Logger.Level.WARNING, "The old generation is at {0} of its maximum, above heap-after-gc="
						+ "{1}%, and no collection has measured it for {2}; -XX:+DisableExplicitGC keeps the memory "
						+ "watchdog from asking for one, so it waits for the collector''s own, which may come only "
						+ "when the heap is full: remove -XX:+DisableExplicitGC", percent(useTenths),
						this.thresholdTenths / 10, seconds(now - this.lastFigureAt));
			}
			return false;
		}
		if (this.requests == 0) {
			log.log(System.Logger.Level.INFO, "The old generation is at {0} of its maximum, above heap-after-gc={1}%, "
					+ "and no collection has measured it for {2}: the memory watchdog asks the JVM for a collection "
					+ "(System.gc()) to measure it, at most one every {3} s, less often while they find it below; three "
					+ "figures in a row above recycle this worker",
					percent(useTenths), this.thresholdTenths / 10, seconds(now - this.lastFigureAt),
					FIRST_INTERVAL_MILLIS / 1000);
		}
		this.requested = true;
		this.inFlight = true;
		this.lastRequestAt = now;
		this.useAtRequest = useTenths;
		this.requests++;
		return true;
	}

	/** Whether the last request is far enough behind: by the gap or the interval, or by a rise since it. */
	private boolean waited(long now, int useTenths, boolean confirming) {
		long since = now - this.lastRequestAt;
		if (confirming) {
			return since >= CONFIRM_GAP_MILLIS;
		}
		// a live set just below the threshold, as a leak's before it crosses, is measured again when the use rises;
		// one far below (a healthy app's garbage) waits the interval, and so does a leak confirmed above
		boolean near = this.above == 0 && this.requestedFigure > this.thresholdTenths - GROWTH_TENTHS;
		boolean rose = near && useTenths >= this.useAtRequest + GROWTH_TENTHS;
		return since >= this.interval || rose;
	}

	/** What follows a requested collection. */
	enum Next {

		/** Nothing: the next heartbeat checks again. */
		NOTHING,

		/** Check again in {@link #CONFIRM_GAP_MILLIS}, to confirm a figure above the threshold. */
		CONFIRM,

		/** Send the figures now: the master has the figures in a row that it recycles on. */
		REPORT

	}

	/**
	 * Take what a requested collection found.
	 * @param now the clock's time, in milliseconds
	 * @param collections how many figures the tracker has produced now
	 * @param latestTenths the latest figure, in tenths of a percent
	 * @return what follows
	 */
	synchronized Next measured(long now, long collections, int latestTenths) {
		this.inFlight = false;
		if (collections == this.collections) {
			// no figure (a concurrent cycle, whose figure follows its mixed collections): the interval holds
			return Next.NOTHING;
		}
		int before = this.above;
		figure(now, collections, latestTenths, true);
		if (this.above > 0 && this.above < IN_A_ROW) {
			return Next.CONFIRM;
		}
		return (this.above == IN_A_ROW && before < IN_A_ROW) ? Next.REPORT : Next.NOTHING;
	}

	private void figure(long now, long collections, int latestTenths, boolean requested) {
		this.collections = collections;
		if (!requested) {
			this.lastFigureAt = now;
		}
		if (requested) {
			this.requestedFigure = latestTenths;
		}
		if (latestTenths > this.thresholdTenths) {
			this.interval = FIRST_INTERVAL_MILLIS;
			if (requested) {
				this.above = Math.min(this.above + 1, IN_A_ROW);
			}
		}
		else {
			this.above = 0;
			if (requested) {
				this.interval = Math.min(this.interval * 2, MAX_INTERVAL_MILLIS);
			}
		}
	}

	synchronized long requests() {
		return this.requests;
	}

	synchronized boolean warnedExplicitGcDisabled() {
		return this.warned;
	}

	synchronized long interval() {
		return this.interval;
	}

	private static String percent(int tenths) {
		return String.format(Locale.ROOT, "%.1f%%", tenths / 10.0);
	}

	private static String seconds(long millis) {
		return String.format(Locale.ROOT, "%.0f s", millis / 1000.0);
	}

}
