package dev.bootsupervisor.health;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.availability.AvailabilityChangeEvent;
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

/**
 * The health status this worker sends to the master with its heartbeats: the aggregate of its health contributors
 * in the primary health group, except {@value SupervisorHealthIndicator#NAME}, so the cluster's state does not feed
 * back into each worker's own health.
 * <p>
 * Heartbeats come every second; the contributors are checked at most every few seconds, and at once after an
 * availability change (ready, draining), so that the master sees those without delay.
 */
public class WorkerHealthReporter
		implements Supplier<String>, SmartInitializingSingleton, ApplicationListener<AvailabilityChangeEvent<?>> {

	static final long CHECK_INTERVAL_NANOS = 5_000_000_000L;

	private final ObjectProvider<HealthContributorRegistry> registry;

	private final ObjectProvider<HealthEndpointGroups> groups;

	private final Consumer<Supplier<String>> heartbeat;

	private final LongSupplier nanoTime;

	private volatile String status;

	private volatile long checkedAt;

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
		this.status = null;
	}

	@Override
	public String get() {
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
