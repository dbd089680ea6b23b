package dev.bootsupervisor.master;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ExitReason;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * Recycles workers that leak or wore out, one at a time, as a rolling replacement of that one worker: its
 * replacement starts and becomes ready, only then does the old worker drain. Never more than one extra worker, never
 * fewer ready than configured, never two recycles at once. A reload or a scale goes first: it cancels the recycle
 * in progress, and the watchdog asks again once it is over.
 */
final class Recycling {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final SupervisorSettings settings;

	private final WorkerTable table;

	private final Restarts restarts;

	private final BooleanSupplier blocked;

	private final Deque<Request> queue = new ArrayDeque<>();

	private final Map<WorkerHandle, Instant> retryAt = new HashMap<>();

	private Request running;

	/**
	 * Create the recycling of a table.
	 * @param settings the settings
	 * @param table the worker table
	 * @param restarts counts each recycle as a restart with its reason
	 * @param blocked whether a recycle may not start now (the cluster is not running, a reload or a scale is)
	 */
	Recycling(SupervisorSettings settings, WorkerTable table, Restarts restarts, BooleanSupplier blocked) {
		this.settings = settings;
		this.table = table;
		this.restarts = restarts;
		this.blocked = blocked;
	}

	/**
	 * Ask for a worker to be recycled; a worker already queued, being recycled or waiting for a retry is left as
	 * it is.
	 * @param worker the worker
	 * @param reason the restart reason: {@code memory}, {@code max-requests} or {@code max-lifetime}
	 * @param detail what the watchdog saw
	 * @param now the current time
	 */
	void request(WorkerHandle worker, String reason, String detail, Instant now) {
		Instant retry = this.retryAt.get(worker);
		if (requested(worker) || (retry != null && now.isBefore(retry))) {
			return;
		}
		log.log(System.Logger.Level.INFO, "Worker {0} (pid {1}) will be recycled ({2}: {3}): a replacement starts "
				+ "first, then it drains", worker.workerId(), String.valueOf(worker.pid()), reason, detail);
		this.queue.add(new Request(worker, reason, detail));
		startNext(now);
	}

	/**
	 * Whether a worker is queued for recycling or being recycled.
	 * @param worker the worker
	 * @return whether it was requested
	 */
	boolean requested(WorkerHandle worker) {
		return (this.running != null && this.running.old == worker)
				|| this.queue.stream().anyMatch((request) -> request.old == worker);
	}

	/** Whether a recycle's replacement is starting. */
	boolean active() {
		return this.running != null;
	}

	/**
	 * Whether this worker is the replacement a recycle is starting.
	 * @param worker the worker
	 * @return whether it is
	 */
	boolean owns(WorkerHandle worker) {
		return this.running != null && this.running.replacement == worker;
	}

	/**
	 * Whether this worker is the one a recycle is replacing.
	 * @param worker the worker
	 * @return whether it is
	 */
	boolean replacing(WorkerHandle worker) {
		return this.running != null && this.running.old == worker;
	}

	/**
	 * Start the next queued recycle when nothing else replaces workers.
	 * @param now the current time
	 */
	void startNext(Instant now) {
		this.retryAt.keySet().removeIf((worker) -> !worker.state().isLive());
		while (this.running == null && !this.queue.isEmpty() && !this.blocked.getAsBoolean()
				&& this.table.replacement() == null && !anotherWorkerLeaving()) {
			Request request = this.queue.poll();
			WorkerSlot slot = this.table.slot(request.old.workerId());
			if (slot == null || slot.current() != request.old || request.old.state() != WorkerState.READY
					|| request.old.condemned()) {
				continue;
			}
			WorkerHandle replacement = this.table.spawnReplacement(slot, this.settings.startupTimeout(),
					ExitReason.KILLED_NOT_READY);
			if (replacement == null) {
				retryLater(request, "its replacement could not be started", now);
				continue;
			}
			this.restarts.count(request.reason);
			request.replacement = replacement;
			this.running = request;
		}
	}

	/**
	 * Whether a worker that no longer holds a slot still runs: the previous recycle's old worker still draining,
	 * or a hung or broken one being ended. A recycle started now would make it two extra workers.
	 */
	private boolean anotherWorkerLeaving() {
		return !this.table.retiring().isEmpty() || !this.table.condemnedOutsideSlots().isEmpty();
	}

	/**
	 * The recycle's replacement is ready: it takes the slot and the old worker drains.
	 * @param replacement the replacement
	 * @param now the current time
	 */
	void replacementReady(WorkerHandle replacement, Instant now) {
		Request done = this.running;
		this.running = null;
		replacement.transition(WorkerState.READY,
				"replacement ready, accepting connections (recycle: " + done.reason + ")", now);
		WorkerHandle old = this.table.promoteReplacement();
		if (old != null && old != replacement && old.state().isLive() && !old.condemned()
				&& !this.table.isRetiring(old)) {
			this.table.retire(old, "recycled (" + done.reason + ": " + done.detail + "); replaced by generation "
					+ replacement.generation(), now);
		}
		startNext(now);
	}

	/**
	 * The recycle's replacement exited before it was ready: the old worker keeps serving, and is recycled again
	 * after the longest restart backoff.
	 * @param replacement the replacement
	 * @param exit how it ended
	 * @param now the current time
	 * @return the worker that was to be replaced
	 */
	WorkerHandle replacementFailed(WorkerHandle replacement, ExitStatus exit, Instant now) {
		Request failed = this.running;
		this.running = null;
		this.table.dropReplacement();
		String what = replacement.killed() ? replacement.reason() : "exited with " + exit.describe()
				+ " before it was ready" + ((replacement.startupError() != null) ? ": " + replacement.startupError()
						: "");
		retryLater(failed, "its replacement (pid " + replacement.pid() + ") " + what, now);
		startNext(now);
		return failed.old;
	}

	/**
	 * Cancel the recycle in progress and the queued ones: a reload or a scale replaces workers now.
	 * @param why what goes first
	 * @param now the current time
	 */
	void cancel(String why, Instant now) {
		if (this.running != null) {
			WorkerHandle replacement = this.running.replacement;
			log.log(System.Logger.Level.INFO, "Recycle of worker {0} cancelled: {1} goes first; its replacement "
					+ "(pid {2}) stops", replacement.workerId(), why, String.valueOf(replacement.pid()));
			this.table.dropReplacement();
			this.table.retire(replacement, "recycle cancelled: " + why, now);
			this.running = null;
		}
		this.queue.clear();
	}

	private void retryLater(Request request, String why, Instant now) {
		Instant retry = now.plus(this.settings.backoffMax());
		this.retryAt.put(request.old, retry);
		log.log(System.Logger.Level.ERROR, "Recycling worker {0} (pid {1}) failed: {2}; it keeps serving, and is "
				+ "recycled again in {3} if it still needs to be", request.old.workerId(),
				String.valueOf(request.old.pid()), why, Durations.format(this.settings.backoffMax()));
	}

	/**
	 * One worker to recycle, and its replacement once started.
	 */
	private static final class Request {

		private final WorkerHandle old;

		private final String reason;

		private final String detail;

		private WorkerHandle replacement;

		Request(WorkerHandle old, String reason, String detail) {
			this.old = old;
			this.reason = reason;
			this.detail = detail;
		}

	}

}
