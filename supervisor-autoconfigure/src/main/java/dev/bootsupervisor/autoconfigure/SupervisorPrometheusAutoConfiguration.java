package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.cluster.ClusterMessenger;
import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.metrics.ClusterPrometheusScrapeEndpoint;
import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.ConditionalOnEnabledMetricsExport;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link ClusterPrometheusScrapeEndpoint cluster-wide Prometheus scrape} of a worker, in
 * place of Boot's own {@code prometheus} endpoint: whichever worker answers, the scrape holds every ready worker's
 * series. Off with an empty {@code supervisor.metrics.worker-tag}, since untagged series of several workers would
 * collide.
 */
@AutoConfiguration(before = PrometheusMetricsExportAutoConfiguration.class,
		after = { MetricsAutoConfiguration.class, SupervisorClusterAutoConfiguration.class,
				SupervisorClusterViewAutoConfiguration.class })
@ConditionalOnClass({ PrometheusMeterRegistry.class, PrometheusScrapeEndpoint.class,
		ConditionalOnAvailableEndpoint.class })
@ConditionalOnBooleanProperty(name = "supervisor.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "supervisor.worker.id")
@ConditionalOnExpression(SupervisorMetricsAutoConfiguration.WORKER_TAG_ON)
@ConditionalOnEnabledMetricsExport("prometheus")
@ConditionalOnBean({ Clock.class, ClusterViewSource.class, ClusterMessenger.class })
@EnableConfigurationProperties(SupervisorProperties.class)
public final class SupervisorPrometheusAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(PrometheusScrapeEndpoint.class)
	@ConditionalOnAvailableEndpoint(endpoint = ClusterPrometheusScrapeEndpoint.class)
	ClusterPrometheusScrapeEndpoint supervisorPrometheusEndpoint(PrometheusRegistry registry,
			PrometheusConfig config, ClusterViewSource views, ClusterMessenger messenger,
			SupervisorProperties properties) {
		return new ClusterPrometheusScrapeEndpoint(registry, config.prometheusProperties(), views, messenger,
				properties.getWorker().getId(), properties.getMetrics().getScrapeTimeout());
	}

}
