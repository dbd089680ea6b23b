package dev.bootsupervisor.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerState;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * Cluster views for tests: a master started a minute before the view was taken, and its workers.
 */
public final class ClusterViews {

	/** When the views were taken. */
	public static final Instant AT = Instant.parse("2026-01-01T12:00:00Z");

	/** When the master started. */
	public static final Instant MASTER_STARTED_AT = AT.minus(Duration.ofMinutes(1));

	private ClusterViews() {
	}

	/**
	 * A view of 2 configured workers.
	 * @param restarts restarts by reason
	 * @param workers the workers
	 * @return the view
	 */
	public static ClusterView of(Map<String, Integer> restarts, WorkerView... workers) {
		int live = (int) List.of(workers).stream().filter((w) -> w.state() != WorkerState.STOPPED).count();
		return new ClusterView("app", 100, MASTER_STARTED_AT, ClusterPhase.RUNNING, 2, live, 8080, "inherited", AT,
				List.of(workers), restarts, Map.of());
	}

	/**
	 * A ready worker, started 30 s before the view, with its first heartbeat done.
	 * @param id the id
	 * @param pid the pid
	 * @return the worker
	 */
	public static WorkerView ready(int id, long pid) {
		return worker(id, pid, WorkerState.READY);
	}

	/**
	 * A worker with the given state, started 30 s before the view, without a previous exit.
	 * @param id the id
	 * @param pid the pid
	 * @param state the state
	 * @return the worker
	 */
	public static WorkerView worker(int id, long pid, WorkerState state) {
		Instant started = AT.minus(Duration.ofSeconds(30));
		return new WorkerView(id, pid, 1, state, started, "started", started, 0, null,
				new WorkerView.Heap(50_000_000, 256_000_000), "UP");
	}

	/**
	 * A worker killed by SIGKILL 3 s before the view, its slot's next worker due 2 s after the view.
	 * @param id the id
	 * @param pid the pid
	 * @return the worker
	 */
	public static WorkerView restarting(int id, long pid) {
		Instant started = AT.minus(Duration.ofSeconds(30));
		Instant exited = AT.minus(Duration.ofSeconds(3));
		return new WorkerView(id, pid, 1, WorkerState.RESTARTING, exited, "crashed, signal KILL (exit code 137)",
				started, 0, new WorkerView.LastExit(137, "KILL", exited, "crashed"), null, "UNKNOWN", false,
				AT.plusSeconds(2));
	}

	/**
	 * A ready worker of generation 2 that replaced one killed by SIGKILL, before its first heartbeat.
	 * @param id the id
	 * @param pid the pid
	 * @return the worker
	 */
	public static WorkerView restarted(int id, long pid) {
		Instant started = AT.minus(Duration.ofSeconds(5));
		return new WorkerView(id, pid, 2, WorkerState.READY, started, "ready", started, 1,
				new WorkerView.LastExit(137, "KILL", started.minusSeconds(1), "crashed"), null, "UNKNOWN");
	}

}
