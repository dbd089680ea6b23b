package dev.bootsupervisor.autoconfigure;

import java.time.Duration;
import java.util.function.BiConsumer;

import dev.bootsupervisor.cluster.WorkerDrainingEvent;
import dev.bootsupervisor.worker.AcceptGate;
import dev.bootsupervisor.worker.AsyncStreams;
import dev.bootsupervisor.worker.JettyApiWebSocketSessions;
import dev.bootsupervisor.worker.JettyWebSocketSessions;
import dev.bootsupervisor.worker.LongLivedExchanges;
import dev.bootsupervisor.worker.RequestCounter;
import dev.bootsupervisor.worker.RequestCountingFilter;
import dev.bootsupervisor.worker.TomcatWebSocketSessions;
import dev.bootsupervisor.worker.WatchdogGateCloser;
import dev.bootsupervisor.worker.WorkerDrainLifecycle;
import dev.bootsupervisor.worker.WorkerJettyCustomizer;
import dev.bootsupervisor.worker.WorkerReadinessListener;
import dev.bootsupervisor.worker.WorkerRuntime;
import dev.bootsupervisor.worker.WorkerTomcatCustomizer;
import jakarta.servlet.DispatcherType;
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
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.context.WebApplicationContext;

/**
 * Auto-configuration of the web server of a supervised worker: its Tomcat connector or Jetty connector serves the
 * listening socket inherited from the master, accepts connections only once the application is ready, drains
 * before the graceful shutdown or when the master's watchdog says so, and counts requests for the heartbeat.
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
			SupervisorProperties properties, ObjectProvider<WorkerRuntime> runtime,
			ObjectProvider<LongLivedExchanges> exchanges) {
		Duration grace = drainGrace(properties);
		BiConsumer<String, Duration> draining = (reason, duration) -> eventPublisher
			.publishEvent(new WorkerDrainingEvent(eventPublisher, reason, duration));
		return new WorkerDrainLifecycle(gate, eventPublisher, properties.getDrainTimeout(), WorkerRuntimes.of(runtime),
				grace, draining, exchanges.orderedStream().toList());
	}

	private static Duration drainGrace(SupervisorProperties properties) {
		Duration grace = properties.getDrainGrace();
		if (grace == null || grace.isNegative()) {
			throw new InvalidConfigurationPropertyValueException("supervisor.drain-grace", grace,
					"The grace must be 0 or more");
		}
		Duration timeout = properties.getDrainTimeout();
		if (timeout != null && grace.compareTo(timeout) >= 0) {
			throw new InvalidConfigurationPropertyValueException("supervisor.drain-grace", grace,
					"The grace is part of supervisor.drain-timeout (" + timeout.toMillis()
							+ " ms) and must be shorter, leaving the closed exchanges time to end");
		}
		return grace;
	}

	@Bean
	@ConditionalOnMissingBean
	AsyncStreams supervisorAsyncStreams() {
		return new AsyncStreams();
	}

	@Bean
	@ConditionalOnMissingBean
	WatchdogGateCloser supervisorWatchdogGateCloser(AcceptGate gate, ObjectProvider<WorkerRuntime> runtime) {
		return new WatchdogGateCloser(gate, WorkerRuntimes.of(runtime));
	}

	@Bean
	@ConditionalOnMissingBean(name = "supervisorRequestCountingFilter")
	FilterRegistrationBean<RequestCountingFilter> supervisorRequestCountingFilter(
			ObjectProvider<WorkerRuntime> runtime, AsyncStreams asyncStreams) {
		WorkerRuntime worker = runtime.getIfAvailable();
		RequestCounter counter = (worker != null) ? worker.requests() : new RequestCounter();
		RequestCountingFilter filter = new RequestCountingFilter(counter, (error) -> {
			if (worker != null) {
				worker.reportOutOfMemory(error);
			}
		}, asyncStreams);
		FilterRegistrationBean<RequestCountingFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setName("supervisorRequestCountingFilter");
		// Outside every other filter, so that what they do counts as part of the request, and on the first
		// dispatch only: an async request is done when it returns, an error dispatch is part of its request
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.setDispatcherTypes(DispatcherType.REQUEST);
		return registration;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Tomcat.class, TomcatServletWebServerFactory.class })
	static class TomcatWorkerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WorkerTomcatCustomizer supervisorWorkerTomcatCustomizer(AcceptGate gate) {
			return new WorkerTomcatCustomizer(gate);
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnClass(name = "org.apache.tomcat.websocket.WsWebSocketContainer")
		TomcatWebSocketSessions supervisorTomcatWebSocketSessions(WebApplicationContext context) {
			return new TomcatWebSocketSessions(context::getServletContext);
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

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnClass(name = "org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketContainer")
		JettyWebSocketSessions supervisorJettyWebSocketSessions(WebApplicationContext context) {
			return new JettyWebSocketSessions(context::getServletContext);
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnClass(name = "org.eclipse.jetty.ee11.websocket.server.JettyWebSocketServerContainer")
		JettyApiWebSocketSessions supervisorJettyApiWebSocketSessions(WebApplicationContext context) {
			return new JettyApiWebSocketSessions(context::getServletContext);
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
