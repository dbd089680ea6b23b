package dev.bootsupervisor.boot;

import java.time.Duration;
import java.util.Optional;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

import dev.bootsupervisor.base.Durations;

/**
 * How the timeouts of a worker's stop add up. The master kills a worker that is not gone
 * {@code supervisor.shutdown-timeout} after its TERM. The worker first drains (at most
 * {@code supervisor.drain-timeout}), then Spring Boot's graceful shutdown waits at most
 * {@code spring.lifecycle.timeout-per-shutdown-phase} for what is still in flight, then the context closes. Boot's
 * default phase timeout (30 s) plus the default drain (10 s) would not fit in the default shutdown timeout (30 s), so
 * a worker whose user did not set the phase timeout gets what is left: the shutdown timeout less the drain and a
 * margin for the context's close. A user who sets all three gets one warning at start when they cannot add up.
 */
final class ShutdownTimeouts {

	static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

	/** What a worker's context needs after its graceful shutdown: closing its beans and exiting the JVM. */
	static final Duration MARGIN = Duration.ofSeconds(5);

	private static final Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(30);

	private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);

	private static final Duration DEFAULT_PHASE = Duration.ofSeconds(30);

	private static final Duration SHORTEST_PHASE = Duration.ofSeconds(1);

	private ShutdownTimeouts() {
	}

	/**
	 * The phase timeout a worker gets when its user did not set one.
	 * @param environment the worker's environment
	 * @return the timeout, empty when the user set one or a setting cannot be read (its own validation says so)
	 */
	static Optional<Duration> workerPhaseTimeout(ConfigurableEnvironment environment) {
		if (environment.containsProperty(PHASE_TIMEOUT)) {
			return Optional.empty();
		}
		return budget(environment).map((left) -> (left.compareTo(SHORTEST_PHASE) < 0) ? SHORTEST_PHASE : left);
	}

	/**
	 * One line for the master's start when the timeouts a user set cannot add up.
	 * @param environment the master's environment
	 * @return the warning, empty when they add up
	 */
	static Optional<String> warning(Environment environment) {
		Optional<Duration> phase = duration(environment, PHASE_TIMEOUT, DEFAULT_PHASE);
		Optional<Duration> shutdown = duration(environment, "supervisor.shutdown-timeout", DEFAULT_SHUTDOWN);
		Optional<Duration> drain = duration(environment, "supervisor.drain-timeout", DEFAULT_DRAIN);
		if (!environment.containsProperty(PHASE_TIMEOUT) || phase.isEmpty() || shutdown.isEmpty() || drain.isEmpty()) {
			// without a phase timeout of the user's, the workers get one that fits
			return Optional.empty();
		}
		Duration needed = drain.get().plus(phase.get()).plus(MARGIN);
		if (shutdown.get().compareTo(needed) >= 0) {
			return Optional.empty();
		}
		Duration fits = shutdown.get().minus(drain.get()).minus(MARGIN);
		return Optional.of("supervisor.shutdown-timeout=" + Durations.format(shutdown.get()) + " is shorter than "
				+ "supervisor.drain-timeout=" + Durations.format(drain.get()) + " plus " + PHASE_TIMEOUT + "="
				+ Durations.format(phase.get()) + " plus " + Durations.format(MARGIN) + " for the context to close: "
				+ "a worker still finishing requests is killed before Spring Boot's graceful shutdown ends. Set "
				+ "supervisor.shutdown-timeout=" + needed.toSeconds() + "s, or "
				+ ((fits.compareTo(SHORTEST_PHASE) >= 0) ? PHASE_TIMEOUT + "=" + fits.toSeconds() + "s"
						: "a shorter supervisor.drain-timeout")
				+ " (or leave " + PHASE_TIMEOUT + " unset: workers then get what is left)");
	}

	private static Optional<Duration> budget(Environment environment) {
		Optional<Duration> shutdown = duration(environment, "supervisor.shutdown-timeout", DEFAULT_SHUTDOWN);
		Optional<Duration> drain = duration(environment, "supervisor.drain-timeout", DEFAULT_DRAIN);
		if (shutdown.isEmpty() || drain.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(shutdown.get().minus(drain.get()).minus(MARGIN));
	}

	private static Optional<Duration> duration(Environment environment, String name, Duration fallback) {
		try {
			return Optional.of(Binder.get(environment).bind(name, Duration.class).orElse(fallback));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

}
