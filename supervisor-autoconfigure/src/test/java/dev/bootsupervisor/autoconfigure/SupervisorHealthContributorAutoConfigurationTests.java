package dev.bootsupervisor.autoconfigure;

import java.util.Map;

import dev.bootsupervisor.actuate.ClusterViews;
import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.health.SupervisorHealthIndicator;
import dev.bootsupervisor.health.WorkerHealthReporter;
import dev.bootsupervisor.protocol.WorkerState;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorHealthContributorAutoConfiguration}.
 */
class SupervisorHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorClusterViewAutoConfiguration.class,
				SupervisorHealthContributorAutoConfiguration.class))
		.withPropertyValues("supervisor.worker.id=1");

	@Test
	void contributesTheSupervisorHealthAndReportsTheWorkersOwn() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(SupervisorHealthIndicator.class)
			.hasBean("supervisorHealthIndicator")
			.hasSingleBean(WorkerHealthReporter.class));
	}

	@Test
	void takesTheMinimumOfReadyWorkersFromTheProperties() {
		this.contextRunner.withUserConfiguration(FakeClusterViewSourceConfiguration.class)
			.withPropertyValues("supervisor.health.min-ready-workers=3")
			.run((context) -> {
				Health health = context.getBean(SupervisorHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsEntry("minReadyWorkers", 3);
			});
	}

	@Test
	void supervisorContributorCanBeTurnedOffButTheWorkerStillReportsItsHealth() {
		this.contextRunner.withPropertyValues("management.health.supervisor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorHealthIndicator.class)
				.hasSingleBean(WorkerHealthReporter.class));
	}

	@Test
	void backsOffForAUserContributorOfTheSameName() {
		this.contextRunner.withUserConfiguration(UserIndicatorConfiguration.class)
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorHealthIndicator.class)
				.hasBean("supervisorHealthIndicator"));
	}

	@Test
	void backsOffOutsideAWorker() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SupervisorClusterViewAutoConfiguration.class,
					SupervisorHealthContributorAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorHealthIndicator.class)
				.doesNotHaveBean(WorkerHealthReporter.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("supervisor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorHealthIndicator.class)
				.doesNotHaveBean(WorkerHealthReporter.class));
	}

	@Test
	void backsOffWithoutSpringBootHealth() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health."))
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorHealthIndicator.class)
				.doesNotHaveBean(WorkerHealthReporter.class));
	}

	@Test
	void readinessIncludesTheSupervisorAndLivenessDoesNot() {
		probesRunner().withBean(ClusterViewSource.class,
				() -> () -> ClusterViews.of(Map.of(), ClusterViews.worker(1, 11, WorkerState.STARTING)))
			.run((context) -> {
				AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
				AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
				HealthEndpoint health = context.getBean(HealthEndpoint.class);
				assertThat(status(health, "readiness")).as("no worker ready").isEqualTo(Status.DOWN);
				assertThat(status(health, "liveness")).isEqualTo(Status.UP);
			});
	}

	@Test
	void drainingWorkerIsOutOfService() {
		probesRunner().withUserConfiguration(FakeClusterViewSourceConfiguration.class).run((context) -> {
			HealthEndpoint health = context.getBean(HealthEndpoint.class);
			AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
			assertThat(status(health, "readiness")).isEqualTo(Status.UP);
			AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
			assertThat(status(health, "readiness")).isEqualTo(Status.OUT_OF_SERVICE);
			assertThat(status(health, "liveness")).isEqualTo(Status.UP);
		});
	}

	/**
	 * The health endpoint with Kubernetes probes, and the readiness group as a worker's environment has it.
	 */
	private ApplicationContextRunner probesRunner() {
		return this.contextRunner
			.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class,
					AvailabilityProbesAutoConfiguration.class, HealthContributorAutoConfiguration.class,
					HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoint.health.group.readiness.include=readinessState,supervisor");
	}

	private static Status status(HealthEndpoint health, String group) {
		HealthDescriptor descriptor = health.healthForPath(group);
		assertThat(descriptor).as(group).isNotNull();
		return descriptor.getStatus();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserIndicatorConfiguration {

		@Bean
		HealthIndicator supervisorHealthIndicator() {
			return () -> Health.up().build();
		}

	}

}
