package dev.bootsupervisor.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Switches that make the sample application misbehave on purpose, so that tests can watch the supervisor cope.
 *
 * @param chaos whether the chaos endpoints are enabled: {@code POST /crash} halts the serving process abruptly,
 * {@code /deadlock}, {@code /leak}, {@code /gc-storm} and {@code /broken} make it sick for the watchdogs,
 * {@code /orphan} leaves a child process behind for the master to reap
 * @param startupDelay how long an application runner blocks the startup, delaying readiness
 * @param failOnStart whether the application fails to start
 * @param failFromGeneration the first worker generation whose startup fails; 0 for none
 * @param faults the faults {@code GET /} injects: a bad new version that starts and serves, but badly
 */
@ConfigurationProperties("sample")
public record SampleProperties(boolean chaos, @DefaultValue("0s") Duration startupDelay, boolean failOnStart,
		int failFromGeneration, @DefaultValue Faults faults) {

	/**
	 * The faults of a bad version, read once at the start: a worker started before a change keeps its old values.
	 *
	 * @param errorPercent the share of {@code GET /} requests answered with HTTP 500, from 0 to 100, spread evenly
	 * over the requests (every run of 100 consecutive requests has exactly this many)
	 * @param latency the time added to every {@code GET /} before it answers
	 */
	public record Faults(int errorPercent, @DefaultValue("0s") Duration latency) {

		public Faults {
			if (errorPercent < 0 || errorPercent > 100) {
				throw new IllegalArgumentException(
						"sample.faults.error-percent must be a whole number from 0 to 100, not " + errorPercent);
			}
			if (latency.isNegative()) {
				throw new IllegalArgumentException("sample.faults.latency must not be negative, not " + latency);
			}
		}

	}

}
