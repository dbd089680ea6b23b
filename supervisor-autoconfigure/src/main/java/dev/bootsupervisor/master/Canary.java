package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.bootsupervisor.base.CanarySettings;
import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.protocol.CanaryResult;
import dev.bootsupervisor.protocol.RequestFigures;

/**
 * A reload's first replacement while it serves beside the old workers, and its judge: over the canary period, its
 * requests (from its heartbeats) against theirs over the same window, its 5xx share and its p99 latency, and its
 * health.
 */
final class Canary {

	private static final double QUANTILE = 0.99;

	/**
	 * How long a canary serves before its latency counts: at least this, and at least half its period. A JVM that
	 * has just started compiles its code as it serves; its first second or two are slower whatever the version.
	 */
	static final Duration WARM_UP = Duration.ofSeconds(2);

	private final WorkerHandle worker;

	private final Instant startedAt;

	private final RequestFigures start;

	private final Map<WorkerHandle, RequestFigures> oldStart = new IdentityHashMap<>();

	private final CanarySettings settings;

	private RequestFigures middle;

	private final Map<WorkerHandle, RequestFigures> oldMiddle = new IdentityHashMap<>();

	private String endedBecause;

	private Canary(WorkerHandle worker, List<WorkerHandle> old, CanarySettings settings, Instant now) {
		this.worker = worker;
		this.startedAt = now;
		this.start = figures(worker);
		old.forEach((handle) -> this.oldStart.put(handle, figures(handle)));
		this.settings = settings;
	}

	/**
	 * Start judging a canary that just became ready.
	 * @param worker the canary
	 * @param old the old workers serving beside it
	 * @param settings the thresholds
	 * @param now the current time
	 * @return the canary
	 */
	static Canary begin(WorkerHandle worker, List<WorkerHandle> old, CanarySettings settings, Instant now) {
		return new Canary(worker, old, settings, now);
	}

	WorkerHandle worker() {
		return this.worker;
	}

	/**
	 * A watchdog is ending the canary: remember why, for the verdict its exit brings.
	 * @param why why, as its state says
	 */
	void ending(String why) {
		if (this.endedBecause == null) {
			this.endedBecause = why;
		}
	}

	/** Why a watchdog ended it, {@code null} when none did. */
	String endedBecause() {
		return this.endedBecause;
	}

	/**
	 * Return whether its period is over.
	 * @param now the current time
	 * @return whether it is time to judge
	 */
	boolean due(Instant now) {
		Duration half = this.settings.period().dividedBy(2);
		Duration latencyFrom = (half.compareTo(WARM_UP) > 0) ? half : WARM_UP;
		boolean due = !now.isBefore(this.startedAt.plus(this.settings.period()));
		if (this.middle == null && !due && !now.isBefore(this.startedAt.plus(latencyFrom))) {
			// latency is compared from here on: a JVM that just started compiles its code as it serves, and its
			// first seconds are slower whatever the version
			this.middle = figures(this.worker);
			this.oldStart.keySet().forEach((old) -> this.oldMiddle.put(old, figures(old)));
		}
		return due;
	}

