package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * Schedules the restart of a slot whose worker crashed, as the {@link RestartPolicy} decides, starts it when it is
 * due, and fails the slot in a crash loop; when no slot is left serving, the master stops. The worker that ended
 * reads {@code restarting} while its slot waits, {@code failed} only once its slot is given up.
 */
final class Restarts {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final SupervisorSettings settings;

	private final WorkerTable table;

	private final RestartPolicy policy;

	private final Consumer<String> stop;

	private final Map<String, Integer> byReason = new TreeMap<>();

	/**
	 * Create the restart scheduling of a table.
	 * @param settings the settings
	 * @param table the worker table
	 * @param stop stops the master, with why, when no worker is left serving
	 */
	Restarts(SupervisorSettings settings, WorkerTable table, Consumer<String> stop) {
		this.settings = settings;
		this.table = table;
		this.policy = new RestartPolicy(settings);
		this.stop = stop;
	}

	Map<String, Integer> byReason() {
		return this.byReason;
	}

	/**
	 * Start the workers whose restart is due.
	 * @param now the current time
	 */
	void startDue(Instant now) {
		for (WorkerSlot slot : this.table.slots()) {
			if (slot.restartAt() != null && !now.isBefore(slot.restartAt())) {
				slot.restartAt(null);
				slot.countRestart();
				this.byReason.merge(slot.restartReason(), 1, Integer::sum);
				if (this.table.spawn(slot) == null) {
					crashed(slot, null, now);
				}
			}
		}
	}

	/**
	 * A slot's current worker ended without being asked to, or could not be started: schedule its restart, or fail
	 * the slot.
	 * @param slot the slot
	 * @param worker the worker that ended, {@code null} when none could be started
	 * @param now the current time
	 */
	void crashed(WorkerSlot slot, WorkerHandle worker, Instant now) {
		String reason = (worker != null && worker.exit() != null && worker.exit().cause().notReadyInTime())
				? "startup-timeout" : "crash";
		schedule(slot, worker, reason, now);
	}

	/**
	 * A slot's current worker is being ended by the watchdog (hung or broken): schedule the start of its
	 * replacement as for a crash, with the same backoff and crash-loop limit, so a worker that hangs at every
	 * start cannot loop forever.
	 * @param slot the slot
	 * @param worker the worker being ended
	 * @param reason the restart reason, {@code hung} or {@code broken}
	 * @param now the current time
	 */
	void replace(WorkerSlot slot, WorkerHandle worker, String reason, Instant now) {
		schedule(slot, worker, reason, now);
	}

	/**
	 * Count a restart that another collaborator started (a recycle), under its reason.
	 * @param reason the reason
	 */
	void count(String reason) {
		this.byReason.merge(reason, 1, Integer::sum);
	}

	private void schedule(WorkerSlot slot, WorkerHandle worker, String reason, Instant now) {
		Duration readyFor = (worker != null) ? worker.readyFor(now) : Duration.ZERO;
		Duration delay = this.policy.onCrash(slot.history(), readyFor);
		WorkerHandle exited = exited(slot, worker);
		if (delay == null) {
			slot.fail();
			if (exited != null) {
				WorkerTable.settle(exited, WorkerState.FAILED, "crash loop, not restarted", now);
			}
			log.log(System.Logger.Level.ERROR,
					"Worker slot {0} failed: crash loop, {1} restarts in a row and no worker stayed ready for {2}; "
							+ "it will not be restarted",
					slot.id(), this.settings.maxRestarts(), Durations.format(this.settings.restartWindow()));
			if (this.table.allFailed()) {
				log.log(System.Logger.Level.ERROR, "No worker of {0} is left serving; stopping",
						this.settings.name());
				this.stop.accept("no worker left serving");
			}
			return;
		}
		slot.restartAt(now.plus(delay));
		slot.restartReason(reason);
		if (exited != null) {
			WorkerTable.settle(exited, WorkerState.RESTARTING, null, now);
		}
		log.log(System.Logger.Level.INFO, "Worker {0} will be restarted in {1}", slot.id(), Durations.format(delay));
	}

	/**
	 * The slot's worker that has exited and whose state follows from this decision: the one that ended, or the one
	 * left in its slot when none could be started.
	 * @return the worker, {@code null} when it still runs (the watchdog is ending it: its exit settles it)
	 */
	private static WorkerHandle exited(WorkerSlot slot, WorkerHandle worker) {
		WorkerHandle ended = (worker != null) ? worker : slot.current();
		return (ended != null && ended.exit() != null && slot.current() == ended) ? ended : null;
	}

	/**
	 * A replacement failed while the worker it was to replace had already exited or was being ended: nothing else
	 * restarts that slot, so it is restarted as after a crash.
	 * @param slot the replacement's slot, {@code null} when it was scaled away
	 * @param now the current time
	 */
	void ifLeftEmpty(WorkerSlot slot, Instant now) {
		if (slot == null || slot.failed() || slot.restartAt() != null || this.table.replacement() != null) {
			return;
		}
		WorkerHandle current = slot.current();
		if (current == null || !current.state().isLive() || current.condemned()) {
			crashed(slot, current, now);
		}
	}

	/**
	 * Cancel every scheduled restart: the master stops, and the slots that waited for one are stopped.
	 * @param why why the master stops
	 * @param now the current time
	 */
	void cancelAll(String why, Instant now) {
		for (WorkerSlot slot : this.table.slots()) {
			WorkerHandle waiting = slot.current();
			if (waiting != null && waiting.state() == WorkerState.RESTARTING) {
				WorkerTable.settle(waiting, WorkerState.STOPPED, "not restarted: the master is stopping (" + why + ")",
						now);
			}
			slot.restartAt(null);
		}
	}

}
