package dev.bootsupervisor.metrics;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerState;
import dev.bootsupervisor.protocol.WorkerView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@link MeterBinder} of the cluster, as the master sees it: workers by state, restarts by reason, the uptime of
 * each worker and of the master. Every worker reports the same values, whichever one is scraped.
 * <p>
 * Meters for worker ids and restart reasons that appear later (a scaled-up cluster, a new reason) are registered
 * when a view first shows them.
 */
public class SupervisorMetrics implements MeterBinder {

	/** The states of a worker, each one a {@code supervisor.workers} gauge. */
	static final List<WorkerState> STATES = List.of(WorkerState.values());

	/** The restart reasons known up front, each one a {@code supervisor.worker.restarts} counter. */
	static final List<String> REASONS = List.of("crash", "startup-timeout", "hung", "broken", "memory",
			"max-requests", "max-lifetime");

	private final ClusterViewSource source;

	private final Set<MeterRegistry> registries = ConcurrentHashMap.newKeySet();

	private final Set<Integer> workerIds = ConcurrentHashMap.newKeySet();

	private final Set<String> reasons = ConcurrentHashMap.newKeySet();

	private final Map<String, Integer> lastRestarts = new ConcurrentHashMap<>();

	private final Map<String, Integer> lastReloads = new ConcurrentHashMap<>();

	private volatile int lastLeaderChanges;

	/** The outcomes of a rolling reload, each one a {@code supervisor.reloads} counter. */
	static final List<String> OUTCOMES = List.of("success", "failure");

	public SupervisorMetrics(ClusterViewSource source) {
		this.source = source;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		TimeGauge.builder("supervisor.master.uptime", this, TimeUnit.MILLISECONDS, SupervisorMetrics::masterUptime)
			.description("How long the master of this worker has been running")
			.register(registry);
		for (WorkerState state : STATES) {
			Gauge.builder("supervisor.workers", this, (metrics) -> metrics.workers(state))
				.description("Number of worker processes in a state")
				.baseUnit("workers")
				.tag("state", state.label())
				.register(registry);
		}
		REASONS.forEach((reason) -> registerRestarts(registry, reason));
		for (String outcome : OUTCOMES) {
			FunctionCounter.builder("supervisor.reloads", this, (metrics) -> metrics.reloads(outcome))
				.description("Number of rolling reloads that ended, by outcome")
				.baseUnit("reloads")
				.tag("outcome", outcome)
				.register(registry);
		}
		FunctionCounter.builder("supervisor.leader.changes", this, SupervisorMetrics::leaderChanges)
			.description("Number of times the master granted leadership to a worker")
			.baseUnit("changes")
			.register(registry);
		Gauge.builder("supervisor.leader.epoch", this, SupervisorMetrics::leaderEpoch)
			.description("Epoch of the latest leadership grant, the fencing token of the leader")
			.register(registry);
		this.reasons.forEach((reason) -> registerRestarts(registry, reason));
		ClusterView view = view();
		int configured = (view != null) ? view.configuredWorkers() : 0;
		for (int id = 1; id <= configured; id++) {
			this.workerIds.add(id);
		}
		this.workerIds.forEach((id) -> registerUptime(registry, id));
	}

	private void registerRestarts(MeterRegistry registry, String reason) {
		if (registry.find("supervisor.worker.restarts").tag("reason", reason).functionCounter() != null) {
			return;
		}
		FunctionCounter.builder("supervisor.worker.restarts", this, (metrics) -> metrics.restarts(reason))
			.description("Number of workers the master restarted, by reason")
			.baseUnit("restarts")
			.tag("reason", reason)
			.register(registry);
	}

	private void registerUptime(MeterRegistry registry, int id) {
		// Registered when the binder is bound and when a view first shows the worker: once is enough
		if (registry.find("supervisor.worker.uptime").tag("worker", Integer.toString(id)).timeGauge() != null) {
			return;
		}
		TimeGauge.builder("supervisor.worker.uptime", this, TimeUnit.MILLISECONDS, (metrics) -> metrics.uptime(id))
			.description("How long the current process of a worker slot has been running")
			.tag("worker", Integer.toString(id))
			.register(registry);
	}

	private double masterUptime() {
		ClusterView view = view();
		return (view != null) ? Duration.between(view.masterStartedAt(), view.at()).toMillis() : Double.NaN;
	}

	private double workers(WorkerState state) {
		ClusterView view = view();
		return (view != null) ? view.workers().stream().filter((w) -> w.state() == state).count() : Double.NaN;
	}

	private double restarts(String reason) {
		// A counter must not drop to NaN when the master is slow to answer: keep the last count seen
		view();
		return this.lastRestarts.getOrDefault(reason, 0);
	}

	private double reloads(String outcome) {
		view();
		return this.lastReloads.getOrDefault(outcome, 0);
	}

	private double leaderChanges() {
		view();
		return this.lastLeaderChanges;
	}

	private double leaderEpoch() {
		ClusterView view = view();
		return (view != null) ? view.leaderEpoch() : Double.NaN;
	}

	private double uptime(int id) {
		ClusterView view = view();
		WorkerView worker = (view != null) ? view.worker(id) : null;
		if (worker == null || !worker.alive()) {
			return Double.NaN;
		}
		return Duration.between(worker.startedAt(), view.at()).toMillis();
	}

	private ClusterView view() {
		ClusterView view;
		try {
			view = this.source.clusterView();
		}
		catch (IOException ex) {
			return null;
		}
		this.lastRestarts.putAll(view.restartsByReason());
		this.lastReloads.putAll(view.reloadsByOutcome());
		this.lastLeaderChanges = view.leaderChanges();
		discover(view);
		return view;
	}

	private void discover(ClusterView view) {
		for (String reason : view.restartsByReason().keySet()) {
			if (!REASONS.contains(reason) && this.reasons.add(reason)) {
				this.registries.forEach((registry) -> registerRestarts(registry, reason));
			}
		}
		for (WorkerView worker : view.workers()) {
			if (this.workerIds.add(worker.id())) {
				this.registries.forEach((registry) -> registerUptime(registry, worker.id()));
			}
		}
	}

}
