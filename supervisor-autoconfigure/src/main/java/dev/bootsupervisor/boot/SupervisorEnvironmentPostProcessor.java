package dev.bootsupervisor.boot;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Tags every log line of a worker with {@code [worker-N]} and of the master with {@code [master]}, through the
 * correlation part of Spring Boot's default log pattern, and gives a worker a shutdown phase timeout that fits in
 * the master's shutdown timeout (see {@link ShutdownTimeouts}). Added last, so a user's own setting wins.
 */
public class SupervisorEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String tag = switch (LaunchMode.decide(environment, application)) {
			case WORKER -> "[worker-" + environment.getProperty(LaunchMode.WORKER_ID) + "] ";
			case MASTER -> "[master] ";
			case COMMAND, OFF -> null;
		};
		if (tag != null) {
			environment.getPropertySources()
				.addLast(new MapPropertySource("supervisorLogging", Map.of("logging.pattern.correlation", tag)));
		}
		if (tag != null && tag.startsWith("[worker-")) {
			// a worker's stop must fit in the master's shutdown timeout: drain, then Boot's graceful shutdown phase
			ShutdownTimeouts.workerPhaseTimeout(environment)
				.ifPresent((phase) -> environment.getPropertySources()
					.addLast(new MapPropertySource("supervisorShutdown",
							Map.of(ShutdownTimeouts.PHASE_TIMEOUT, phase.toMillis() + "ms"))));
		}
	}

}
