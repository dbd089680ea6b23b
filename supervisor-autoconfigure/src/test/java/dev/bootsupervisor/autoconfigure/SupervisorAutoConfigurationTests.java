package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.worker.LivenessBrokenListener;
import dev.bootsupervisor.worker.WorkerReadyReporter;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorAutoConfiguration}.
 */
class SupervisorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorAutoConfiguration.class));

	@Test
	void bindsPropertiesEverywhere() {
		this.runner.withPropertyValues("supervisor.workers=3")
			.run((context) -> assertThat(context.getBean(SupervisorProperties.class).getWorkers()).isEqualTo("3"));
	}

	@Test
	void reportsReadinessOfAWorkerWithoutWebServer() {
		this.runner.withPropertyValues("supervisor.worker.id=1")
			.run((context) -> assertThat(context).hasSingleBean(WorkerReadyReporter.class));
	}

	@Test
	void noReporterOutsideAWorker() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(WorkerReadyReporter.class)
			.doesNotHaveBean(LivenessBrokenListener.class));
	}

	@Test
	void watchesLivenessInEveryWorker() {
		this.runner.withPropertyValues("supervisor.worker.id=1")
			.run((context) -> assertThat(context).hasSingleBean(LivenessBrokenListener.class));
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(SupervisorAutoConfiguration.class))
			.withPropertyValues("supervisor.worker.id=1")
			.run((context) -> assertThat(context).hasSingleBean(LivenessBrokenListener.class));
	}

	@Test
	void noReporterInAWebWorkerWhoseGateListenerReports() {
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(SupervisorAutoConfiguration.class))
			.withPropertyValues("supervisor.worker.id=1")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkerReadyReporter.class));
	}

	@Test
	void offWhenDisabled() {
		this.runner.withPropertyValues("supervisor.enabled=false", "supervisor.worker.id=1")
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorProperties.class)
				.doesNotHaveBean(WorkerReadyReporter.class));
	}

}
