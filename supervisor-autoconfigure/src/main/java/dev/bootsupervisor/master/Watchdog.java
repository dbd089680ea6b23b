package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.WatchdogSettings;
import dev.bootsupervisor.protocol.BrokenCause;
import dev.bootsupervisor.protocol.ExitReason;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * Watches every ready worker through its heartbeats: a worker that went silent, or whose requests are stuck, is
 * hung; one that reported itself broken is broken; both are ended at once and replaced. A worker that leaks (its old
 * generation stays full after collections) or wore out (max requests, max lifetime) is handed to
 * {@link Recycling}. A silent worker that keeps using CPU is paused (a long collection), not hung, and gets one
 * more timeout.
 */
final class Watchdog {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	/** How long a hung or broken worker's thread dump may take before TERM. */
	static final Duration DUMP_GRACE = Duration.ofSeconds(1);

	/** How long after TERM a hung or broken worker is killed: it cannot be trusted to drain. */
	static final Duration KILL_GRACE = Duration.ofSeconds(2);

	/** Collections in a row above the limit that make a worker a leak. */
	private static final int COLLECTIONS_IN_A_ROW = 3;

	private final WatchdogSettings settings;

	private final WorkerTable table;

	private final Restarts restarts;

	private final Recycling recycling;

	private final RandomGenerator random;

	private final LongFunction<ProcessSample> sampler;

	private final HangDetector hangs;

	private final Map<WorkerHandle, WorkerWatch> watches = new IdentityHashMap<>();

	private Instant lastCheck;

	/**
	 * Create the watchdog of a table.
	 * @param settings what it watches for
	 * @param table the worker table
	 * @param restarts schedules the replacement of a hung or broken worker
	 * @param recycling recycles leaking and worn-out workers
	 * @param random draws each worker's max-requests jitter
	 * @param sampler reads a process's state and CPU time by pid
	 */
	Watchdog(WatchdogSettings settings, WorkerTable table, Restarts restarts, Recycling recycling,
			RandomGenerator random, LongFunction<ProcessSample> sampler) {
		this.settings = settings;
		this.table = table;
		this.restarts = restarts;
		this.recycling = recycling;
		this.random = random;
		this.sampler = sampler;
		this.hangs = new HangDetector(settings.timeout(), sampler);
	}

	/**
	 * Check every ready worker.
	 * @param now the current time
	 */
	void check(Instant now) {
		restartCountsAfterAPause(now);
		this.watches.keySet().removeIf((worker) -> !worker.state().isLive());
		for (WorkerSlot slot : List.copyOf(this.table.slots())) {
			WorkerHandle worker = slot.current();
			if (worker == null || worker.state() != WorkerState.READY || worker.condemned()) {
				continue;
			}
			WorkerWatch watch = this.watches.computeIfAbsent(worker, (w) -> new WorkerWatch(w, limit(), now));
			watch.observe(worker.lastHeartbeat());
			String hung = this.settings.watchesHangs() ? this.hangs.hung(worker, watch, now) : null;
			if (hung != null) {
				condemn(slot, worker, ExitReason.KILLED_HUNG, "hung", hung, now);
			}
			else if (!this.recycling.requested(worker)) {
				recycleIfDue(worker, watch, now);
			}
		}
		checkCanary(now);
		this.recycling.startNext(now);
	}

	/**
	 * A reload's canary serves beside the old workers, its slot not yet its own: a hang ends it like any worker, and
	 * the reload is rolled back. Recycling does not apply to it.
	 */
	private void checkCanary(Instant now) {
		WorkerHandle canary = this.table.replacement();
		WorkerSlot slot = (canary != null) ? this.table.slot(canary.workerId()) : null;
		if (slot == null || canary.state() != WorkerState.READY || canary.condemned() || !this.settings.watchesHangs()) {
			return;
		}
		WorkerWatch watch = this.watches.computeIfAbsent(canary, (w) -> new WorkerWatch(w, limit(), now));
		watch.observe(canary.lastHeartbeat());
		String hung = this.hangs.hung(canary, watch, now);
		if (hung != null) {
			condemn(slot, canary, ExitReason.KILLED_HUNG, "hung", hung, now);
		}
	}

