package dev.bootsupervisor.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerView;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * {@link org.springframework.boot.health.contributor.HealthIndicator HealthIndicator} of the cluster: UP while at
 * least the minimum number of workers are ready, DOWN below, with each worker's state in the details. Part of the
 * readiness group, so an instance with too few ready workers gets no traffic; not part of liveness, so a worker
 * restart does not get the whole instance killed. A restarting worker is not ready: it counts as one fewer ready
 * worker, not as a failure of the cluster.
 */
public class SupervisorHealthIndicator extends AbstractHealthIndicator {

	/** The contributor's name in the health endpoint and its groups. */
	public static final String NAME = "supervisor";

	private final ClusterViewSource source;

	private final int minReadyWorkers;

	public SupervisorHealthIndicator(ClusterViewSource source, int minReadyWorkers) {
		super("Cannot get the cluster view from the master");
		this.source = source;
		this.minReadyWorkers = minReadyWorkers;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) throws Exception {
		ClusterView view = this.source.clusterView();
		long ready = view.workers().stream().filter(WorkerView::ready).count();
		builder.status((ready >= this.minReadyWorkers) ? Status.UP : Status.DOWN)
			.withDetail("readyWorkers", ready)
			.withDetail("minReadyWorkers", this.minReadyWorkers)
			.withDetail("configuredWorkers", view.configuredWorkers())
			.withDetail("workers", view.workers().stream().map(SupervisorHealthIndicator::describe).toList());
	}

	private static Map<String, Object> describe(WorkerView worker) {
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("id", worker.id());
		description.put("pid", worker.pid());
		description.put("state", worker.state().label());
		description.put("health", worker.health());
		if (worker.restartAt() != null) {
			description.put("restartAt", worker.restartAt());
		}
		return description;
	}

}
