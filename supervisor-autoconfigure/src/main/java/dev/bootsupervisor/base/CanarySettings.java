package dev.bootsupervisor.base;

import java.time.Duration;

/**
 * How a rolling reload judges its first replacement, the canary, before the rest follow:
 * {@code supervisor.reload.canary-*}.
 *
 * @param period how long the canary serves beside the old workers before it is judged, zero for no canary
 * @param minRequests the fewest requests the canary must answer in that period to be judged on its figures; with
 * fewer it passes on its health alone
 * @param maxErrorIncrease the most percentage points its share of 5xx answers may exceed the old workers'
 * @param maxLatencyRatio the most its p99 latency may be, as a multiple of the old workers'
 * @param latencyMargin how much slower than the old workers' its p99 may always be, whatever the ratio: differences
 * smaller than this are noise (a just-started JVM compiles its code as it serves)
 */
public record CanarySettings(Duration period, int minRequests, double maxErrorIncrease, double maxLatencyRatio,
		Duration latencyMargin) {

	/** The default of {@code supervisor.reload.canary-period}. */
	public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);

	/** The default of {@code supervisor.reload.canary-min-requests}. */
	public static final int DEFAULT_MIN_REQUESTS = 50;

	/** The default of {@code supervisor.reload.canary-max-error-increase}. */
	public static final double DEFAULT_MAX_ERROR_INCREASE = 1.0;

	/** The default of {@code supervisor.reload.canary-max-latency-ratio}. */
	public static final double DEFAULT_MAX_LATENCY_RATIO = 2.0;

	/** The default of {@code supervisor.reload.canary-latency-margin}. */
	public static final Duration DEFAULT_LATENCY_MARGIN = Duration.ofMillis(50);

	/** No canary: every replacement takes its slot once ready. */
	public static final CanarySettings OFF = new CanarySettings(Duration.ZERO, DEFAULT_MIN_REQUESTS,
			DEFAULT_MAX_ERROR_INCREASE, DEFAULT_MAX_LATENCY_RATIO, DEFAULT_LATENCY_MARGIN);

	/**
	 * Return whether reloads have a canary.
	 * @return whether the period is not zero
	 */
	public boolean enabled() {
		return !this.period.isZero();
	}

}