	/**
	 * Judge the canary on its figures against the old workers' over the window so far.
	 * @param now the current time
	 * @return the verdict
	 */
	CanaryResult judge(Instant now) {
		Duration window = Duration.between(this.startedAt, now);
		RequestFigures mine = figures(this.worker).since(this.start);
		RequestFigures theirs = oldSince(this.oldStart);
		RequestFigures mineLate = (this.middle != null) ? figures(this.worker).since(this.middle) : mine;
		RequestFigures theirsLate = (this.middle != null) ? oldSince(this.oldMiddle) : theirs;
		String over = " over " + Durations.format(window) + " (" + mine.total() + " requests)";
		String prefix = "canary worker " + this.worker.workerId() + ": ";
		String health = (this.worker.lastHeartbeat() != null) ? this.worker.lastHeartbeat().health() : "UNKNOWN";
		// DOWN only: a worker's readiness can read OUT_OF_SERVICE for a moment after it became ready, before its
		// availability state caught up, and its health is then cached for seconds
		if (health.equals("DOWN")) {
			return result(false, window, mine, theirs, prefix + "health " + health + " while it served" + over);
		}
		if (mine.total() < this.settings.minRequests()) {
			return result(true, window, mine, theirs, prefix + "passed on its health alone (" + health + "): "
					+ mine.total() + " requests in " + Durations.format(window) + ", fewer than canary-min-requests="
					+ this.settings.minRequests() + " to judge its errors and latency");
		}
		String errors = percent(mine.serverErrorPercent()) + " 5xx against " + percent(theirs.serverErrorPercent())
				+ " on the old workers";
		if (mine.serverErrorPercent() - theirs.serverErrorPercent() > this.settings.maxErrorIncrease()) {
			return result(false, window, mine, theirs, prefix + errors + over + ", more than canary-max-error-increase="
					+ number(this.settings.maxErrorIncrease()) + " percentage points");
		}
		if (this.middle == null) {
			return result(true, window, mine, theirs, prefix + "passed: " + errors + over + "; latency not compared, "
					+ "a canary period of " + Durations.format(this.settings.period()) + " leaves no time after the "
					+ "first " + Durations.format(WARM_UP) + " of a JVM that just started");
		}
		if (theirsLate.total() < this.settings.minRequests() || mineLate.total() < this.settings.minRequests()) {
			return result(true, window, mine, theirs, prefix + "passed: " + errors + over + "; latency not compared, "
					+ "in the second half of the period the canary answered " + mineLate.total() + " and the old "
					+ "workers " + theirsLate.total() + " requests, fewer than canary-min-requests="
					+ this.settings.minRequests());
		}
		Duration p99 = mineLate.percentile(QUANTILE);
		Duration oldP99 = theirsLate.percentile(QUANTILE);
		String latency = "p99 " + millis(p99) + " against " + millis(oldP99) + " on the old workers in the second half";
		boolean slower = p99.toNanos() > this.settings.maxLatencyRatio() * oldP99.toNanos()
				&& p99.minus(oldP99).compareTo(this.settings.latencyMargin()) > 0;
		if (slower) {
			return result(false, window, mine, theirs, prefix + latency + over + ", more than canary-max-latency-ratio="
					+ number(this.settings.maxLatencyRatio()) + " times theirs and "
					+ Durations.format(this.settings.latencyMargin()) + " slower");
		}
		return result(true, window, mine, theirs, prefix + "passed: " + errors + ", " + latency + over);
	}

	/**
	 * The canary failed before its period was over: it exited, or a watchdog ended it.
	 * @param what what happened to it
	 * @param now the current time
	 * @return the verdict
	 */
	CanaryResult failed(String what, Instant now) {
		Duration window = Duration.between(this.startedAt, now);
		return result(false, window, figures(this.worker).since(this.start), RequestFigures.NONE,
				"canary worker " + this.worker.workerId() + " " + what + " " + Durations.format(window)
						+ " into its canary period");
	}

	private RequestFigures oldSince(Map<WorkerHandle, RequestFigures> baselines) {
		RequestFigures theirs = RequestFigures.NONE;
		for (Map.Entry<WorkerHandle, RequestFigures> old : baselines.entrySet()) {
			if (old.getKey().lastHeartbeat() != null) {
				theirs = theirs.plus(figures(old.getKey()).since(old.getValue()));
			}
		}
		return theirs;
	}

	private CanaryResult result(boolean passed, Duration window, RequestFigures mine, RequestFigures theirs,
			String verdict) {
		// the percentiles kept are the ones judged: over the second half of the period, when it was reached
		RequestFigures mineLate = (this.middle != null) ? figures(this.worker).since(this.middle) : mine;
		RequestFigures theirsLate = (this.middle != null) ? oldSince(this.oldMiddle) : theirs;
		return new CanaryResult(this.worker.workerId(), passed, window, mine.total(), mine.serverErrorPercent(),
				mineLate.percentile(QUANTILE), theirs.total(), theirs.serverErrorPercent(),
				theirsLate.percentile(QUANTILE), verdict);
	}

	private static RequestFigures figures(WorkerHandle worker) {
		WorkerHeartbeat heartbeat = worker.lastHeartbeat();
		return (heartbeat != null) ? heartbeat.requests() : RequestFigures.NONE;
	}

	private static String percent(double value) {
		return String.format(Locale.ROOT, "%.1f%%", value);
	}

	private static String number(double value) {
		return (value == Math.rint(value)) ? String.valueOf((long) value) : String.valueOf(value);
	}

	private static String millis(Duration duration) {
		double millis = duration.toNanos() / 1_000_000.0;
		return (millis < 10) ? String.format(Locale.ROOT, "%.1f ms", millis)
				: String.format(Locale.ROOT, "%.0f ms", millis);
	}

}
