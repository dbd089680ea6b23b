package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.health.SupervisorHealthIndicator;
import dev.bootsupervisor.health.WorkerHealthReporter;
import dev.bootsupervisor.worker.WorkerRuntime;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of a worker's health: the {@link SupervisorHealthIndicator supervisor contributor}, and the
 * {@link WorkerHealthReporter health status the worker sends to its master}.
 */
@AutoConfiguration(after = SupervisorClusterViewAutoConfiguration.class,
		before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass(Health.class)
@ConditionalOnBean(ClusterViewSource.class)
@EnableConfigurationProperties(SupervisorProperties.class)
public final class SupervisorHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "supervisorHealthIndicator")
	@ConditionalOnEnabledHealthIndicator(SupervisorHealthIndicator.NAME)
	SupervisorHealthIndicator supervisorHealthIndicator(ClusterViewSource source, SupervisorProperties properties) {
		return new SupervisorHealthIndicator(source, properties.getHealth().getMinReadyWorkers());
	}

	@Bean
	@ConditionalOnMissingBean
	WorkerHealthReporter supervisorWorkerHealthReporter(ObjectProvider<HealthContributorRegistry> registry,
			ObjectProvider<HealthEndpointGroups> groups, ObjectProvider<WorkerRuntime> runtime) {
		return new WorkerHealthReporter(registry, groups,
				(health) -> runtime.ifAvailable((worker) -> worker.healthSource(health)));
	}

}
