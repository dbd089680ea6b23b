package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.metrics.ClusterPrometheusScrapeEndpoint;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorPrometheusAutoConfiguration}.
 */
class SupervisorPrometheusAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
				MetricsAutoConfiguration.class, PrometheusMetricsExportAutoConfiguration.class,
				SupervisorClusterAutoConfiguration.class, SupervisorPrometheusAutoConfiguration.class))
		.withUserConfiguration(FakeClusterViewSourceConfiguration.class)
		.withPropertyValues("management.endpoints.web.exposure.include=prometheus");

	@Test
	void aWorkerAnswersScrapesForTheCluster() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=2")
			.run((context) -> assertThat(context).hasSingleBean(PrometheusScrapeEndpoint.class)
				.getBean(PrometheusScrapeEndpoint.class)
				.isInstanceOf(ClusterPrometheusScrapeEndpoint.class));
	}

	@Test
	void anUnsupervisedRunKeepsBootsEndpoint() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(PrometheusScrapeEndpoint.class)
			.getBean(PrometheusScrapeEndpoint.class)
			.isNotInstanceOf(ClusterPrometheusScrapeEndpoint.class));
	}

	@Test
	void anEmptyWorkerTagKeepsBootsEndpoint() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=2", "supervisor.metrics.worker-tag=")
			.run((context) -> assertThat(context).getBean(PrometheusScrapeEndpoint.class)
				.isNotInstanceOf(ClusterPrometheusScrapeEndpoint.class));
	}

	@Test
	void backsOffWhenTheEndpointIsNotExposed() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=2", "management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).doesNotHaveBean(PrometheusScrapeEndpoint.class));
	}

	@Test
	void backsOffWithoutPrometheus() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=2")
			.withClassLoader(new FilteredClassLoader("io.micrometer.prometheusmetrics."))
			.run((context) -> assertThat(context).doesNotHaveBean(PrometheusScrapeEndpoint.class));
	}

}
