package dev.bootsupervisor.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.bootsupervisor.autoconfigure.SupervisorClusterAutoConfiguration;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.worker.ClusterChannel;
import dev.bootsupervisor.worker.LocalMaster;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.scheduling.config.ScheduledTask;
import org.springframework.scheduling.support.ScheduledMethodRunnable;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LeaderOnly} in a real context: scheduled methods, calls a revocation waits for, and lifecycles
 * started on grant and stopped on revocation.
 */
class LeaderOnlyTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SupervisorClusterAutoConfiguration.class))
		.withUserConfiguration(LeaderOnlyConfiguration.class);

	@Test
	void aScheduledLeaderOnlyMethodIsScheduledOnTheProxyAndRunsOnlyWhileLeading() {
		this.contextRunner.run((context) -> {
			Ticker ticker = context.getBean(Ticker.class);
			assertThat(AopUtils.isAopProxy(ticker)).isTrue();
			ScheduledTask task = context.getBean(ScheduledAnnotationBeanPostProcessor.class)
				.getScheduledTasks()
				.iterator()
				.next();
			// Spring wraps the method's runnable to track its outcome
			Object runnable = ReflectionTestUtils.getField(task.getTask().getRunnable(), "runnable");
			assertThat(runnable).isInstanceOfSatisfying(ScheduledMethodRunnable.class,
					(scheduled) -> assertThat(AopUtils.isAopProxy(scheduled.getTarget())).isTrue());
			await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> ticker.ticks() == 0);
			context.getBean(LocalMaster.class).grant();
			await().atMost(WAIT).until(() -> ticker.ticks() > 3);
			revoke(context);
			await().atMost(WAIT).until(() -> !context.getBean(Leadership.class).isLeader());
			int ticks = ticker.ticks();
			await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> ticker.ticks() == ticks);
		});
	}

	@Test
	void aSkippedCallReturnsNullOrZero() {
		this.contextRunner.run((context) -> {
			Ticker ticker = context.getBean(Ticker.class);
			assertThat(ticker.name()).isNull();
			assertThat(ticker.count()).isZero();
			context.getBean(LocalMaster.class).grant();
			await().atMost(WAIT).until(() -> context.getBean(Leadership.class).isLeader());
			assertThat(ticker.name()).isEqualTo("ticker");
			assertThat(ticker.count()).isEqualTo(1);
		});
	}

	@Test
	void onAClassEveryPublicMethodIsLeaderOnlyButToString() {
		this.contextRunner.run((context) -> {
			Reporter reporter = context.getBean(Reporter.class);
			assertThat(reporter.report()).isNull();
			assertThat(reporter.toString()).isEqualTo("reporter");
			context.getBean(LocalMaster.class).grant();
			await().atMost(WAIT).until(() -> context.getBean(Leadership.class).isLeader());
			assertThat(reporter.report()).isEqualTo("report");
		});
	}

	@Test
	void aRevocationWaitsForALeaderOnlyCallStillRunning() {
		this.contextRunner.run((context) -> {
			Ticker ticker = context.getBean(Ticker.class);
			Events events = context.getBean(Events.class);
			context.getBean(LocalMaster.class).grant();
			await().atMost(WAIT).until(() -> events.seen.contains("granted 1"));
			CompletableFuture<Boolean> call = CompletableFuture.supplyAsync(ticker::block);
			await().atMost(WAIT).until(() -> ticker.blocked().getCount() == 0);
			revoke(context);
			await().atMost(WAIT).until(() -> !context.getBean(Leadership.class).isLeader());
			await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> !events.seen.contains("revoked 1"));
			ticker.release().countDown();
			assertThat(call.get(5, TimeUnit.SECONDS)).isTrue();
			await().atMost(WAIT).until(() -> events.seen.contains("revoked 1"));
		});
	}

	@Test
	void aLeaderOnlyLifecycleStartsOnEveryGrantAndStopsOnEveryRevocation() {
		this.contextRunner.run((context) -> {
			Connection connection = context.getBean(Connection.class);
			Events events = context.getBean(Events.class);
			assertThat(connection.isRunning()).as("not started by Spring").isFalse();
			assertThat(connection.isAutoStartup()).isFalse();
			context.getBean(LocalMaster.class).grant();
			await().atMost(WAIT).until(() -> events.seen.contains("granted 1"));
			assertThat(events.seen).containsExactly("connection started", "granted 1");
			revoke(context);
			await().atMost(WAIT).until(() -> events.seen.contains("revoked 1"));
			assertThat(events.seen).containsExactly("connection started", "granted 1", "connection stopped",
					"revoked 1");
			context.getBean(ClusterChannel.class).accept(Frame.of(MessageType.GRANT, "epoch", 2));
			await().atMost(WAIT).until(connection::isRunning);
		});
	}

	@Test
	void closingTheContextWhileLeaderStopsTheLeaderOnlyWork() {
		List<String> seen = new CopyOnWriteArrayList<>();
		this.contextRunner.run((context) -> {
			context.getBean(Events.class).seen.clear();
			context.getBean(Events.class).sink = seen;
			context.getBean(LocalMaster.class).grant();
			await().atMost(WAIT).until(() -> seen.contains("granted 1"));
		});
		assertThat(seen).containsExactly("connection started", "granted 1", "connection stopped", "revoked 1");
	}

	private static void revoke(AssertableApplicationContext context) {
		context.getBean(ClusterChannel.class)
			.accept(Frame.of(MessageType.REVOKE, "epoch", context.getBean(Leadership.class).epoch(), "timeout",
					30000));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class LeaderOnlyConfiguration {

		@Bean
		Events events() {
			return new Events();
		}

		@Bean
		Ticker ticker() {
			return new Ticker();
		}

		@Bean
		Reporter reporter() {
			return new Reporter();
		}

		@Bean
		Connection connection(Events events) {
			return new Connection(events);
		}

	}

	static class Events {

		final List<String> seen = new CopyOnWriteArrayList<>();

		volatile List<String> sink = this.seen;

		@EventListener
		void granted(LeadershipGrantedEvent event) {
			this.sink.add("granted " + event.epoch());
		}

		@EventListener
		void revoked(LeadershipRevokedEvent event) {
			this.sink.add("revoked " + event.epoch());
		}

	}

	static class Ticker {

		final AtomicInteger ticks = new AtomicInteger();

		final CountDownLatch blocked = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@LeaderOnly
		@Scheduled(fixedDelay = 10)
		public void tick() {
			this.ticks.incrementAndGet();
		}

		public int ticks() {
			return this.ticks.get();
		}

		public CountDownLatch blocked() {
			return this.blocked;
		}

		public CountDownLatch release() {
			return this.release;
		}

		@LeaderOnly
		public String name() {
			return "ticker";
		}

		@LeaderOnly
		public int count() {
			return 1;
		}

		@LeaderOnly
		public Boolean block() {
			this.blocked.countDown();
			try {
				return this.release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

	}

	@LeaderOnly
	static class Reporter {

		public String report() {
			return "report";
		}

		@Override
		public String toString() {
			return "reporter";
		}

	}

	@LeaderOnly
	static class Connection implements SmartLifecycle {

		private final Events events;

		private volatile boolean running;

		Connection(Events events) {
			this.events = events;
		}

		@Override
		public void start() {
			this.running = true;
			this.events.sink.add("connection started");
		}

		@Override
		public void stop() {
			this.running = false;
			this.events.sink.add("connection stopped");
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

	}

}
