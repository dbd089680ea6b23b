package dev.bootsupervisor.autoconfigure;

import java.time.Duration;

import dev.bootsupervisor.actuate.SupervisorEndpoint;
import dev.bootsupervisor.actuate.SupervisorEndpointWebExtension;
import dev.bootsupervisor.cluster.ClusterControl;
import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.cluster.WorkerClusterControl;
import dev.bootsupervisor.worker.WorkerRuntime;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link SupervisorEndpoint supervisor endpoint} of a worker.
 */
@AutoConfiguration(after = SupervisorClusterViewAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnBean(ClusterViewSource.class)
@EnableConfigurationProperties(SupervisorProperties.class)
public final class SupervisorEndpointAutoConfiguration {

	// Conditions on the methods: the class must load, and its conditions resolve, without actuator
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	SupervisorEndpoint supervisorEndpoint(ClusterViewSource source, ObjectProvider<ClusterControl> control,
			SupervisorProperties properties) {
		Integer workerId = properties.getWorker().getId();
		return new SupervisorEndpoint(source, control.getIfAvailable(), (workerId != null) ? workerId : 0);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "supervisor.worker.id")
	ClusterControl supervisorClusterControl(SupervisorProperties properties, ObjectProvider<WorkerRuntime> runtime) {
		Duration perWorker = ((properties.getReload().getTimeout() != null) ? properties.getReload().getTimeout()
				: properties.getStartupTimeout())
			.plus(properties.getShutdownTimeout());
		int workers;
		try {
			workers = Integer.parseInt(properties.getWorkers().trim());
		}
		catch (NumberFormatException ex) {
			workers = Runtime.getRuntime().availableProcessors();
		}
		Duration canary = properties.getReload().getCanaryPeriod();
		return new WorkerClusterControl(WorkerRuntimes.of(runtime),
				perWorker.multipliedBy(workers + 1L).plus((canary != null) ? canary : Duration.ZERO),
				properties.getStartupTimeout().plus(properties.getShutdownTimeout()).plusSeconds(15));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(SupervisorEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	SupervisorEndpointWebExtension supervisorEndpointWebExtension(SupervisorEndpoint endpoint) {
		return new SupervisorEndpointWebExtension(endpoint);
	}

}
