package dev.bootsupervisor.health;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorHealthGroupsEnvironmentPostProcessor}.
 */
class SupervisorHealthGroupsEnvironmentPostProcessorTests {

	private static final String READINESS = SupervisorHealthGroupsEnvironmentPostProcessor.READINESS_INCLUDE;

	private final MockEnvironment environment = new MockEnvironment();

	private final SpringApplication application = new SpringApplication();

	@Test
	void addsTheSupervisorToTheReadinessGroupOfAWorker() {
		this.environment.setProperty("supervisor.worker.id", "1");
		postProcess();
		assertThat(this.environment.getProperty(READINESS)).isEqualTo("readinessState,supervisor");
		assertThat(this.environment.getProperty("management.endpoint.health.group.liveness.include")).isNull();
	}

	@Test
	void leavesAReadinessGroupConfiguredByTheUser() {
		this.environment.setProperty("supervisor.worker.id", "1");
		this.environment.setProperty(READINESS, "readinessState,db");
		postProcess();
		assertThat(this.environment.getProperty(READINESS)).isEqualTo("readinessState,db");
	}

	@Test
	void addsNothingOutsideAWorker() {
		postProcess();
		assertThat(this.environment.getPropertySources()
			.contains(SupervisorHealthGroupsEnvironmentPostProcessor.PROPERTY_SOURCE_NAME)).isFalse();
	}

	@Test
	void addsNothingWhenTheSupervisorContributorIsOff() {
		this.environment.setProperty("supervisor.worker.id", "1");
		this.environment.setProperty("management.health.supervisor.enabled", "false");
		postProcess();
		assertThat(this.environment.getProperty(READINESS)).isNull();
	}

	@Test
	void addsNothingWhenHealthIndicatorsAreOffByDefault() {
		this.environment.setProperty("supervisor.worker.id", "1");
		this.environment.setProperty("management.health.defaults.enabled", "false");
		postProcess();
		assertThat(this.environment.getProperty(READINESS)).isNull();
	}

	@Test
	void addsNothingWhenTheProbesAreOff() {
		this.environment.setProperty("supervisor.worker.id", "1");
		this.environment.setProperty("management.endpoint.health.probes.enabled", "false");
		postProcess();
		assertThat(this.environment.getProperty(READINESS)).isNull();
	}

	@Test
	void addsNothingWithoutSpringBootHealth() {
		this.environment.setProperty("supervisor.worker.id", "1");
		this.application.setResourceLoader(new DefaultResourceLoader(
				new FilteredClassLoader("org.springframework.boot.health.")));
		postProcess();
		assertThat(this.environment.getProperty(READINESS)).isNull();
	}

	private void postProcess() {
		new SupervisorHealthGroupsEnvironmentPostProcessor().postProcessEnvironment(this.environment,
				this.application);
	}

}
