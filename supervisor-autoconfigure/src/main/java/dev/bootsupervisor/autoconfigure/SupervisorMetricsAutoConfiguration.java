package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.metrics.SupervisorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the {@link SupervisorMetrics supervisor meters} of a worker, and of the worker tag on
 * every meter.
 */
@AutoConfiguration(after = { SupervisorClusterViewAutoConfiguration.class, MetricsAutoConfiguration.class,
		CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ MeterRegistry.class, ClusterViewSource.class })
public final class SupervisorMetricsAutoConfiguration {

	/** The condition of the worker tag, and of the merged scrape that needs it: a non-empty tag name. */
	static final String WORKER_TAG_ON = "!'${supervisor.metrics.worker-tag:worker}'.trim().isEmpty()";

	/**
	 * The worker's id as a common tag of every meter, for every registry, so that the workers' series never
	 * collide; the supervisor's own meters that already name a worker keep their own.
	 * @param environment where the tag's name and the worker id are
	 * @return the filter
	 */
	@Bean
	@ConditionalOnMissingBean(name = "supervisorWorkerTagMeterFilter")
	@ConditionalOnProperty(name = "supervisor.worker.id")
	@ConditionalOnExpression(WORKER_TAG_ON)
	static MeterFilter supervisorWorkerTagMeterFilter(Environment environment) {
		String tag = environment.getProperty("supervisor.metrics.worker-tag", "worker").trim();
		return MeterFilter.commonTags(Tags.of(tag, environment.getRequiredProperty("supervisor.worker.id").trim()));
	}

	@Bean
	@ConditionalOnMissingBean
	SupervisorMetrics supervisorMetrics(ClusterViewSource source) {
		return new SupervisorMetrics(source);
	}

}
