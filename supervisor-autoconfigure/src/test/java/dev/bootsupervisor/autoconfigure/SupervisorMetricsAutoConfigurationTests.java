package dev.bootsupervisor.autoconfigure;

import java.io.IOException;

import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.metrics.SupervisorMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorMetricsAutoConfiguration}.
 */
class SupervisorMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SupervisorClusterViewAutoConfiguration.class, SupervisorMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("supervisor.worker.id=1");

	@Test
	void bindsTheSupervisorMetersInAWorker() {
		this.contextRunner.withUserConfiguration(FakeClusterViewSourceConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(SupervisorMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("supervisor.workers").tag("state", "ready").gauge().value()).isEqualTo(2);
			assertThat(registry.get("supervisor.worker.restarts").tag("reason", "crash").functionCounter().count())
				.isEqualTo(1);
			assertThat(registry.get("supervisor.worker.uptime").timeGauges()).hasSize(2);
			assertThat(registry.find("supervisor.master.uptime").timeGauge()).isNotNull();
		});
	}

	@Test
	void tagsEveryMeterWithTheWorkerId() {
		this.contextRunner.withUserConfiguration(FakeClusterViewSourceConfiguration.class).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			registry.counter("app.requests").increment();
			assertThat(registry.get("app.requests").tag("worker", "1").counter().count()).isEqualTo(1);
			assertThat(registry.get("supervisor.workers").tag("state", "ready").tag("worker", "1").gauge())
				.isNotNull();
			// a meter that names the worker slot it describes keeps its own tag
			assertThat(registry.get("supervisor.worker.uptime").timeGauges())
				.extracting((gauge) -> gauge.getId().getTag("worker"))
				.containsExactlyInAnyOrder("1", "2");
		});
	}

	@Test
	void theWorkerTagIsNamedByProperty() {
		this.contextRunner.withUserConfiguration(FakeClusterViewSourceConfiguration.class)
			.withPropertyValues("supervisor.metrics.worker-tag=instance")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				registry.counter("app.requests").increment();
				assertThat(registry.get("app.requests").counter().getId().getTag("instance")).isEqualTo("1");
				assertThat(registry.get("app.requests").counter().getId().getTag("worker")).isNull();
			});
	}

	@Test
	void anEmptyWorkerTagTurnsTheTagOff() {
		this.contextRunner.withUserConfiguration(FakeClusterViewSourceConfiguration.class)
			.withPropertyValues("supervisor.metrics.worker-tag=")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				registry.counter("app.requests").increment();
				assertThat(registry.get("app.requests").counter().getId().getTags()).isEmpty();
			});
	}

	@Test
	void noWorkerTagOutsideAWorker() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SupervisorClusterViewAutoConfiguration.class, SupervisorMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				registry.counter("app.requests").increment();
				assertThat(registry.get("app.requests").counter().getId().getTags()).isEmpty();
			});
	}

	@Test
	void backsOffForAUserBinder() {
		this.contextRunner.withBean("userSupervisorMetrics", SupervisorMetrics.class,
				() -> new SupervisorMetrics(() -> {
					throw new IOException("no master");
				}))
			.run((context) -> assertThat(context).hasSingleBean(SupervisorMetrics.class)
				.hasBean("userSupervisorMetrics"));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SupervisorClusterViewAutoConfiguration.class,
					SupervisorMetricsAutoConfiguration.class))
			.withPropertyValues("supervisor.worker.id=1")
			.run((context) -> assertThat(context).hasSingleBean(ClusterViewSource.class)
				.doesNotHaveBean(SupervisorMetrics.class));
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer.core."))
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorMetrics.class));
	}

	@Test
	void backsOffOutsideAWorker() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SupervisorClusterViewAutoConfiguration.class, SupervisorMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorMetrics.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("supervisor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorMetrics.class));
	}

}
