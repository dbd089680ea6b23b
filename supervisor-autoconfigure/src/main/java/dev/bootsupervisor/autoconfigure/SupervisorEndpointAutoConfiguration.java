package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.actuate.ClusterViewSource;
import dev.bootsupervisor.actuate.SupervisorEndpoint;
import dev.bootsupervisor.actuate.SupervisorEndpointWebExtension;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
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
	SupervisorEndpoint supervisorEndpoint(ClusterViewSource source, SupervisorProperties properties) {
		Integer workerId = properties.getWorker().getId();
		return new SupervisorEndpoint(source, (workerId != null) ? workerId : 0);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(SupervisorEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	SupervisorEndpointWebExtension supervisorEndpointWebExtension(SupervisorEndpoint endpoint) {
		return new SupervisorEndpointWebExtension(endpoint);
	}

}
