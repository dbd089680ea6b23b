package dev.bootsupervisor.autoconfigure;

import dev.bootsupervisor.protocol.BrokenCause;
import dev.bootsupervisor.worker.LivenessBrokenListener;
import dev.bootsupervisor.worker.ShutdownDelayReadiness;
import dev.bootsupervisor.worker.WorkerReadyReporter;
import dev.bootsupervisor.worker.WorkerRuntime;

import org.springframework.beans.factory.ObjectProvider;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * Binds {@code supervisor.*} in every process of a supervised app, so the app and the other auto-configurations
 * can read them, reports readiness for workers without a web server, tells the master when a worker's
 * liveness breaks, and lowers a worker's readiness when the master starts a shutdown delay.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "supervisor.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SupervisorProperties.class)
public class SupervisorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "supervisor.worker.id")
	@ConditionalOnNotWebApplication
	WorkerReadyReporter supervisorWorkerReadyReporter(ObjectProvider<WorkerRuntime> runtime) {
		return new WorkerReadyReporter(WorkerRuntimes.of(runtime));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "supervisor.worker.id")
	LivenessBrokenListener supervisorLivenessBrokenListener(ObjectProvider<WorkerRuntime> runtime) {
		return new LivenessBrokenListener(
				(detail) -> runtime.ifAvailable((worker) -> worker.reportBroken(BrokenCause.LIVENESS, detail)));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "supervisor.worker.id")
	ShutdownDelayReadiness supervisorShutdownDelayReadiness(ApplicationEventPublisher eventPublisher,
			ObjectProvider<WorkerRuntime> runtime) {
		return new ShutdownDelayReadiness(eventPublisher, WorkerRuntimes.of(runtime));
	}

}
