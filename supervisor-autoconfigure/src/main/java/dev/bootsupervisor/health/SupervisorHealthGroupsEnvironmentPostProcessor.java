package dev.bootsupervisor.health;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Adds the {@value SupervisorHealthIndicator#NAME} contributor to the readiness group of a worker, next to
 * Spring Boot's {@code readinessState}, so that an instance with too few ready workers gets no traffic; the
 * liveness group is left alone, so a worker restart does not get the instance killed.
 * <p>
 * Added last, as a default: a readiness group the user configured wins. Nothing is added when the probes or the
 * supervisor contributor are turned off, since a group that names a missing contributor fails the startup.
 */
public class SupervisorHealthGroupsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String PROPERTY_SOURCE_NAME = "supervisorHealthGroups";

	static final String READINESS_INCLUDE = "management.endpoint.health.group.readiness.include";

	private static final String HEALTH_CLASS = "org.springframework.boot.health.contributor.Health";

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (isWorker(environment) && ClassUtils.isPresent(HEALTH_CLASS, application.getClassLoader())
				&& isOn(environment, "management.endpoint.health.probes.enabled", true)
				&& isOn(environment, "management.health." + SupervisorHealthIndicator.NAME + ".enabled",
						isOn(environment, "management.health.defaults.enabled", true))) {
			environment.getPropertySources()
				.addLast(new MapPropertySource(PROPERTY_SOURCE_NAME,
						Map.of(READINESS_INCLUDE, "readinessState," + SupervisorHealthIndicator.NAME)));
		}
	}

	private static boolean isWorker(ConfigurableEnvironment environment) {
		return environment.containsProperty("supervisor.worker.id")
				&& isOn(environment, "supervisor.enabled", true);
	}

	private static boolean isOn(ConfigurableEnvironment environment, String property, boolean defaultValue) {
		return environment.getProperty(property, Boolean.class, defaultValue);
	}

}
