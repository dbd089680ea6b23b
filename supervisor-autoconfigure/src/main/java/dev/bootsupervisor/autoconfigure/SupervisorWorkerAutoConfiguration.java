package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.worker.AcceptGate;
import dev.bootsupervisor.worker.WorkerDrainLifecycle;
import dev.bootsupervisor.worker.WorkerJettyCustomizer;
import dev.bootsupervisor.worker.WorkerReadinessListener;
import dev.bootsupervisor.worker.WorkerRuntime;
import dev.bootsupervisor.worker.WorkerTomcatCustomizer;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the web server of a supervised worker: its Tomcat connector or Jetty connector serves the
 * listening socket inherited from the master, accepts connections only once the application is ready, and drains
 * before the graceful shutdown.
 */
@AutoConfiguration
@ConditionalOnProperty(name = "supervisor.worker.id")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional(SupervisorWorkerAutoConfiguration.OnSupportedWebServer.class)
@EnableConfigurationProperties(SupervisorProperties.class)
public final class SupervisorWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AcceptGate supervisorAcceptGate() {
		return new AcceptGate();
	}

	@Bean
	@ConditionalOnMissingBean
	WorkerReadinessListener supervisorWorkerReadinessListener(AcceptGate gate,
			ObjectProvider<WorkerRuntime> runtime) {
		return new WorkerReadinessListener(gate, WorkerRuntimes.of(runtime));
	}

	@Bean
	@ConditionalOnMissingBean
	WorkerDrainLifecycle supervisorWorkerDrainLifecycle(AcceptGate gate, ApplicationEventPublisher eventPublisher,
			SupervisorProperties properties, ObjectProvider<WorkerRuntime> runtime) {
		return new WorkerDrainLifecycle(gate, eventPublisher, properties.getDrainTimeout(),
				WorkerRuntimes.of(runtime));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Tomcat.class, TomcatServletWebServerFactory.class })
	static class TomcatWorkerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WorkerTomcatCustomizer supervisorWorkerTomcatCustomizer(AcceptGate gate) {
			return new WorkerTomcatCustomizer(gate);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Server.class, JettyServletWebServerFactory.class })
	static class JettyWorkerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WorkerJettyCustomizer supervisorWorkerJettyCustomizer(AcceptGate gate) {
			return new WorkerJettyCustomizer(gate);
		}

	}

	/**
	 * A servlet web server whose connector can serve the inherited socket: Tomcat or Jetty.
	 */
	static final class OnSupportedWebServer extends AnyNestedCondition {

		OnSupportedWebServer() {
			super(ConfigurationPhase.PARSE_CONFIGURATION);
		}

		@ConditionalOnClass(name = { "org.apache.catalina.startup.Tomcat",
				"org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory" })
		static final class OnTomcat {

		}

		@ConditionalOnClass(name = { "org.eclipse.jetty.server.Server",
				"org.springframework.boot.jetty.servlet.JettyServletWebServerFactory" })
		static final class OnJetty {

		}

	}

}
