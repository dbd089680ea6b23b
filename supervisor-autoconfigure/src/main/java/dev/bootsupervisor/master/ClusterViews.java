package dev.bootsupervisor.master;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.CdsView;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.ReloadRecord;
import dev.bootsupervisor.protocol.WorkerState;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * Builds the {@link ClusterView} snapshot of the master's worker table.
 */
final class ClusterViews {

	private ClusterViews() {
	}

	static ClusterView of(SupervisorSettings settings, WorkerTable table, ClusterPhase phase, Instant launchedAt,
			int port, Instant now, Map<String, Integer> restartsByReason, Map<String, Integer> reloadsByOutcome,
			Leadership leadership, CdsView cds, List<ReloadRecord> reloadHistory) {
		List<WorkerView> workers = new ArrayList<>();
		WorkerHandle replacement = table.replacement();
		for (WorkerSlot slot : table.slots()) {
			if (slot.current() != null) {
				workers.add(worker(slot.current(), slot, slot.failed()));
			}
			if (replacement != null && replacement.workerId() == slot.id()) {
				workers.add(worker(replacement, slot, false));
			}
		}
		for (WorkerHandle worker : table.retiring()) {
			workers.add(worker(worker, null, false));
		}
		for (WorkerHandle worker : table.condemnedOutsideSlots()) {
			workers.add(worker(worker, null, false));
		}
		return new ClusterView(settings.name(), ProcessHandle.current().pid(), launchedAt, phase, table.size(),
				table.live().size(), port, (port >= 0) ? "inherited listening socket" : "none", now, workers,
				restartsByReason, reloadsByOutcome, leadership.epoch(), leadership.changes(), cds, reloadHistory);
	}

	private static WorkerView worker(WorkerHandle worker, WorkerSlot slot, boolean slotFailed) {
		WorkerHeartbeat heartbeat = worker.lastHeartbeat();
		ExitStatus exit = (slot != null) ? slot.lastExit() : worker.exit();
		// a worker still draining when its slot was given up already reads failed
		WorkerState state = slotFailed ? WorkerState.FAILED : worker.state();
		Instant restartAt = (state == WorkerState.RESTARTING && slot != null) ? slot.restartAt() : null;
		return new WorkerView(worker.workerId(), worker.pid(), worker.generation(), state, worker.stateSince(),
				worker.reason(), worker.startedAt(), (slot != null) ? slot.restarts() : 0,
				(exit != null) ? new WorkerView.LastExit(exit.code(), exit.signal(), exit.at(), exit.reason()) : null,
				(heartbeat != null) ? new WorkerView.Heap(heartbeat.heapUsed(), heartbeat.heapMax()) : null,
				(heartbeat != null) ? heartbeat.health() : "UNKNOWN", !slotFailed && worker.leads(), restartAt,
				(heartbeat != null && worker.state().isLive()) ? (int) Math.min(Integer.MAX_VALUE, heartbeat.connections())
						: -1);
	}

}