	/**
	 * A worker reported itself broken: end it and replace it.
	 * @param worker the worker
	 * @param cause what broke it
	 * @param detail what it reported
	 * @param now the current time
	 */
	void broken(WorkerHandle worker, BrokenCause cause, String detail, Instant now) {
		WorkerSlot slot = this.table.slot(worker.workerId());
		if (!worker.state().isLive() || worker.condemned() || slot == null) {
			return;
		}
		String what = switch (cause) {
			case LIVENESS -> "liveness, its application published LivenessState.BROKEN";
			case DEADLOCK -> "deadlock, " + detail;
			case OUT_OF_MEMORY -> "out of memory, " + detail;
		};
		condemn(slot, worker, ExitReason.KILLED_BROKEN, "broken", what, now);
	}

	private void condemn(WorkerSlot slot, WorkerHandle worker, ExitReason why, String reason, String detail,
			Instant now) {
		log.log(System.Logger.Level.WARNING, "Worker {0} (pid {1}) is {2}: {3}. Closing its accept gate and "
				+ "dumping its threads to the log (SIGQUIT), then TERM, and KILL {4} later; a replacement starts",
				worker.workerId(), String.valueOf(worker.pid()), reason, detail, Durations.format(KILL_GRACE));
		boolean slotReplaced = this.table.replacement() != null
				&& this.table.replacement().workerId() == slot.id();
		ProcessSample sample = this.sampler.apply(worker.pid());
		worker.condemn(why, detail, sample != null && sample.stopped(), now, DUMP_GRACE, KILL_GRACE);
		this.watches.remove(worker);
		if (slot.current() == worker && !slotReplaced) {
			// a reload's or a recycle's replacement already starting in this slot takes its place
			this.restarts.replace(slot, worker, reason, now);
		}
	}

	private void recycleIfDue(WorkerHandle worker, WorkerWatch watch, Instant now) {
		WorkerHeartbeat heartbeat = worker.lastHeartbeat();
		if (this.settings.recyclesOnHeap() && heartbeat != null
				&& heartbeat.oldCollections() >= COLLECTIONS_IN_A_ROW
				&& heartbeat.oldAfterGc().size() >= COLLECTIONS_IN_A_ROW
				&& heartbeat.oldAfterGc().stream().allMatch((percent) -> percent > this.settings.heapAfterGc())) {
			this.recycling.request(worker, "memory", "old generation at " + heartbeat.oldAfterGc()
				.stream()
				.map((percent) -> String.format(Locale.ROOT, "%.1f%%", percent))
				.collect(Collectors.joining(", ")) + " of its maximum after its last " + COLLECTIONS_IN_A_ROW
					+ " collections, above heap-after-gc=" + this.settings.heapAfterGc() + "%", now);
		}
		else if (this.settings.recyclesOnRequests() && heartbeat != null && heartbeat.completed() >= watch.limit()) {
			this.recycling.request(worker, "max-requests", "served " + heartbeat.completed() + " requests, limit "
					+ this.settings.maxRequests() + " + jitter " + (watch.limit() - this.settings.maxRequests()), now);
		}
		else if (this.settings.recyclesOnLifetime()
				&& worker.readyFor(now).compareTo(this.settings.maxLifetime()) >= 0) {
			this.recycling.request(worker, "max-lifetime", "ready for " + Durations.format(worker.readyFor(now))
					+ ", max-lifetime " + Durations.format(this.settings.maxLifetime()), now);
		}
	}

	/**
	 * When the master's own loop did not run for a while (the host was suspended, or the master was stopped), no
	 * worker can be blamed for the silence: every count starts over.
	 */
	private void restartCountsAfterAPause(Instant now) {
		Duration gap = (this.lastCheck != null) ? Duration.between(this.lastCheck, now) : Duration.ZERO;
		this.lastCheck = now;
		Duration tolerated = this.settings.timeout().dividedBy(2).compareTo(Duration.ofSeconds(3)) > 0
				? this.settings.timeout().dividedBy(2) : Duration.ofSeconds(3);
		if (this.settings.watchesHangs() && gap.compareTo(tolerated) > 0) {
			log.log(System.Logger.Level.WARNING, "The master itself did not run for {0} (the host or the master was "
					+ "paused); the watchdog counts every worker's silence from now", Durations.format(gap));
			this.watches.values().forEach((watch) -> watch.restart(now));
		}
	}

	private long limit() {
		long jitter = this.settings.maxRequestsJitter();
		return this.settings.maxRequests() + ((jitter > 0) ? this.random.nextLong(jitter + 1) : 0);
	}


}
