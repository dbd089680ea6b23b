package dev.bootsupervisor.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.cluster.ClusterLeaderInitiator;
import dev.bootsupervisor.cluster.ClusterMessageException;
import dev.bootsupervisor.cluster.ClusterMessageListener;
import dev.bootsupervisor.cluster.ClusterMessageListenerPostProcessor;
import dev.bootsupervisor.cluster.ClusterMessenger;
import dev.bootsupervisor.cluster.Delivery;
import dev.bootsupervisor.cluster.LeaderOnlyPostProcessor;
import dev.bootsupervisor.cluster.Leadership;
import dev.bootsupervisor.cluster.LeadershipShutdown;
import dev.bootsupervisor.worker.ClusterChannel;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.leader.Candidate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link SupervisorClusterAutoConfiguration}.
 */
class SupervisorClusterAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorClusterAutoConfiguration.class));

	@Test
	void configuresLeadershipAndMessagingByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ClusterMessenger.class);
			assertThat(context).hasSingleBean(Leadership.class);
			assertThat(context).hasSingleBean(ClusterChannel.class);
			assertThat(context).hasSingleBean(LeadershipShutdown.class);
			assertThat(context).hasSingleBean(ClusterMessageListenerPostProcessor.class);
			assertThat(context).hasSingleBean(LeaderOnlyPostProcessor.class);
			assertThat(context).hasSingleBean(ClusterLeaderInitiator.class);
		});
	}

	@Test
	void backsOffForTheUsersBeans() {
		this.contextRunner.withUserConfiguration(UserMessengerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ClusterMessenger.class);
			assertThat(context.getBean(ClusterMessenger.class))
				.isSameAs(context.getBean(UserMessengerConfiguration.class).messenger);
		});
	}

	@Test
	void withoutSpringIntegrationOffersNoInitiator() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Candidate.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterLeaderInitiator.class)
				.hasSingleBean(Leadership.class));
	}

	@Test
	void standaloneTheApplicationIsAClusterOfOneThatLeadsOnceReady() {
		this.contextRunner.withUserConfiguration(ReceiverConfiguration.class)
			.withPropertyValues("supervisor.enabled=false")
			.run((context) -> {
				Leadership leadership = context.getBean(Leadership.class);
				assertThat(leadership.isLeader()).isFalse();
				context.publishEvent(new ApplicationReadyEvent(new SpringApplication(), new String[0],
						context.getSourceApplicationContext(), Duration.ZERO));
				await().atMost(Duration.ofSeconds(5)).until(leadership::isLeader);
				assertThat(leadership.epoch()).isEqualTo(1);
				ClusterMessenger messenger = context.getBean(ClusterMessenger.class);
				assertThat(messenger.broadcast("greetings", "hello").get(5, TimeUnit.SECONDS))
					.isEqualTo(new Delivery(1, 0));
				messenger.sendTo(1, "greetings", "to me").get(5, TimeUnit.SECONDS);
				assertThat(messenger.requestLeader("echo", "q", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS).text())
					.isEqualTo("echo q");
				assertThat(messenger.requestAny("echo", "r", Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS).text())
					.isEqualTo("echo r");
				Receiver receiver = context.getBean(Receiver.class);
				await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received.size() == 2);
				assertThat(receiver.received).containsExactly("hello", "to me");
				assertThatThrownBy(() -> messenger.sendTo(2, "greetings", "x").get(5, TimeUnit.SECONDS)).cause()
					.isInstanceOf(ClusterMessageException.class)
					.hasMessageContaining("no worker 2");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserMessengerConfiguration {

		final ClusterMessenger messenger = mock(ClusterMessenger.class);

		@Bean
		ClusterMessenger userMessenger() {
			return this.messenger;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReceiverConfiguration {

		@Bean
		Receiver receiver() {
			return new Receiver();
		}

	}

	static class Receiver {

		final List<String> received = new CopyOnWriteArrayList<>();

		@ClusterMessageListener("greetings")
		public void greet(String text) {
			this.received.add(text);
		}

		@ClusterMessageListener("echo")
		public String echo(String text) {
			return "echo " + text;
		}

	}

}
