package dev.bootsupervisor.health;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * The health status this worker sends to the master with its heartbeats: the aggregate of its health contributors
 * in the primary health group, except {@value SupervisorHealthIndicator#NAME}, so the cluster's state does not feed
 * back into each worker's own health.
 * <p>
 * Heartbeats come every second; the contributors are checked at most every few seconds, and at once after an
 * availability change (ready, draining), so that the master sees those without delay. Until the application is
 * ready (accepting traffic for the first time) the status is {@code UNKNOWN} and no contributor is asked: a starting
 * worker's figures mean nothing yet, and its liveness reads {@code BROKEN} (so {@code DOWN}) until the context is
 * refreshed.
 * <p>
 * When the application context closes, the checks stop first of all lifecycles, before the web server drains and
 * long before the beans are destroyed: a contributor is never asked about a resource already closed (a pool, a
 * client), which would log a warning and a stack trace at every stop. From then on the worker reports
 * {@value #SHUTTING_DOWN}, as its readiness does.
 */
public class WorkerHealthReporter implements Supplier<String>, SmartInitializingSingleton,
		ApplicationListener<AvailabilityChangeEvent<?>>, SmartLifecycle {

	/** The status reported once the application context is closing. */
	public static final String SHUTTING_DOWN = "OUT_OF_SERVICE";

	static final long CHECK_INTERVAL_NANOS = 5_000_000_000L;

	private final ObjectProvider<HealthContributorRegistry> registry;

	private final ObjectProvider<HealthEndpointGroups> groups;

	private final Consumer<Supplier<String>> heartbeat;

	private final LongSupplier nanoTime;

	private volatile String status;

	private volatile long checkedAt;

	private volatile boolean stopped;

	private volatile boolean ready;

	/**
	 * Create a reporter.
	 * @param registry the health contributors
	 * @param groups the health groups, to know the primary group's members and status aggregation, if any
	 * @param heartbeat where to register this reporter as the heartbeat's health source
	 */
	public WorkerHealthReporter(ObjectProvider<HealthContributorRegistry> registry,
			ObjectProvider<HealthEndpointGroups> groups, Consumer<Supplier<String>> heartbeat) {
		this(registry, groups, heartbeat, System::nanoTime);
	}

	WorkerHealthReporter(ObjectProvider<HealthContributorRegistry> registry,
			ObjectProvider<HealthEndpointGroups> groups, Consumer<Supplier<String>> heartbeat,
			LongSupplier nanoTime) {
		this.registry = registry;
		this.groups = groups;
		this.heartbeat = heartbeat;
		this.nanoTime = nanoTime;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.heartbeat.accept(this);
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
			this.ready = true;
		}
		this.status = null;
	}

	@Override
	public void start() {
		this.stopped = false;
	}

	/**
	 * Stop checking the contributors: the context is closing.
	 */
	@Override
	public void stop() {
		this.stopped = true;
	}

	@Override
	public boolean isRunning() {
		return !this.stopped;
	}

	/**
	 * First of all lifecycles, so last to start and first to stop, with the leadership.
	 * @return {@link Integer#MAX_VALUE}
	 */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

	@Override
	public String get() {
		if (this.stopped) {
			return SHUTTING_DOWN;
		}
		if (!this.ready) {
			// Before the application is ready its liveness reads BROKEN (DOWN) by default, and a result computed
			// then would be cached, and sent, after the worker is ready
			return Status.UNKNOWN.getCode();
		}
		String status = this.status;
		long now = this.nanoTime.getAsLong();
		if (status == null || now - this.checkedAt >= CHECK_INTERVAL_NANOS) {
			status = check().getCode();
			this.checkedAt = now;
			this.status = status;
		}
		return status;
	}

	private Status check() {
		HealthContributorRegistry registry = this.registry.getIfAvailable();
		if (registry == null) {
			return Status.UNKNOWN;
		}
		HealthEndpointGroups groups = this.groups.getIfAvailable();
		HealthEndpointGroup primary = (groups != null) ? groups.getPrimary() : null;
		StatusAggregator aggregator = (primary != null) ? primary.getStatusAggregator() : StatusAggregator.getDefault();
		Set<Status> statuses = new HashSet<>();
		for (HealthContributors.Entry entry : registry) {
			if (!entry.name().equals(SupervisorHealthIndicator.NAME)
					&& (primary == null || primary.isMember(entry.name()))) {
				statuses.add(status(entry.contributor(), aggregator));
			}
		}
		return aggregator.getAggregateStatus(statuses);
	}

	private static Status status(HealthContributor contributor, StatusAggregator aggregator) {
		try {
			if (contributor instanceof HealthIndicator indicator) {
				Health health = indicator.health(false);
				return (health != null) ? health.getStatus() : Status.UNKNOWN;
			}
			Set<Status> statuses = new HashSet<>();
			for (HealthContributors.Entry entry : (CompositeHealthContributor) contributor) {
				statuses.add(status(entry.contributor(), aggregator));
			}
			return aggregator.getAggregateStatus(statuses);
		}
		catch (RuntimeException ex) {
			return Status.DOWN;
		}
	}

}
