package dev.bootsupervisor.autoconfigure;

import java.io.IOException;

import dev.bootsupervisor.actuate.SupervisorEndpoint;
import dev.bootsupervisor.actuate.SupervisorEndpointWebExtension;
import dev.bootsupervisor.cluster.ClusterViewSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorEndpointAutoConfiguration}.
 */
class SupervisorEndpointAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorClusterViewAutoConfiguration.class,
				SupervisorEndpointAutoConfiguration.class))
		.withPropertyValues("supervisor.worker.id=2");

	@Test
	void endpointIsAvailableInAWorkerWhenExposed() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=supervisor")
			.withUserConfiguration(FakeClusterViewSourceConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(SupervisorEndpoint.class)
					.hasSingleBean(SupervisorEndpointWebExtension.class);
				SupervisorEndpoint.ClusterDescriptor cluster = context.getBean(SupervisorEndpoint.class).cluster();
				assertThat(cluster.workers()).hasSize(2);
				assertThat(cluster.servedBy().id()).isEqualTo(2);
			});
	}

	@Test
	void endpointIsAvailableOverJmxWithoutTheWebExtension() {
		this.contextRunner.withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=*")
			.run((context) -> assertThat(context).hasSingleBean(SupervisorEndpoint.class)
				.doesNotHaveBean(SupervisorEndpointWebExtension.class));
	}

	@Test
	void endpointIsNotAvailableWhenNotExposed() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(SupervisorEndpoint.class));
	}

	@Test
	void endpointIsNotAvailableWhenTurnedOff() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=supervisor",
					"management.endpoint.supervisor.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorEndpoint.class));
	}

	@Test
	void endpointIsNotAvailableOutsideAWorker() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SupervisorClusterViewAutoConfiguration.class,
					SupervisorEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=supervisor")
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorEndpoint.class)
				.doesNotHaveBean(ClusterViewSource.class));
	}

	@Test
	void endpointIsNotAvailableWhenTheSupervisorIsDisabled() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=supervisor", "supervisor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorEndpoint.class));
	}

	@Test
	void endpointIsNotAvailableWithoutActuator() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=supervisor")
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate."))
			.run((context) -> assertThat(context).doesNotHaveBean(SupervisorEndpoint.class));
	}

	@Test
	void backsOffForAUserEndpoint() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=supervisor")
			.withUserConfiguration(UserEndpointConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SupervisorEndpoint.class)
				.hasBean("userSupervisorEndpoint"));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEndpointConfiguration {

		@Bean
		SupervisorEndpoint userSupervisorEndpoint() {
			return new SupervisorEndpoint(() -> {
				throw new IOException("no master");
			}, 7);
		}

	}

}
