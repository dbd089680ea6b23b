package dev.bootsupervisor.master;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.bootsupervisor.base.CanarySettings;
import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.protocol.CanaryResult;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ReloadRecord;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * Runs rolling reloads, one slot at a time: a replacement of the slot's worker is started, and only once it is
 * ready is the old worker retired. A replacement that fails rolls the reload back; the old workers keep serving.
 */
final class Reloads {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	/**
	 * How long the outcome waits for the last old worker to confirm it stopped accepting: a worker that never
	 * does (hung, or busy before its accept gate closes) must not hold the answer for its whole drain.
	 */
	static final Duration STOP_ACCEPTING_BOUND = Duration.ofSeconds(2);

	private final WorkerTable table;

	private final WorkerFactory factory;

	private final Clock clock;

	private final Supplier<ClusterPhase> phase;

	private final Supplier<PendingScale> scaling;

	private final Consumer<String> preempt;

	private final Map<String, Integer> byOutcome = new TreeMap<>();

	private final Deque<ReloadRecord> history = new ArrayDeque<>();

	private final CanarySettings canary;

	private RollingReload reload;

	private Runnable queued;

	Reloads(WorkerTable table, WorkerFactory factory, Clock clock, Supplier<ClusterPhase> phase,
			Supplier<PendingScale> scaling, Consumer<String> preempt) {
		this(table, factory, clock, phase, scaling, preempt, CanarySettings.OFF);
	}

	Reloads(WorkerTable table, WorkerFactory factory, Clock clock, Supplier<ClusterPhase> phase,
			Supplier<PendingScale> scaling, Consumer<String> preempt, CanarySettings canary) {
		this.canary = canary;
		this.preempt = preempt;
		this.table = table;
		this.factory = factory;
		this.clock = clock;
		this.phase = phase;
		this.scaling = scaling;
	}

