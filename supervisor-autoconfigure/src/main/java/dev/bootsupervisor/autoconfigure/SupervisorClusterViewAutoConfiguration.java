package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.cluster.WorkerClusterViewSource;
import dev.bootsupervisor.worker.WorkerRuntime;

import org.springframework.beans.factory.ObjectProvider;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of where a worker gets the cluster view from (its master), for the supervisor endpoint,
 * health contributor and meters.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "supervisor.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "supervisor.worker.id")
public final class SupervisorClusterViewAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterViewSource supervisorClusterViewSource(ObjectProvider<WorkerRuntime> runtime) {
		return new WorkerClusterViewSource(WorkerRuntimes.of(runtime));
	}

}
