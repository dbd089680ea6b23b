package dev.bootsupervisor.master;

import java.time.Clock;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;

/**
 * Changes the number of workers: adds slots or retires the highest ones, and tells who asked once the cluster has
 * that many ready workers and the workers scaled down have exited, or why not.
 */
final class Scaling {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final SupervisorSettings settings;

	private final WorkerTable table;

	private final Clock clock;

	private final Supplier<ClusterPhase> phase;

	private final BooleanSupplier reloading;

	private final Consumer<String> preempt;

	private PendingScale pending;

	Scaling(SupervisorSettings settings, WorkerTable table, Clock clock, Supplier<ClusterPhase> phase,
			BooleanSupplier reloading, Consumer<String> preempt) {
		this.preempt = preempt;
		this.settings = settings;
		this.table = table;
		this.clock = clock;
		this.phase = phase;
		this.reloading = reloading;
	}

	/**
	 * The scale in progress.
	 * @return it, {@code null} when none
	 */
	PendingScale pending() {
		return this.pending;
	}

	/**
	 * The number of workers the cluster has or is scaling to.
	 * @return the number
	 */
	int target() {
		return (this.pending != null) ? this.pending.target() : this.table.size();
	}

	/**
	 * Change the number of workers.
	 * @param target the new number
	 * @param trigger what asked for it
	 * @param requester the worker whose actuator request asked for it, {@code null} for none
	 * @param waiter told the outcome
	 */
	void scale(int target, String trigger, WorkerHandle requester, BiConsumer<Boolean, String> waiter) {
		String refusal = null;
		ClusterPhase phase = this.phase.get();
		if (phase != ClusterPhase.RUNNING) {
			refusal = "cannot scale while the cluster is " + phase.label();
		}
		else if (this.reloading.getAsBoolean()) {
			refusal = "cannot scale while a reload is in progress";
		}
		else if (target < 1 || target > ClusterView.MAX_WORKERS) {
			refusal = "cannot scale to " + target + " workers: expected 1 to " + ClusterView.MAX_WORKERS;
		}
		if (refusal != null) {
			waiter.accept(false, refusal);
			return;
		}
		Instant now = this.clock.instant();
		this.preempt.accept("a scale to " + target + " workers (" + trigger + ")");
		if (this.pending != null && this.pending.target() == target) {
			this.pending.addWaiter(requester, waiter);
			return;
		}
		if (this.pending != null) {
			this.pending.report(false, "superseded by a scale to " + target + " workers (" + trigger + ")");
		}
		int current = this.table.size();
		if (target != current) {
			log.log(System.Logger.Level.INFO, "Scaling {0} from {1} to {2} workers ({3})", this.settings.name(),
					current, target, trigger);
		}
		PendingScale scale = new PendingScale(target, trigger, now,
				this.settings.startupTimeout().plus(this.settings.shutdownTimeout()));
		scale.addWaiter(requester, waiter);
		for (int id = current + 1; id <= target; id++) {
			this.table.spawn(this.table.addSlot(id));
		}
		for (int id = current; id > target; id--) {
			WorkerHandle worker = this.table.removeSlot(id).current();
			if (worker != null && worker.state().isLive()) {
				this.table.retire(worker, "scaled down to " + target + " workers", now);
				scale.retired(worker);
			}
		}
		this.pending = scale;
		check(now);
	}

	/**
	 * Tell the outcome of the scale in progress once it is known.
	 * @param now the current time
	 */
	void check(Instant now) {
		if (this.pending == null) {
			return;
		}
		int target = this.pending.target();
		long ready = this.table.readyCount();
		String failed = this.table.failedSlots();
		if (ready == target && this.pending.retiredGone()) {
			finish(true, "scaled to " + target + " workers in " + Durations.format(this.pending.elapsed(now)));
		}
		else if (failed != null) {
			finish(false, "scale to " + target + " workers failed: worker slot(s) " + failed + " failed; " + ready
					+ " of " + target + " workers ready");
		}
		else if (this.pending.overdue(now)) {
			finish(false, "scale to " + target + " workers did not complete within "
					+ Durations.format(this.pending.timeout()) + ": " + ready + " of " + target + " workers ready, "
					+ this.pending.retiredLeft() + " still stopping");
		}
	}

	/**
	 * End the scale in progress because the master stops.
	 * @param why why the master stops
	 */
	void interrupt(String why) {
		if (this.pending != null) {
			finish(false, "scale interrupted: the master is stopping (" + why + ")");
		}
	}

	private void finish(boolean success, String message) {
		PendingScale done = this.pending;
		this.pending = null;
		done.report(success, message);
	}

}
