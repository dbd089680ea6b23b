package dev.bootsupervisor.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.bootsupervisor.autoconfigure.SupervisorClusterAutoConfiguration;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.worker.ClusterChannel;
import dev.bootsupervisor.worker.LocalMaster;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.leader.event.OnRevokedEvent;
import org.springframework.integration.support.SmartLifecycleRoleController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ClusterLeaderInitiator}: Spring Integration's role controller works unchanged on it.
 */
class ClusterLeaderInitiatorTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorClusterAutoConfiguration.class))
		.withUserConfiguration(IntegrationConfiguration.class);

	@Test
	void grantsTheCandidateAndStartsItsRoleThenRevokesAndStopsIt() {
		this.contextRunner.run((context) -> {
			IntegrationConfiguration configuration = context.getBean(IntegrationConfiguration.class);
			RoleLifecycle inRole = context.getBean(RoleLifecycle.class);
			assertThat(inRole.isRunning()).isFalse();
			context.getBean(LocalMaster.class).grant();
			await().atMost(WAIT).until(inRole::isRunning);
			assertThat(configuration.seen).containsExactly("candidate granted", "OnGrantedEvent cluster");
			Context leaderContext = context.getBean(ClusterLeaderInitiator.class).getContext();
			assertThat(leaderContext.isLeader()).isTrue();
			assertThat(leaderContext.getRole()).isEqualTo("cluster");
			context.getBean(ClusterChannel.class).accept(Frame.of(MessageType.REVOKE, "epoch", 1, "timeout", 1000));
			await().atMost(WAIT).until(() -> !inRole.isRunning());
			assertThat(configuration.seen).containsExactly("candidate granted", "OnGrantedEvent cluster",
					"candidate revoked", "OnRevokedEvent cluster");
			assertThat(leaderContext.isLeader()).isFalse();
		});
	}

	@Test
	void withoutACandidateBeanOffersADefaultOne() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SupervisorClusterAutoConfiguration.class))
			.run((context) -> assertThat(context.getBean(ClusterLeaderInitiator.class).getCandidate().getRole())
				.isEqualTo("leader"));
	}

	@Configuration(proxyBeanMethods = false)
	static class IntegrationConfiguration {

		final List<String> seen = new CopyOnWriteArrayList<>();

		@Bean
		DefaultCandidate candidate() {
			return new DefaultCandidate("worker", "cluster") {

				@Override
				public void onGranted(Context context) {
					IntegrationConfiguration.this.seen.add("candidate granted");
				}

				@Override
				public void onRevoked(Context context) {
					IntegrationConfiguration.this.seen.add("candidate revoked");
				}

			};
		}

		@Bean
		RoleLifecycle roleLifecycle() {
			return new RoleLifecycle();
		}

		@Bean
		SmartLifecycleRoleController roleController(RoleLifecycle roleLifecycle) {
			return new SmartLifecycleRoleController(List.of("cluster"), List.of(roleLifecycle));
		}

		@EventListener
		void granted(OnGrantedEvent event) {
			this.seen.add("OnGrantedEvent " + event.getRole());
		}

		@EventListener
		void revoked(OnRevokedEvent event) {
			this.seen.add("OnRevokedEvent " + event.getRole());
		}

	}

	static class RoleLifecycle implements SmartLifecycle {

		private volatile boolean running;

		@Override
		public boolean isAutoStartup() {
			return false;
		}

		@Override
		public void start() {
			this.running = true;
		}

		@Override
		public void stop() {
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

	}

}
