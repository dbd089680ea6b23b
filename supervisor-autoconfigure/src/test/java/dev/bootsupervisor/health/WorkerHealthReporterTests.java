package dev.bootsupervisor.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.DefaultHealthContributorRegistry;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerHealthReporter}.
 */
@ExtendWith(OutputCaptureExtension.class)
class WorkerHealthReporterTests {

	private final DefaultHealthContributorRegistry registry = new DefaultHealthContributorRegistry();

	private final AtomicLong nanoTime = new AtomicLong();

	private final List<Supplier<String>> heartbeat = new ArrayList<>();

	@Test
	void registersItselfAsTheHeartbeatsHealthSource() {
		WorkerHealthReporter reporter = reporter();
		reporter.afterSingletonsInstantiated();
		assertThat(this.heartbeat).containsExactly(reporter);
	}

	@Test
	void aggregatesEveryContributorButTheSupervisorOne() {
		this.registry.registerContributor("ping", up());
		this.registry.registerContributor("supervisor", indicator(Status.DOWN));
		assertThat(reporter().get()).isEqualTo("UP");
	}

	@Test
	void reportsTheWorstStatusOfItsContributors() {
		this.registry.registerContributor("ping", up());
		this.registry.registerContributor("readinessState", indicator(Status.OUT_OF_SERVICE));
		assertThat(reporter().get()).isEqualTo("OUT_OF_SERVICE");
		this.registry.registerContributor("db", indicator(Status.DOWN));
		assertThat(reporter().get()).isEqualTo("DOWN");
	}

	@Test
	void descendsIntoCompositeContributors() {
		this.registry.registerContributor("ping", up());
		this.registry.registerContributor("dbs", CompositeHealthContributor
			.fromMap(Map.of("one", up(), "two", indicator(Status.DOWN))));
		assertThat(reporter().get()).isEqualTo("DOWN");
	}

	@Test
	void reportsDownForAContributorThatThrows() {
		this.registry.registerContributor("broken", (HealthIndicator) () -> {
			throw new IllegalStateException("broken");
		});
		assertThat(reporter().get()).isEqualTo("DOWN");
	}

