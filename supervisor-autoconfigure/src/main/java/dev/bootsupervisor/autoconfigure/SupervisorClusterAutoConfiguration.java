package dev.bootsupervisor.autoconfigure;

import java.time.Clock;
import java.util.function.Consumer;

import dev.bootsupervisor.cluster.ClusterLeaderInitiator;
import dev.bootsupervisor.cluster.ClusterMessageListenerPostProcessor;
import dev.bootsupervisor.cluster.ClusterMessageListeners;
import dev.bootsupervisor.cluster.ClusterMessenger;
import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.cluster.LeaderLifecycles;
import dev.bootsupervisor.cluster.LeaderOnlyPostProcessor;
import dev.bootsupervisor.cluster.Leadership;
import dev.bootsupervisor.cluster.LeadershipShutdown;
import dev.bootsupervisor.cluster.LocalLeadershipGrant;
import dev.bootsupervisor.cluster.ScheduledMethodsReport;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.worker.ClusterChannel;
import dev.bootsupervisor.worker.LeaderElection;
import dev.bootsupervisor.worker.LeaderState;
import dev.bootsupervisor.worker.LocalMaster;
import dev.bootsupervisor.worker.WorkerRuntime;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.leader.event.DefaultLeaderEventPublisher;
import org.springframework.integration.leader.event.LeaderEventPublisher;

/**
 * Auto-configuration of leadership and messaging in every worker: the {@link ClusterMessenger}, the
 * {@link Leadership}, {@code @ClusterMessageListener} and {@code @LeaderOnly}, and Spring Integration's leader
 * contract when it is on the class path. Without a master the application is a cluster of one: worker
 * {@value LocalMaster#WORKER_ID}, which leads from when it is ready, epoch 1.
 */
@AutoConfiguration
@EnableConfigurationProperties(SupervisorProperties.class)
public final class SupervisorClusterAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	static LocalMaster supervisorLocalMaster() {
		return new LocalMaster();
	}

	@Bean
	@ConditionalOnMissingBean
	LeaderElection supervisorLeaderElection(ObjectProvider<WorkerRuntime> runtime, LocalMaster local) {
		WorkerRuntime worker = runtime.getIfAvailable();
		int workerId = (worker != null) ? worker.workerId() : LocalMaster.WORKER_ID;
		return new LeaderElection(workerId, new LeaderState(), master(worker, local), Clock.systemUTC());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	ClusterChannel supervisorClusterChannel(LeaderElection election, ClusterMessageListeners listeners,
			ObjectProvider<WorkerRuntime> runtime, LocalMaster local) {
		WorkerRuntime worker = runtime.getIfAvailable();
		ClusterChannel channel = new ClusterChannel(master(worker, local), election);
		channel.handler(listeners);
		if (worker != null) {
			worker.onClusterFrame(channel);
		}
		else {
			local.connect(channel);
		}
		return channel;
	}

	@Bean
	@ConditionalOnMissingBean
	ClusterMessenger supervisorClusterMessenger(ClusterChannel channel) {
		return new ClusterMessenger(channel);
	}

	@Bean
	@ConditionalOnMissingBean
	Leadership supervisorLeadership(LeaderElection election) {
		return new Leadership(election);
	}

	@Bean
	@ConditionalOnMissingBean
	LeaderLifecycles supervisorLeaderLifecycles(Leadership leadership, LeaderElection election,
			ListableBeanFactory beans, ApplicationEventPublisher events) {
		LeaderLifecycles lifecycles = new LeaderLifecycles(leadership, beans, events);
		election.listener(lifecycles);
		return lifecycles;
	}

	@Bean
	@ConditionalOnMissingBean
	LeadershipShutdown supervisorLeadershipShutdown(LeaderElection election, SupervisorProperties properties) {
		return new LeadershipShutdown(election, properties.getLeader().getRevokeTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	ScheduledMethodsReport supervisorScheduledMethodsReport(ConfigurableListableBeanFactory beans,
			ObjectProvider<ClusterViewSource> views) {
		return new ScheduledMethodsReport(beans, views);
	}

	@Bean
	@ConditionalOnMissingBean
	LocalLeadershipGrant supervisorLocalLeadershipGrant(ObjectProvider<WorkerRuntime> runtime, LocalMaster local) {
		// with a master, the master grants
		return new LocalLeadershipGrant((runtime.getIfAvailable() == null) ? local : null);
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static ClusterMessageListeners supervisorClusterMessageListeners() {
		return new ClusterMessageListeners();
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static ClusterMessageListenerPostProcessor supervisorClusterMessageListenerPostProcessor(
			ClusterMessageListeners listeners) {
		return new ClusterMessageListenerPostProcessor(listeners);
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static LeaderOnlyPostProcessor supervisorLeaderOnlyPostProcessor(ObjectProvider<LeaderElection> election) {
		return new LeaderOnlyPostProcessor(() -> election.getObject().state());
	}

	private static Consumer<Frame> master(WorkerRuntime worker, LocalMaster local) {
		return (worker != null) ? worker::sendToMaster : local;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Candidate.class)
	static class IntegrationLeaderConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ClusterLeaderInitiator supervisorLeaderInitiator(Leadership leadership, ObjectProvider<Candidate> candidate,
				ObjectProvider<LeaderEventPublisher> publisher, ApplicationEventPublisher events) {
			return new ClusterLeaderInitiator(leadership, candidate.getIfAvailable(DefaultCandidate::new),
					publisher.getIfAvailable(() -> new DefaultLeaderEventPublisher(events)));
		}

	}

}
