package dev.bootsupervisor.autoconfigure;

import java.time.Duration;

import dev.bootsupervisor.worker.AcceptGate;
import dev.bootsupervisor.worker.AsyncStreams;
import dev.bootsupervisor.worker.JettyApiWebSocketSessions;
import dev.bootsupervisor.worker.JettyWebSocketSessions;
import dev.bootsupervisor.worker.RequestCountingFilter;
import dev.bootsupervisor.worker.TomcatWebSocketSessions;
import dev.bootsupervisor.worker.WatchdogGateCloser;
import dev.bootsupervisor.worker.WorkerDrainLifecycle;
import dev.bootsupervisor.worker.WorkerJettyCustomizer;
import dev.bootsupervisor.worker.WorkerReadinessListener;
import dev.bootsupervisor.worker.WorkerTomcatCustomizer;
import org.apache.catalina.startup.Tomcat;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorWorkerAutoConfiguration}.
 */
class SupervisorWorkerAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorWorkerAutoConfiguration.class));

	@Test
	void configuresTheWorkerWebServerInAWorker() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1").run((context) -> {
			assertThat(context).hasSingleBean(AcceptGate.class);
			assertThat(context).hasSingleBean(WorkerTomcatCustomizer.class);
			assertThat(context).hasSingleBean(WorkerReadinessListener.class);
			assertThat(context).hasSingleBean(WorkerDrainLifecycle.class);
			assertThat(context.getBean(WorkerDrainLifecycle.class)).hasFieldOrPropertyWithValue("timeout",
					Duration.ofSeconds(10));
			assertThat(context).hasSingleBean(WatchdogGateCloser.class);
		});
	}

	@Test
	void countsRequestsWithAFilterOutsideAllOthers() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1").run((context) -> {
			FilterRegistrationBean<?> registration = context.getBean("supervisorRequestCountingFilter",
					FilterRegistrationBean.class);
			assertThat(registration.getFilter()).isInstanceOf(RequestCountingFilter.class);
			assertThat(registration.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE);
		});
	}

	@Test
	void takesTheDrainTimeoutFromTheProperties() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1", "supervisor.drain-timeout=3s")
			.run((context) -> assertThat(context.getBean(WorkerDrainLifecycle.class))
				.hasFieldOrPropertyWithValue("timeout", Duration.ofSeconds(3)));
	}

	@Test
	void endsWebSocketSessionsAndAsyncStreamsWithTheDrainGrace() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1", "supervisor.drain-grace=200ms")
			.run((context) -> {
				assertThat(context).hasSingleBean(AsyncStreams.class).hasSingleBean(TomcatWebSocketSessions.class);
				WorkerDrainLifecycle lifecycle = context.getBean(WorkerDrainLifecycle.class);
				assertThat(lifecycle).hasFieldOrPropertyWithValue("grace", Duration.ofMillis(200));
				assertThat(lifecycle).extracting("exchanges")
					.asInstanceOf(InstanceOfAssertFactories.LIST)
					.hasAtLeastOneElementOfType(AsyncStreams.class)
					.hasAtLeastOneElementOfType(TomcatWebSocketSessions.class);
			});
	}

	@Test
	void endsJettyWebSocketSessionsOfBothApisOnJetty() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1")
			.withClassLoader(new FilteredClassLoader(Tomcat.class))
			.run((context) -> assertThat(context).hasSingleBean(JettyWebSocketSessions.class)
				.hasSingleBean(JettyApiWebSocketSessions.class)
				.doesNotHaveBean(TomcatWebSocketSessions.class));
	}

	@Test
	void worksWithoutWebSocketOnTheClassPath() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1")
			.withClassLoader(new FilteredClassLoader("org.apache.tomcat.websocket", "jakarta.websocket"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(WorkerDrainLifecycle.class)
				.hasSingleBean(AsyncStreams.class)
				.doesNotHaveBean(TomcatWebSocketSessions.class));
	}

	@Test
	void refusesANegativeDrainGrace() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1", "supervisor.drain-grace=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("supervisor.drain-grace")
				.hasMessageContaining("The grace must be 0 or more"));
	}

	@Test
	void refusesADrainGraceThatDoesNotFitInTheDrainTimeout() {
		this.contextRunner
			.withPropertyValues("supervisor.worker.id=1", "supervisor.drain-grace=5s", "supervisor.drain-timeout=5s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("part of supervisor.drain-timeout (5000 ms) and must be shorter"));
	}

	@Test
	void backsOffOutsideAWorker() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(AcceptGate.class)
			.doesNotHaveBean(WorkerTomcatCustomizer.class)
			.doesNotHaveBean("supervisorRequestCountingFilter")
			.doesNotHaveBean(WorkerDrainLifecycle.class));
	}

	@Test
	void configuresJettyWithoutTomcat() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1")
			.withClassLoader(new FilteredClassLoader(Tomcat.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(AcceptGate.class);
				assertThat(context).hasSingleBean(WorkerJettyCustomizer.class);
				assertThat(context).doesNotHaveBean(WorkerTomcatCustomizer.class);
				assertThat(context).hasSingleBean(WorkerReadinessListener.class);
				assertThat(context).hasSingleBean(WorkerDrainLifecycle.class);
			});
	}

	@Test
	void configuresTomcatWithoutJetty() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1")
			.withClassLoader(new FilteredClassLoader(Server.class))
			.run((context) -> assertThat(context).hasSingleBean(WorkerTomcatCustomizer.class)
				.doesNotHaveBean(WorkerJettyCustomizer.class));
	}

	@Test
	void backsOffWithoutTomcatOrJetty() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1")
			.withClassLoader(new FilteredClassLoader(Tomcat.class, Server.class))
			.run((context) -> assertThat(context).doesNotHaveBean(AcceptGate.class));
	}

	@Test
	void backsOffInANonWebApplication() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SupervisorWorkerAutoConfiguration.class))
			.withPropertyValues("supervisor.worker.id=1")
			.run((context) -> assertThat(context).doesNotHaveBean(AcceptGate.class));
	}

	@Test
	void backsOffForUserBeans() {
		this.contextRunner.withPropertyValues("supervisor.worker.id=1")
			.withUserConfiguration(UserGateConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(AcceptGate.class);
				assertThat(context.getBean(AcceptGate.class)).isSameAs(context.getBean("userGate"));
				assertThat(context).hasSingleBean(WorkerTomcatCustomizer.class);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserGateConfiguration {

		@Bean
		AcceptGate userGate() {
			return new AcceptGate();
		}

	}

}