	@Test
	void reportsUnknownAndAsksNoContributorUntilTheApplicationIsReady() {
		AtomicInteger checks = new AtomicInteger();
		AtomicReference<Status> liveness = new AtomicReference<>(Status.DOWN);
		// Boot's liveness reads BROKEN, so DOWN, until the context is refreshed
		this.registry.registerContributor("livenessState", (HealthIndicator) () -> {
			checks.incrementAndGet();
			return Health.status(liveness.get()).build();
		});
		WorkerHealthReporter reporter = startingReporter();
		assertThat(reporter.get()).isEqualTo("UNKNOWN");
		liveness.set(Status.UP);
		reporter.onApplicationEvent(new AvailabilityChangeEvent<>(this, LivenessState.CORRECT));
		assertThat(reporter.get()).isEqualTo("UNKNOWN");
		assertThat(checks).hasValue(0);
		reporter.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(reporter.get()).isEqualTo("UP");
		assertThat(checks).hasValue(1);
		// readiness going down later (a shutdown delay) does not make the worker "starting" again
		reporter.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.REFUSING_TRAFFIC));
		assertThat(reporter.get()).isEqualTo("UP");
		assertThat(checks).hasValue(2);
	}

	@Test
	void checksAtMostEveryFewSecondsUnlessTheAvailabilityChanges() {
		AtomicInteger checks = new AtomicInteger();
		AtomicReference<Status> status = new AtomicReference<>(Status.OUT_OF_SERVICE);
		this.registry.registerContributor("readinessState", (HealthIndicator) () -> {
			checks.incrementAndGet();
			return Health.status(status.get()).build();
		});
		WorkerHealthReporter reporter = reporter();
		assertThat(reporter.get()).isEqualTo("OUT_OF_SERVICE");
		status.set(Status.UP);
		this.nanoTime.addAndGet(WorkerHealthReporter.CHECK_INTERVAL_NANOS - 1);
		assertThat(reporter.get()).isEqualTo("OUT_OF_SERVICE");
		reporter.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(reporter.get()).isEqualTo("UP");
		assertThat(checks).hasValue(2);
		this.nanoTime.addAndGet(WorkerHealthReporter.CHECK_INTERVAL_NANOS);
		reporter.get();
		assertThat(checks).hasValue(3);
	}

	@Test
	void asksNoContributorOnceStoppedAndReportsShuttingDown() {
		AtomicInteger checks = new AtomicInteger();
		this.registry.registerContributor("db", (HealthIndicator) () -> {
			checks.incrementAndGet();
			return Health.up().build();
		});
		WorkerHealthReporter reporter = reporter();
		assertThat(reporter.get()).isEqualTo("UP");
		reporter.stop();
		assertThat(reporter.isRunning()).isFalse();
		this.nanoTime.addAndGet(WorkerHealthReporter.CHECK_INTERVAL_NANOS);
		reporter.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.REFUSING_TRAFFIC));
		assertThat(reporter.get()).isEqualTo(WorkerHealthReporter.SHUTTING_DOWN).isEqualTo("OUT_OF_SERVICE");
		assertThat(checks).hasValue(1);
	}

	@Test
	void stopsFirstOfAllLifecycles() {
		assertThat(reporter().getPhase()).isEqualTo(Integer.MAX_VALUE);
	}

	@Test
	void aClosedPoolIsNotAskedAfterTheContextClosed(CapturedOutput output) {
		AtomicReference<Supplier<String>> heartbeat = new AtomicReference<>();
		new ApplicationContextRunner().withBean("heartbeat", AtomicReference.class, () -> heartbeat)
			.withBean("nanoTime", AtomicLong.class, () -> this.nanoTime)
			.withUserConfiguration(PoolConfiguration.class)
			.run((context) -> {
				AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
				assertThat(heartbeat.get().get()).isEqualTo("UP");
				Pool pool = context.getBean(Pool.class);
				this.nanoTime.addAndGet(WorkerHealthReporter.CHECK_INTERVAL_NANOS);
				context.close();
				assertThat(pool.closed).isTrue();
				// the health thread's next check, after the pool closed
				assertThat(heartbeat.get().get()).isEqualTo("OUT_OF_SERVICE");
				assertThat(pool.checksAfterClose).hasValue(0);
			});
		assertThat(output).doesNotContain("Health check failed").doesNotContain("pool is closed");
	}

	@Configuration(proxyBeanMethods = false)
	static class PoolConfiguration {

		@Bean(destroyMethod = "close")
		Pool pool() {
			return new Pool();
		}

		@Bean
		HealthContributorRegistry healthContributorRegistry(Pool pool) {
			DefaultHealthContributorRegistry registry = new DefaultHealthContributorRegistry();
			registry.registerContributor("db", pool.healthIndicator());
			return registry;
		}

		@Bean
		WorkerHealthReporter workerHealthReporter(ObjectProvider<HealthContributorRegistry> registry,
				ObjectProvider<HealthEndpointGroups> groups, AtomicReference<Supplier<String>> heartbeat,
				AtomicLong nanoTime) {
			return new WorkerHealthReporter(registry, groups, heartbeat::set, nanoTime::get);
		}

	}

	/** A connection pool, as Hikari's: closed when its bean is destroyed, and its health check fails then. */
	static final class Pool {

		volatile boolean closed;

		final AtomicInteger checksAfterClose = new AtomicInteger();

		void close() {
			this.closed = true;
		}

		HealthIndicator healthIndicator() {
			return new AbstractHealthIndicator() {

				@Override
				protected void doHealthCheck(Health.Builder builder) {
					if (Pool.this.closed) {
						Pool.this.checksAfterClose.incrementAndGet();
						throw new IllegalStateException("pool is closed");
					}
					builder.up();
				}

			};
		}

	}

	/** A reporter in a worker that is ready. */
	private WorkerHealthReporter reporter() {
		WorkerHealthReporter reporter = startingReporter();
		reporter.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
		return reporter;
	}

	private WorkerHealthReporter startingReporter() {
		return new WorkerHealthReporter(provider(this.registry), provider(null), this.heartbeat::add,
				this.nanoTime::get);
	}

	private static HealthIndicator up() {
		return indicator(Status.UP);
	}

	private static HealthIndicator indicator(Status status) {
		return () -> Health.status(status).build();
	}

	private static <T> ObjectProvider<T> provider(T object) {
		return new ObjectProvider<>() {

			@Override
			public T getObject() {
				return object;
			}

			@Override
			public T getIfAvailable() {
				return object;
			}

		};
	}

}