	/**
	 * Begin a rolling reload, or tell the waiter why not.
	 * @param trigger what asked for it
	 * @param requesterSlot the slot whose actuator request asked for it, reloaded last; {@code null} for none
	 * @param waiter told the outcome
	 */
	void start(String trigger, Integer requesterSlot, BiConsumer<Boolean, String> waiter) {
		if (this.reload != null && this.reload.reported() && this.queued == null) {
			// the previous reload has answered and only its last old worker drains: this one starts right after
			log.log(System.Logger.Level.INFO, "Reload requested ({0}) while the previous one finishes; it starts "
					+ "once the last old worker has stopped", trigger);
			this.queued = () -> start(trigger, requesterSlot, waiter);
			return;
		}
		if (this.reload != null) {
			log.log(System.Logger.Level.INFO, "Reload requested ({0}) while a reload runs; not queued", trigger);
			waiter.accept(false, "reload already in progress");
			return;
		}
		PendingScale scale = this.scaling.get();
		if (scale != null) {
			log.log(System.Logger.Level.INFO, "Reload requested ({0}) while a scale runs; not started", trigger);
			waiter.accept(false, "cannot reload while a scale to " + scale.target() + " workers is in progress");
			return;
		}
		ClusterPhase phase = this.phase.get();
		if (phase != ClusterPhase.RUNNING) {
			log.log(System.Logger.Level.INFO, "Reload requested ({0}) while {1}; ignored", trigger, phase.label());
			waiter.accept(false, "cannot reload while the cluster is " + phase.label());
			return;
		}
		List<Integer> order = new ArrayList<>();
		this.table.slots().stream().filter((slot) -> !slot.failed()).forEach((slot) -> order.add(slot.id()));
		if (requesterSlot != null && order.remove(requesterSlot)) {
			order.add(requesterSlot);
		}
		this.preempt.accept("a reload (" + trigger + ")");
		Instant now = this.clock.instant();
		try {
			this.factory.beginReload();
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.ERROR, "Reload ({0}) not started: {1}", trigger, ex.getMessage());
			String message = "cannot prepare the reload: " + ex.getMessage();
			remember(new ReloadRecord(now, trigger, "-", "failed", Duration.ZERO, message, null));
			waiter.accept(false, message);
			return;
		}
		this.reload = new RollingReload(order, now, trigger);
		this.reload.version(this.factory.version());
		this.reload.addWaiter(waiter);
		log.log(System.Logger.Level.INFO, "Rolling reload of {0} workers ({1}): class path {2}, one at a time, each "
				+ "replacement must be ready before its old worker drains{3}", order.size(), trigger,
				this.reload.version(), this.canary.enabled() ? "; the first one serves beside the old workers for a "
						+ Durations.format(this.canary.period()) + " canary period and must do as well as they do" : "");
		next(now);
	}

	/** Whether a reload runs, its last old worker draining included. */
	boolean active() {
		return this.reload != null;
	}

	/** Whether a reload runs whose outcome was not told yet. */
	boolean unreported() {
		return this.reload != null && !this.reload.reported();
	}

	/** Slots the running reload has replaced, 0 when none runs. */
	int replacedCount() {
		return (this.reload != null) ? this.reload.replacedCount() : 0;
	}

	/** Slots the running reload replaces, 0 when none runs. */
	int reloadSize() {
		return (this.reload != null) ? this.reload.size() : 0;
	}

	Map<String, Integer> byOutcome() {
		return this.byOutcome;
	}

	/** The latest reloads, oldest first. */
	List<ReloadRecord> history() {
		return List.copyOf(this.history);
	}

	private void remember(ReloadRecord reload) {
		this.history.addLast(reload);
		while (this.history.size() > ReloadRecord.KEPT) {
			this.history.removeFirst();
		}
	}

	private void next(Instant now) {
		if (this.reload.retiring() != null || this.table.replacement() != null) {
			return;
		}
		Integer id = this.reload.nextSlot();
		while (id != null && this.table.slot(id) == null) {
			id = this.reload.nextSlot();
		}
		if (this.reload.failure() != null) {
			finish(false, this.reload.failure(), now);
			return;
		}
		if (id == null) {
			finish(true, succeeded(now), now);
			return;
		}
		if (this.table.spawnReplacement(this.table.slot(id)) == null) {
			finish(false, "worker " + id + " could not be started; the old workers keep serving", now);
		}
	}

	/**
	 * The replacement became ready: it takes its slot, and the old worker is retired.
	 * @param replacement the replacement
	 * @param now the current time
	 */
	void replacementReady(WorkerHandle replacement, Instant now) {
		if (this.canary.enabled() && this.reload.replacedCount() == 0 && this.reload.canaryResult() == null) {
			List<WorkerHandle> old = this.table.slots()
				.stream()
				.map(WorkerSlot::current)
				.filter((worker) -> worker != null && worker.state() == WorkerState.READY && !worker.condemned())
				.toList();
			replacement.transition(WorkerState.READY, "canary ready, accepting connections beside the old workers "
					+ "for its canary period of " + Durations.format(this.canary.period()) + " (reload)", now);
			this.reload.canary(Canary.begin(replacement, old, this.canary, now));
			log.log(System.Logger.Level.INFO, "Canary: worker {0} generation {1} (pid {2}) serves beside the {3} old "
					+ "workers for {4}; the reload goes on only if its 5xx share and p99 latency are as good as theirs",
					replacement.workerId(), replacement.generation(), String.valueOf(replacement.pid()), old.size(),
					Durations.format(this.canary.period()));
			return;
		}
		replacement.transition(WorkerState.READY,
				"replacement ready, accepting connections (reload)", now);
		takeSlot(replacement, now);
	}

	private void judgeCanary(Instant now) {
		Canary canary = this.reload.canary();
		if (canary != null && canary.worker().condemned()) {
			// a canary a watchdog is ending is judged by its exit: the reload is rolled back then
			canary.ending(canary.worker().reason());
			return;
		}
		if (canary == null || !canary.due(now)) {
			return;
		}
		CanaryResult result = canary.judge(now);
		this.reload.judged(result);
		WorkerHandle worker = canary.worker();
		if (result.passed()) {
			log.log(System.Logger.Level.INFO, "Canary passed, the reload goes on: {0}", result.verdict());
			worker.transition(WorkerState.READY, "canary passed, takes its slot (reload)", now);
			takeSlot(worker, now);
			return;
		}
		String message = "reload failed and was rolled back: " + result.verdict()
				+ "; the canary drains and the previous workers keep serving";
		log.log(System.Logger.Level.ERROR, "Canary failed: {0}. It drains; the old workers keep serving",
				result.verdict());
		this.table.dropReplacement();
		this.table.retire(worker, "canary failed (reload rolled back)", now);
		this.reload.rollingBack(worker, message);
		// told once the canary took its last connection, as a success is once the last old worker did
		if (worker.acceptsConnections()) {
			this.reload.reportOnceStopped(now.plus(STOP_ACCEPTING_BOUND));
		}
		else {
			tell(false, message, now);
		}
	}

	private void takeSlot(WorkerHandle replacement, Instant now) {
		WorkerHandle old = this.table.promoteReplacement();
		boolean retire = old != null && old != replacement && old.state().isLive() && !old.condemned();
		this.reload.replaced(retire ? old : null);
		if (retire) {
			this.table.retire(old, "replaced by generation " + replacement.generation() + " (reload)", now);
		}
		if (!this.reload.hasRemaining()) {
			// the outcome is known now, but it is told only once the last old worker takes no new connection (its
			// DRAINING, or its exit): whoever acts on the answer must reach the new version only. It is told before
			// that worker's drain ends, since that worker may carry the actuator request that asked for the reload.
			if (retire && old.acceptsConnections()) {
				this.reload.reportOnceStopped(now.plus(STOP_ACCEPTING_BOUND));
			}
			else {
				tell(true, succeeded(now), now);
			}
		}
		next(now);
	}

	/**
	 * Tell a reload's outcome once its last old worker confirmed that it stopped accepting, or once it waited
	 * {@link #STOP_ACCEPTING_BOUND} for that.
	 * @param now the current time
	 */
	void check(Instant now) {
		if (this.reload != null) {
			judgeCanary(now);
		}
		if (this.reload == null || this.reload.reported() || this.reload.reportDue() == null) {
			return;
		}
		WorkerHandle old = this.reload.retiring();
		if (old == null || !old.acceptsConnections()) {
			report(now);
		}
		else if (!now.isBefore(this.reload.reportDue())) {
			log.log(System.Logger.Level.WARNING, "Worker {0} (pid {1}) did not confirm within {2} that it stopped "
					+ "accepting connections; the reload is reported as done anyway, and that worker may still take a "
					+ "connection until it drains", old.workerId(), String.valueOf(old.pid()),
					Durations.format(STOP_ACCEPTING_BOUND));
			report(now);
		}
	}

	private void report(Instant now) {
		String failure = this.reload.failure();
		tell(failure == null, (failure != null) ? failure : succeeded(now), now);
	}

	private String succeeded(Instant now) {
		CanaryResult canary = this.reload.canaryResult();
		return "reloaded " + this.reload.replacedCount() + " workers in " + Durations.format(this.reload.elapsed(now))
				+ stillDraining(this.reload.retiring(), now) + ((canary != null) ? "; " + canary.verdict() : "");
	}

	/** What the last old worker still has open when the answer is told, so the answer does not hide it. */
	private static String stillDraining(WorkerHandle old, Instant now) {
		if (old == null || !old.state().isLive()) {
			return "";
		}
		WorkerHeartbeat heartbeat = old.lastHeartbeat();
		long open = (heartbeat != null) ? heartbeat.connections() : -1;
		Duration left = old.timeLeftToStop(now);
		String bound = (left != null && !left.isNegative()) ? ", for at most " + Durations.format(left) : "";
		String prefix = "; the last old worker (pid " + old.pid() + ") takes no new connection";
		if (open == 0) {
			return prefix + " and has none open: it exits";
		}
		return prefix + " and still drains " + ((open > 0) ? open + " open connection(s)" : "what it has open")
				+ bound;
	}

	/**
	 * Tell the reload's outcome to whoever waits on it, and keep it in the history, once: the history holds what
	 * the answer said, when it was said.
	 */
	private void tell(boolean success, String message, Instant now) {
		if (this.reload.reported()) {
			return;
		}
		CanaryResult canary = this.reload.canaryResult();
		String outcome = success ? "succeeded" : (canary != null && !canary.passed()) ? "canary-failed"
				: message.startsWith("reload interrupted") ? "interrupted" : "failed";
		remember(new ReloadRecord(this.reload.startedAt(), this.reload.trigger(), this.reload.version(), outcome,
				this.reload.elapsed(now), message, canary));
		this.reload.report(success, message);
	}

	/**
	 * The replacement exited before it was ready: the reload is rolled back.
	 * @param replacement the replacement
	 * @param exit how it ended
	 * @param now the current time
	 */
	void replacementFailed(WorkerHandle replacement, ExitStatus exit, Instant now) {
		String error = (replacement.startupError() != null) ? ": " + replacement.startupError() : "";
		Canary canary = this.reload.canary();
		if (canary != null && canary.worker() == replacement) {
			String how = (canary.endedBecause() != null) ? "was ended (" + canary.endedBecause() + ")"
					: "exited with " + exit.describe();
			CanaryResult result = canary.failed(how, now);
			this.reload.judged(result);
			this.table.dropReplacement();
			finish(false, "reload failed and was rolled back: " + result.verdict() + "; the previous workers keep "
					+ "serving", now);
			return;
		}
		String what = replacement.killed() ? replacement.reason()
				: "exited with " + exit.describe() + " before it was ready" + error;
		this.table.dropReplacement();
		finish(false, "reload failed and was rolled back: worker " + replacement.workerId() + " generation "
				+ replacement.generation() + " (pid " + replacement.pid() + ") " + what + "; the previous workers "
				+ "keep serving" + ((this.reload.replacedCount() > 0)
						? " (" + this.reload.replacedCount() + " slot(s) had already been replaced)" : ""),
				now);
	}

	/**
	 * A retired worker exited; when it was the reload's old worker, the next slot is reloaded.
	 * @param worker the worker
	 * @param now the current time
	 */
	void retired(WorkerHandle worker, Instant now) {
		if (this.reload != null && this.reload.retiring() == worker) {
			this.reload.retired();
			next(now);
		}
	}

	/**
	 * End a running reload because the master stops.
	 * @param why why the master stops
	 * @param now the current time
	 */
	void interrupt(String why, Instant now) {
		if (this.reload != null) {
			finish(false, "reload interrupted: the master is stopping (" + why + ")", now);
		}
	}

	private void finish(boolean success, String message, Instant now) {
		this.byOutcome.merge(success ? "success" : "failure", 1, Integer::sum);
		this.factory.endReload(success);
		log.log(success ? System.Logger.Level.INFO : System.Logger.Level.ERROR, "Rolling reload ({0}): {1}",
				this.reload.trigger(), message);
		tell(success, message, now);
		this.reload = null;
		this.table.dropReplacement();
		Runnable queued = this.queued;
		this.queued = null;
		if (queued != null) {
			queued.run();
		}
	}

}
