package dev.bootsupervisor.autoconfigure;

import java.io.IOException;
import java.util.List;

import dev.bootsupervisor.actuate.SupervisorEndpoint;
import dev.bootsupervisor.actuate.SupervisorEndpointWebExtension;
import dev.bootsupervisor.cluster.ClusterViewSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
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

	private final WebApplicationContextRunner webContextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
				SupervisorClusterViewAutoConfiguration.class, SupervisorEndpointAutoConfiguration.class))
		.withUserConfiguration(FakeClusterViewSourceConfiguration.class)
		.withPropertyValues("supervisor.worker.id=2", "management.endpoints.web.exposure.include=supervisor");

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
	void writeOperationIsNotMappedByDefault() {
		this.webContextRunner.run((context) -> assertThat(operationTypes(context)).containsExactly(OperationType.READ));
	}

	@Test
	void writeOperationIsMappedWhenAccessIsUnrestricted() {
		this.webContextRunner.withPropertyValues("management.endpoint.supervisor.access=UNRESTRICTED")
			.run((context) -> assertThat(operationTypes(context)).containsExactlyInAnyOrder(OperationType.READ,
					OperationType.WRITE));
	}

	@Test
	void writeOperationIsNotMappedWhenTheMaximumPermittedAccessIsReadOnly() {
		this.webContextRunner
			.withPropertyValues("management.endpoint.supervisor.access=UNRESTRICTED",
					"management.endpoints.access.max-permitted=READ_ONLY")
			.run((context) -> assertThat(operationTypes(context)).containsExactly(OperationType.READ));
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

	private static List<OperationType> operationTypes(AssertableWebApplicationContext context) {
		ExposableWebEndpoint endpoint = context.getBean(WebEndpointsSupplier.class)
			.getEndpoints()
			.stream()
			.filter((candidate) -> candidate.getEndpointId().toString().equals("supervisor"))
			.findFirst()
			.orElseThrow();
		return endpoint.getOperations().stream().map(WebOperation::getType).toList();
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
