package dev.bootsupervisor.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.DefaultHealthContributorRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerHealthReporter}.
 */
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

	private WorkerHealthReporter reporter() {
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
