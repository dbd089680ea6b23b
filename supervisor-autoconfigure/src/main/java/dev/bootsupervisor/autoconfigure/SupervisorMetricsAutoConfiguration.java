package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.metrics.SupervisorMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link SupervisorMetrics supervisor meters} of a worker.
 */
@AutoConfiguration(after = { SupervisorClusterViewAutoConfiguration.class, MetricsAutoConfiguration.class,
		CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ MeterRegistry.class, ClusterViewSource.class })
public final class SupervisorMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SupervisorMetrics supervisorMetrics(ClusterViewSource source) {
		return new SupervisorMetrics(source);
	}

}
