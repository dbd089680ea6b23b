package dev.bootsupervisor.master;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * Builds the {@link ClusterView} snapshot of the master's worker table.
 */
final class ClusterViews {

	private ClusterViews() {
	}

	static ClusterView of(SupervisorSettings settings, Collection<WorkerSlot> slots, List<WorkerHandle> retiring,
			RollingReload reload, Master.Phase phase, Instant launchedAt, int port, Instant now,
			Map<String, Integer> restartsByReason, Map<String, Integer> reloadsByOutcome, int liveWorkers) {
		List<WorkerView> workers = new ArrayList<>();
		for (WorkerSlot slot : slots) {
			if (slot.current() != null) {
				workers.add(worker(slot.current(), slot, slot.failed()));
			}
			if (reload != null && reload.replacement() != null && reload.replacement().workerId() == slot.id()) {
				workers.add(worker(reload.replacement(), slot, false));
			}
		}
		for (WorkerHandle worker : retiring) {
			workers.add(worker(worker, null, false));
		}
		return new ClusterView(settings.name(), ProcessHandle.current().pid(), launchedAt,
				phase.name().toLowerCase(Locale.ROOT), slots.size(), liveWorkers, port,
				(port >= 0) ? "inherited listening socket" : "none", now, workers, restartsByReason,
				reloadsByOutcome);
	}

	private static WorkerView worker(WorkerHandle worker, WorkerSlot slot, boolean slotFailed) {
		WorkerHeartbeat heartbeat = worker.lastHeartbeat();
		ExitStatus exit = (slot != null) ? slot.lastExit() : worker.exit();
		String state = slotFailed ? "failed" : worker.state().label();
		return new WorkerView(worker.workerId(), worker.pid(), worker.generation(), state, worker.stateSince(),
				worker.reason(), worker.startedAt(), worker.state() == WorkerState.READY,
				(slot != null) ? slot.restarts() : 0, (exit != null) ? exit.code() : null,
				(exit != null) ? exit.signal() : null, (exit != null) ? exit.at() : null,
				(exit != null) ? exit.reason() : null, (heartbeat != null) ? heartbeat.heapUsed() : -1,
				(heartbeat != null) ? heartbeat.heapMax() : -1, (heartbeat != null) ? heartbeat.health() : "UNKNOWN");
	}

}
