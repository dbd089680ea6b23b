package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.cluster.WorkerClusterViewSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorClusterViewAutoConfiguration}.
 */
class SupervisorClusterViewAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorClusterViewAutoConfiguration.class));

	@Test
	void asksTheMasterInAWorker() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1")
			.run((context) -> assertThat(context).hasSingleBean(WorkerClusterViewSource.class));
	}

	@Test
	void backsOffOutsideAWorker() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ClusterViewSource.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1", "supervisor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterViewSource.class));
	}

	@Test
	void backsOffForAUserSource() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1")
			.withUserConfiguration(FakeClusterViewSourceConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(ClusterViewSource.class)
				.doesNotHaveBean(WorkerClusterViewSource.class));
	}

}
