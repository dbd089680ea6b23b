package dev.bootsupervisor.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.bootsupervisor.autoconfigure.SupervisorClusterAutoConfiguration;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.worker.ClusterChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ScheduledMethodsReport}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ScheduledMethodsReportTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String LINE = "2 @Scheduled methods run in each of the 3 workers, not only in the leader: "
			+ "dev.bootsupervisor.cluster.ScheduledMethodsReportTests$Cache.refresh(), "
			+ "dev.bootsupervisor.cluster.ScheduledMethodsReportTests$Reports.nightly(). "
			+ "Annotate a method with @dev.bootsupervisor.cluster.LeaderOnly to run it in the leader only.";

	private final AtomicInteger configuredWorkers = new AtomicInteger(3);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorClusterAutoConfiguration.class))
		.withUserConfiguration(ScheduledConfiguration.class);

	@Test
	void theLeaderLogsTheScheduledMethodsThatAreNotLeaderOnlyOnce(CapturedOutput output) {
		this.contextRunner.withBean(ClusterViewSource.class, () -> () -> view(this.configuredWorkers.get()))
			.run((context) -> {
				grant(context, 1);
				await().atMost(WAIT).until(() -> output.toString().contains(LINE));
				assertThat(output).doesNotContain("cleanup").doesNotContain("LeaderOnlyJobs");
				revoke(context, 1);
				grant(context, 2);
				revoke(context, 2);
				assertThat(output.toString().split(" @Scheduled method", -1)).hasSize(2);
			});
	}

	@Test
	void nothingIsLoggedInAClusterOfOneWorkerUntilItIsScaledUpAndLeadershipGrantedAgain(CapturedOutput output) {
		this.configuredWorkers.set(1);
		this.contextRunner.withBean(ClusterViewSource.class, () -> () -> view(this.configuredWorkers.get()))
			.run((context) -> {
				grant(context, 1);
				revoke(context, 1);
				assertThat(output).doesNotContain("@Scheduled");
				this.configuredWorkers.set(3);
				grant(context, 2);
				await().atMost(WAIT).until(() -> output.toString().contains(LINE));
			});
	}

	@Test
	void nothingIsLoggedWithoutAMaster(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			grant(context, 1);
			revoke(context, 1);
			assertThat(output).doesNotContain("@Scheduled");
		});
	}

	@Test
	void everyWorkerMethodsAreEmptyWithoutScheduling() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SupervisorClusterAutoConfiguration.class))
			.withBean(Reports.class)
			.run((context) -> assertThat(context.getBean(ScheduledMethodsReport.class).everyWorkerMethods()).isEmpty());
	}

	private static ClusterView view(int configuredWorkers) {
		Instant now = Instant.now();
		return new ClusterView("app", 100, now, ClusterPhase.RUNNING, configuredWorkers, configuredWorkers, 8080,
				"inherited", now, List.of(), Map.of(), Map.of());
	}

	/** Grant and wait until the grant's listeners ran: they run on the channel's thread, in order. */
	private static void grant(AssertableApplicationContext context, long epoch) {
		context.getBean(ClusterChannel.class).accept(Frame.of(MessageType.GRANT, "epoch", epoch));
		await().atMost(WAIT).until(() -> context.getBean(Leadership.class).isLeader());
	}

	private static void revoke(AssertableApplicationContext context, long epoch) {
		context.getBean(ClusterChannel.class).accept(Frame.of(MessageType.REVOKE, "epoch", epoch, "timeout", 30000));
		await().atMost(WAIT).until(() -> !context.getBean(Leadership.class).isLeader());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class ScheduledConfiguration {

		@Bean
		Reports reports() {
			return new Reports();
		}

		@Bean
		Cache cache() {
			return new Cache();
		}

		@Bean
		LeaderOnlyJobs leaderOnlyJobs() {
			return new LeaderOnlyJobs();
		}

	}

	static class Reports {

		@Scheduled(fixedDelay = 1, initialDelay = 1, timeUnit = TimeUnit.HOURS)
		void nightly() {
		}

		@LeaderOnly
		@Scheduled(fixedDelay = 1, initialDelay = 1, timeUnit = TimeUnit.HOURS)
		public void cleanup() {
		}

	}

	static class Cache {

		@Scheduled(cron = "0 0 3 * * *")
		void refresh() {
		}

	}

	@LeaderOnly
	static class LeaderOnlyJobs {

		@Scheduled(fixedDelay = 1, initialDelay = 1, timeUnit = TimeUnit.HOURS)
		public void purge() {
		}

	}

}
