package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.worker.AcceptGate;
import dev.bootsupervisor.worker.WorkerDrainLifecycle;
import dev.bootsupervisor.worker.WorkerReadinessListener;
import dev.bootsupervisor.worker.WorkerTomcatCustomizer;
import org.apache.catalina.startup.Tomcat;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the web server of a supervised worker: its Tomcat connector serves the listening socket
 * inherited from the master, accepts connections only once the application is ready, and drains before the
 * graceful shutdown.
 */
@AutoConfiguration
@ConditionalOnProperty(name = "supervisor.worker.id")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Tomcat.class, TomcatServletWebServerFactory.class })
@EnableConfigurationProperties(SupervisorProperties.class)
public final class SupervisorWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AcceptGate supervisorAcceptGate() {
		return new AcceptGate();
	}

	@Bean
	@ConditionalOnMissingBean
	WorkerTomcatCustomizer supervisorWorkerTomcatCustomizer(AcceptGate gate) {
		return new WorkerTomcatCustomizer(gate);
	}

	@Bean
	@ConditionalOnMissingBean
	WorkerReadinessListener supervisorWorkerReadinessListener(AcceptGate gate) {
		return new WorkerReadinessListener(gate);
	}

	@Bean
	@ConditionalOnMissingBean
	WorkerDrainLifecycle supervisorWorkerDrainLifecycle(AcceptGate gate, ApplicationEventPublisher eventPublisher,
			SupervisorProperties properties) {
		return new WorkerDrainLifecycle(gate, eventPublisher, properties.getDrainTimeout());
	}

}
