package dev.bootsupervisor.master;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.ExitReason;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * The master loop: the only code that changes the worker table. It starts the workers, promotes them to ready,
 * replaces crashed ones, reloads and scales them, and stops them all on TERM or INT. Everything else posts
 * {@link MasterEvent}s.
 */
public final class Master {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private static final long TICK_MILLIS = 100;

	private final SupervisorSettings settings;

	private final WorkerFactory factory;

	private final Clock clock;

	private final RestartPolicy restartPolicy;

	private final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();

	private final Map<Integer, WorkerSlot> slots = new TreeMap<>();

	private final Map<Long, WorkerHandle> live = new HashMap<>();

	private final List<WorkerHandle> retiring = new ArrayList<>();

	private final Map<String, Integer> restartsByReason = new TreeMap<>();

	private final Map<String, Integer> reloadsByOutcome = new TreeMap<>();

	private final Instant launchedAt;

	private final int port;

	private ClusterPhase phase = ClusterPhase.STARTING;

	private Instant startupDeadline;

	private Instant stopDeadline;

	private int exitCode;

	private String failure;

	private RollingReload reload;

	private PendingScale scaling;

	private Runnable queuedReload;

	private final List<StopWaiter> stopWaiters = new ArrayList<>();

	private final List<String> killedOnStop = new ArrayList<>();

	private Runnable stopListening = () -> {
	};

	private boolean listening = true;

	/**
	 * Create a master.
	 * @param settings the settings
	 * @param factory starts worker processes
	 * @param clock the clock, replaced in tests
	 * @param launchedAt when this JVM was launched, for the ready line
	 * @param port the port actually bound, -1 when none
	 */
	public Master(SupervisorSettings settings, WorkerFactory factory, Clock clock, Instant launchedAt, int port) {
		this.settings = settings;
		this.factory = factory;
		this.clock = clock;
		this.restartPolicy = new RestartPolicy(settings);
		this.launchedAt = launchedAt;
		this.port = port;
	}

	/**
	 * Set what closes the shared listening socket once no worker accepts connections during a stop, so new
	 * connections are refused at once instead of waiting in a queue nobody takes from.
	 * @param stopListening closes the listening socket
	 */
	public void onNoWorkerAccepting(Runnable stopListening) {
		this.stopListening = stopListening;
	}

	/**
	 * Hand an event to the loop; safe from any thread.
	 * @param event the event
	 */
	void post(MasterEvent event) {
		this.events.add(event);
	}

	/**
	 * Post a signal; safe from a signal handler.
	 * @param name the signal name without {@code SIG}
	 */
	public void signal(String name) {
		post(new MasterEvent.SignalReceived(name));
	}

	/**
	 * Run the cluster until it has stopped.
	 * @return the exit code for the master process
	 */
	public int run() {
		start();
		while (this.phase != ClusterPhase.STOPPED) {
			try {
				MasterEvent event = this.events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
				if (event != null) {
					handle(event);
				}
				tick();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				beginStop("master interrupted", 1);
			}
		}
		return this.exitCode;
	}

	/** Handle every queued event, for tests that drive the loop step by step. */
	void drain() {
		MasterEvent event;
		while ((event = this.events.poll()) != null) {
			handle(event);
		}
	}

	void start() {
		this.startupDeadline = now().plus(this.settings.startupTimeout());
		log.log(System.Logger.Level.INFO, "Starting {0} workers of {1}{2}", this.settings.workers(),
				this.settings.name(), (this.port >= 0) ? " on port " + this.port : "");
		for (int id = 1; id <= this.settings.workers(); id++) {
			WorkerSlot slot = new WorkerSlot(id);
			this.slots.put(id, slot);
			if (spawn(slot) == null) {
				beginStop("worker " + id + " could not be started", 1);
				return;
			}
		}
	}

	void handle(MasterEvent event) {
		if (event instanceof MasterEvent.SignalReceived signal) {
			onSignal(signal.name());
		}
		else if (event instanceof MasterEvent.WorkerExited exited) {
			onExit(exited.handle(), exited.code());
		}
		else if (event instanceof MasterEvent.WorkerConnected connected) {
			onWorkerConnected(connected);
		}
		else if (event instanceof MasterEvent.Message message) {
			onMessage(message.connection(), message.frame());
		}
		else if (event instanceof MasterEvent.Disconnected disconnected) {
			// a client that asked for the stop and went away cannot be told its outcome
			this.stopWaiters.removeIf((waiter) -> waiter.connection() == disconnected.connection());
		}
	}

	void tick() {
		Instant now = now();
		if (this.phase == ClusterPhase.STARTING && now.isAfter(this.startupDeadline)) {
			log.log(System.Logger.Level.ERROR, "{0} was not ready within the startup timeout of {1}; stopping",
					this.settings.name(), Durations.format(this.settings.startupTimeout()));
			beginStop("not ready within the startup timeout of " + Durations.format(this.settings.startupTimeout()),
					1);
		}
		if (this.phase == ClusterPhase.RUNNING) {
			tickRunning(now);
		}
		if (this.phase == ClusterPhase.STOPPING) {
			tickStopping(now);
		}
	}

	private void tickRunning(Instant now) {
		for (WorkerSlot slot : this.slots.values()) {
			WorkerHandle worker = slot.current();
			if (worker != null && worker.state() == WorkerState.STARTING && !worker.killed()
					&& now.isAfter(worker.startedAt().plus(this.settings.startupTimeout()))) {
				worker.kill(WorkerState.STARTING, ExitReason.KILLED_NOT_READY,
						Durations.format(this.settings.startupTimeout()), now);
			}
			if (slot.restartAt() != null && !now.isBefore(slot.restartAt())) {
				slot.restartAt(null);
				slot.countRestart();
				this.restartsByReason.merge(slot.restartReason(), 1, Integer::sum);
				if (spawn(slot) == null) {
					crashed(slot, null, now);
				}
			}
		}
		checkScale(now);
		if (this.reload != null && this.reload.replacementOverdue(now)) {
			WorkerHandle replacement = this.reload.replacement();
			replacement.kill(WorkerState.STARTING, ExitReason.KILLED_NOT_READY_FOR_RELOAD,
					Durations.format(this.settings.reloadTimeout()), now);
		}
	}

	private void tickStopping(Instant now) {
		if (now.isAfter(this.stopDeadline)) {
			for (WorkerHandle worker : this.live.values()) {
				if (!worker.killed()) {
					log.log(System.Logger.Level.WARNING,
							"Worker {0} (pid {1}) still running after the shutdown timeout of {2}; killing it",
							worker.workerId(), String.valueOf(worker.pid()),
							Durations.format(this.settings.shutdownTimeout()));
					worker.kill(WorkerState.DRAINING, ExitReason.KILLED_AFTER_SHUTDOWN_TIMEOUT, null, now);
					this.exitCode = 1;
					String killed = "worker " + worker.workerId() + " (pid " + worker.pid()
							+ ") was killed after the shutdown timeout of "
							+ Durations.format(this.settings.shutdownTimeout());
					this.killedOnStop.add(killed);
					if (this.failure == null) {
						this.failure = killed;
					}
				}
			}
		}
		if (this.listening && this.port >= 0
				&& this.live.values().stream().noneMatch(WorkerHandle::acceptsConnections)) {
			this.listening = false;
			this.stopListening.run();
			log.log(System.Logger.Level.INFO, "No worker accepts connections any more: the listening socket is "
					+ "closed, so new connections are refused while the workers finish");
		}
		if (this.live.isEmpty()) {
			this.phase = ClusterPhase.STOPPED;
			log.log(System.Logger.Level.INFO, "{0} stopped (exit code {1})", this.settings.name(), this.exitCode);
			String outcome = (this.exitCode == 0) ? "every worker stopped cleanly"
					: (this.killedOnStop.isEmpty() ? this.failure : String.join("; ", this.killedOnStop));
			for (StopWaiter waiter : this.stopWaiters) {
				waiter.connection().send(withId(waiter.request(), Frame.of(MessageType.REPLY, "ok", this.exitCode == 0,
						"exitCode", this.exitCode, "final", true, "message", outcome)));
			}
			this.stopWaiters.clear();
		}
	}

	private WorkerHandle spawn(WorkerSlot slot) {
		WorkerHandle worker = launch(slot);
		if (worker != null) {
			slot.current(worker);
		}
		return worker;
	}

	/** Start the next generation of a slot; the caller decides whether it is the slot's current worker. */
	private WorkerHandle launch(WorkerSlot slot) {
		int generation = slot.nextGeneration();
		WorkerProcess process;
		try {
			process = this.factory.start(slot.id(), generation);
		}
		catch (IOException | RuntimeException ex) {
			log.log(System.Logger.Level.ERROR, "Worker {0} could not be started: {1}", slot.id(), ex.getMessage());
			return null;
		}
		WorkerHandle worker = new WorkerHandle(slot.id(), generation, process, now());
		this.live.put(worker.pid(), worker);
		process.onExit().thenAccept((code) -> post(new MasterEvent.WorkerExited(worker, code)));
		return worker;
	}

	private void onSignal(String name) {
		switch (name) {
			case "TERM", "INT" -> {
				if (this.phase == ClusterPhase.STOPPING || this.phase == ClusterPhase.STOPPED) {
					log.log(System.Logger.Level.INFO, "SIG{0} received while stopping; still waiting for workers",
							name);
				}
				else {
					beginStop("SIG" + name + " received", 0);
				}
			}
			case "HUP" -> startReload("SIGHUP", null, (ok, message) -> {
			});
			case "TTIN" -> scale(currentTarget() + 1, "SIGTTIN", null, (ok, message) -> logScale("SIGTTIN", ok, message));
			case "TTOU" -> scale(currentTarget() - 1, "SIGTTOU", null, (ok, message) -> logScale("SIGTTOU", ok, message));
			default -> log.log(System.Logger.Level.INFO, "SIG{0} received; ignored", name);
		}
	}

	private int currentTarget() {
		return (this.scaling != null) ? this.scaling.target() : this.slots.size();
	}

	private static void logScale(String trigger, boolean ok, String message) {
		log.log(ok ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "Scale ({0}): {1}", trigger, message);
	}

	private void onWorkerConnected(MasterEvent.WorkerConnected connected) {
		ChannelConnection connection = connected.connection();
		WorkerHandle worker = this.live.get(connected.pid());
		if (worker == null || worker.workerId() != connected.workerId()
				|| worker.generation() != connected.generation()) {
			connection.close("HELLO from worker " + connected.workerId() + " pid " + connected.pid()
					+ " generation " + connected.generation() + " matches no worker this master started");
			return;
		}
		connection.worker(worker);
	}

	private void onMessage(ChannelConnection connection, Frame frame) {
		try {
			if (connection.role().equals("worker")) {
				onWorkerMessage(connection, frame);
			}
			else if (frame.type() == MessageType.REQUEST) {
				onRequest(connection, frame, true);
			}
			else {
				throw new ProtocolException("unexpected " + frame.type() + " from a control connection");
			}
		}
		catch (ProtocolException ex) {
			connection.close(ex.getMessage());
		}
	}

	private void onWorkerMessage(ChannelConnection connection, Frame frame) throws ProtocolException {
		WorkerHandle worker = connection.worker();
		if (worker == null) {
			throw new ProtocolException(frame.type() + " before the worker was verified");
		}
		Instant now = now();
		switch (frame.type()) {
			case READY -> onReady(worker, now);
			case FAILED -> worker.startupError(frame.require("error"));
			case DRAINING -> {
				worker.stoppedAccepting();
				if (worker.state() == WorkerState.READY || worker.state() == WorkerState.STARTING) {
					worker.transition(WorkerState.DRAINING, frame.get("reason").orElse("worker is shutting down"),
							now);
				}
			}
			case HEARTBEAT -> worker.heartbeat(new WorkerHeartbeat(now, frame.requireLong("heapUsed"),
					frame.requireLong("heapMax"), frame.get("health").orElse("UNKNOWN")));
			case REQUEST -> onRequest(connection, frame, false);
			default -> throw new ProtocolException("unexpected " + frame.type() + " from a worker");
		}
	}

	private void onRequest(ChannelConnection connection, Frame request, boolean control) throws ProtocolException {
		String command = request.require("command");
		Long deadline = request.get("deadline").isPresent() ? request.requireLong("deadline") : null;
		if (deadline != null && now().toEpochMilli() > deadline) {
			// the client gave up (the master was paused, or too busy): acting now would surprise everyone
			log.log(System.Logger.Level.WARNING, "Ignored a {0} request from {1}: its client gave up waiting at {2}",
					command, connection, Instant.ofEpochMilli(deadline));
			return;
		}
		if (connection.isClosed()) {
			log.log(System.Logger.Level.WARNING, "Ignored a {0} request from {1}: its client went away", command,
					connection);
			return;
		}
		switch (command) {
			case "view" -> connection.send(withId(request, ClusterView.toFrame(view())));
			case "stop" -> {
				if (!control) {
					throw new ProtocolException("workers cannot stop the cluster");
				}
				boolean already = this.phase == ClusterPhase.STOPPING || this.phase == ClusterPhase.STOPPED;
				connection.send(withId(request, Frame.of(MessageType.REPLY, "ok", true, "message",
						already ? "already stopping" : "stopping", "shutdownTimeout",
						this.settings.shutdownTimeout().toMillis())));
				this.stopWaiters.add(new StopWaiter(connection, request));
				if (!already) {
					beginStop("stop command", 0);
				}
			}
			case "reload" -> {
				String trigger = control ? "reload command"
						: "actuator request via worker " + connection.worker().workerId();
				Integer requester = control ? null : connection.worker().workerId();
				startReload(trigger, requester, (ok, message) -> connection.send(reply(request, ok, message)));
			}
			case "scale" -> {
				int workers = request.requireInt("workers");
				scale(workers, control ? "scale command" : "actuator request", control ? null : connection.worker(),
						(ok, message) -> connection.send(reply(request, ok, message)));
			}
			default -> connection.send(reply(request, false, "unknown command '" + command + "'"));
		}
	}

	private static Frame reply(Frame request, boolean ok, String message) {
		return withId(request, Frame.of(MessageType.REPLY, "ok", ok, "message", message));
	}

	private static Frame withId(Frame request, Frame reply) {
		String id = request.fields().get("id");
		if (id == null) {
			return reply;
		}
		Map<String, String> fields = new java.util.LinkedHashMap<>(reply.fields());
		fields.put("id", id);
		return new Frame(reply.type(), fields);
	}

	private void onReady(WorkerHandle worker, Instant now) {
		if (worker.state() != WorkerState.STARTING) {
			return;
		}
		if (this.reload != null && this.reload.isReplacement(worker)) {
			worker.transition(WorkerState.READY, "replacement ready, accepting connections (reload)", now);
			replaceOld(worker, now);
			return;
		}
		worker.transition(WorkerState.READY, "application ready, accepting connections", now);
		if (this.phase == ClusterPhase.STARTING && this.slots.values()
			.stream()
			.allMatch((slot) -> slot.current() != null && slot.current().state() == WorkerState.READY)) {
			this.phase = ClusterPhase.RUNNING;
			Duration sinceLaunch = Duration.between(this.launchedAt, now);
			log.log(System.Logger.Level.INFO, "Supervisor ready: {0} with {1} workers {2} ({3} s since launch)",
					this.settings.name(), this.settings.workers(),
					(this.port >= 0) ? "on port " + this.port : "and no HTTP port",
					String.format(Locale.ROOT, "%.3f", sinceLaunch.toMillis() / 1000.0));
		}
	}

	private void onExit(WorkerHandle worker, int code) {
		Instant now = now();
		this.live.remove(worker.pid());
		WorkerSlot slot = this.slots.get(worker.workerId());
		boolean retired = this.retiring.remove(worker);
		boolean requested = retired || (worker.state() == WorkerState.DRAINING && this.phase == ClusterPhase.STOPPING);
		boolean replacement = this.reload != null && this.reload.isReplacement(worker);
		ExitReason cause;
		if (worker.killed()) {
			cause = worker.killedFor();
		}
		else if (requested) {
			cause = (code == 0 || code == 128 + 15) ? ExitReason.STOPPED : ExitReason.STOPPED_WITH_A_FAILURE;
		}
		else {
			cause = (worker.state() == WorkerState.STARTING) ? ExitReason.FAILED_TO_START
					: (code == 0) ? ExitReason.EXITED_UNASKED : ExitReason.CRASHED;
		}
		String reason = cause.killed() ? worker.reason() : cause.text(null);
		ExitStatus exit = new ExitStatus(code, now, cause, reason);
		worker.exited(exit);
		if (slot != null && !retired) {
			slot.lastExit(exit);
		}
		// 143: TERM reached the JVM before the worker routed it, and the JVM's own shutdown hooks ran
		boolean clean = requested && (code == 0 || code == 128 + 15);
		worker.transition(clean ? WorkerState.STOPPED : WorkerState.FAILED, reason + ", " + exit.describe(), now);
		if (this.phase == ClusterPhase.STOPPING) {
			if (!clean) {
				this.exitCode = 1;
			}
			return;
		}
		if (replacement) {
			reloadFailed(worker, exit, now);
			return;
		}
		if (retired) {
			if (this.reload != null && this.reload.retiring() == worker) {
				this.reload.retired();
				continueReload(now);
			}
			return;
		}
		if (slot == null || slot.current() != worker) {
			return;
		}
		if (this.phase == ClusterPhase.STARTING) {
			String error = (worker.startupError() != null) ? ": " + worker.startupError() : "";
			log.log(System.Logger.Level.ERROR,
					"Worker {0} (pid {1}) exited with {2} before {3} was ready; stopping (see its output above){4}",
					worker.workerId(), String.valueOf(worker.pid()), exit.describe(), this.settings.name(), error);
			beginStop("worker " + worker.workerId() + " (pid " + worker.pid() + ") exited with " + exit.describe()
					+ " before the cluster was ready" + error, 1);
			return;
		}
		crashed(slot, worker, now);
	}

	private void crashed(WorkerSlot slot, WorkerHandle worker, Instant now) {
		Duration readyFor = (worker != null) ? worker.readyFor(now) : Duration.ZERO;
		Duration delay = this.restartPolicy.onCrash(slot.history(), readyFor, now);
		if (delay == null) {
			slot.fail();
			log.log(System.Logger.Level.ERROR,
					"Worker slot {0} failed: crash loop, {1} restarts in a row and no worker stayed ready for {2}; "
							+ "it will not be restarted",
					slot.id(), this.settings.maxRestarts(), Durations.format(this.settings.restartWindow()));
			if (this.slots.values().stream().allMatch(WorkerSlot::failed)) {
				log.log(System.Logger.Level.ERROR, "No worker of {0} is left serving; stopping",
						this.settings.name());
				beginStop("no worker left serving", 1);
			}
			return;
		}
		slot.restartAt(now.plus(delay));
		slot.restartReason((worker != null && worker.killed() && worker.killedFor().notReadyInTime())
				? "startup-timeout" : "crash");
		log.log(System.Logger.Level.INFO, "Worker {0} will be restarted in {1}", slot.id(), Durations.format(delay));
	}

	private void startReload(String trigger, Integer requesterSlot, java.util.function.BiConsumer<Boolean, String> waiter) {
		if (this.reload != null && this.reload.reported() && this.queuedReload == null) {
			// the previous reload has answered and only its last old worker drains: this one starts right after
			log.log(System.Logger.Level.INFO, "Reload requested ({0}) while the previous one finishes; it starts "
					+ "once the last old worker has stopped", trigger);
			this.queuedReload = () -> startReload(trigger, requesterSlot, waiter);
			return;
		}
		if (this.reload != null) {
			log.log(System.Logger.Level.INFO, "Reload requested ({0}) while a reload runs; not queued", trigger);
			waiter.accept(false, "reload already in progress");
			return;
		}
		if (this.scaling != null) {
			log.log(System.Logger.Level.INFO, "Reload requested ({0}) while a scale runs; not started", trigger);
			waiter.accept(false, "cannot reload while a scale to " + this.scaling.target() + " workers is in progress");
			return;
		}
		if (this.phase != ClusterPhase.RUNNING) {
			log.log(System.Logger.Level.INFO, "Reload requested ({0}) while {1}; ignored", trigger,
					this.phase.label());
			waiter.accept(false, "cannot reload while the cluster is " + this.phase.label());
			return;
		}
		List<Integer> order = new ArrayList<>();
		this.slots.values().stream().filter((slot) -> !slot.failed()).forEach((slot) -> order.add(slot.id()));
		if (requesterSlot != null && order.remove(requesterSlot)) {
			order.add(requesterSlot);
		}
		try {
			this.factory.beginReload();
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.ERROR, "Reload ({0}) not started: {1}", trigger, ex.getMessage());
			waiter.accept(false, "cannot prepare the reload: " + ex.getMessage());
			return;
		}
		Instant now = now();
		this.reload = new RollingReload(order, now, trigger);
		this.reload.addWaiter(waiter);
		log.log(System.Logger.Level.INFO, "Rolling reload of {0} workers ({1}): one at a time, each replacement "
				+ "must be ready before its old worker drains", order.size(), trigger);
		continueReload(now);
	}

	private void continueReload(Instant now) {
		if (this.reload.retiring() != null || this.reload.replacement() != null) {
			return;
		}
		Integer id = this.reload.nextSlot();
		while (id != null && !this.slots.containsKey(id)) {
			id = this.reload.nextSlot();
		}
		if (id == null) {
			finishReload(true, "reloaded " + this.reload.replacedCount() + " workers in "
					+ Durations.format(this.reload.elapsed(now)), now);
			return;
		}
		WorkerSlot slot = this.slots.get(id);
		WorkerHandle replacement = spawnReplacement(slot);
		if (replacement == null) {
			finishReload(false, "worker " + id + " could not be started; the old workers keep serving", now);
		}
	}

	private WorkerHandle spawnReplacement(WorkerSlot slot) {
		this.reload.replacement(null, null);
		WorkerHandle worker = launch(slot);
		if (worker != null) {
			this.reload.replacement(worker, worker.startedAt().plus(this.settings.reloadTimeout()));
		}
		return worker;
	}

	private void replaceOld(WorkerHandle replacement, Instant now) {
		WorkerSlot slot = this.slots.get(replacement.workerId());
		WorkerHandle old = slot.current();
		slot.current(replacement);
		slot.restartAt(null);
		boolean retire = old != null && old != replacement && old.state().isLive();
		this.reload.replaced(retire ? old : null);
		if (retire) {
			retire(old, "replaced by generation " + replacement.generation() + " (reload)", now);
		}
		if (!this.reload.hasRemaining()) {
			// the outcome is known now; it must be told before the last old worker drains, since that worker may
			// be the one whose actuator request asked for the reload and must still answer it
			this.reload.report(true, "reloaded " + this.reload.replacedCount() + " workers in "
					+ Durations.format(this.reload.elapsed(now)));
		}
		continueReload(now);
	}

	private void reloadFailed(WorkerHandle replacement, ExitStatus exit, Instant now) {
		String error = (replacement.startupError() != null) ? ": " + replacement.startupError() : "";
		String what = replacement.killed() ? replacement.reason()
				: "exited with " + exit.describe() + " before it was ready" + error;
		this.reload.replacement(null, null);
		finishReload(false, "reload failed and was rolled back: worker " + replacement.workerId() + " generation "
				+ replacement.generation() + " (pid " + replacement.pid() + ") " + what + "; the previous workers "
				+ "keep serving" + ((this.reload.replacedCount() > 0)
						? " (" + this.reload.replacedCount() + " slot(s) had already been replaced)" : ""),
				now);
	}

	private void finishReload(boolean success, String message, Instant now) {
		this.reloadsByOutcome.merge(success ? "success" : "failure", 1, Integer::sum);
		this.factory.endReload(success);
		log.log(success ? System.Logger.Level.INFO : System.Logger.Level.ERROR, "Rolling reload ({0}): {1}",
				this.reload.trigger(), message);
		this.reload.report(success, message);
		this.reload = null;
		Runnable queued = this.queuedReload;
		this.queuedReload = null;
		if (queued != null) {
			queued.run();
		}
	}

	/**
	 * Change the number of workers; the waiter learns the outcome once the cluster has that many ready workers
	 * and the workers scaled down have exited, or why not.
	 * @param target the new number
	 * @param trigger what asked for it
	 * @param waiter told the outcome
	 */
	private void scale(int target, String trigger, WorkerHandle requester,
			java.util.function.BiConsumer<Boolean, String> waiter) {
		String refusal = null;
		if (this.phase != ClusterPhase.RUNNING) {
			refusal = "cannot scale while the cluster is " + this.phase.label();
		}
		else if (this.reload != null && !this.reload.reported()) {
			refusal = "cannot scale while a reload is in progress";
		}
		else if (target < 1 || target > ClusterView.MAX_WORKERS) {
			refusal = "cannot scale to " + target + " workers: expected 1 to " + ClusterView.MAX_WORKERS;
		}
		if (refusal != null) {
			waiter.accept(false, refusal);
			return;
		}
		Instant now = now();
		if (this.scaling != null && this.scaling.target() == target) {
			this.scaling.addWaiter(requester, waiter);
			return;
		}
		if (this.scaling != null) {
			this.scaling.report(false, "superseded by a scale to " + target + " workers (" + trigger + ")");
		}
		int current = this.slots.size();
		if (target != current) {
			log.log(System.Logger.Level.INFO, "Scaling {0} from {1} to {2} workers ({3})", this.settings.name(),
					current, target, trigger);
		}
		PendingScale scale = new PendingScale(target, trigger, now,
				this.settings.startupTimeout().plus(this.settings.shutdownTimeout()));
		scale.addWaiter(requester, waiter);
		for (int id = current + 1; id <= target; id++) {
			WorkerSlot slot = new WorkerSlot(id);
			this.slots.put(id, slot);
			spawn(slot);
		}
		for (int id = current; id > target; id--) {
			WorkerSlot slot = this.slots.remove(id);
			WorkerHandle worker = slot.current();
			if (worker != null && worker.state().isLive()) {
				retire(worker, "scaled down to " + target + " workers", now);
				scale.retired(worker);
			}
		}
		this.scaling = scale;
		checkScale(now);
	}

	private void checkScale(Instant now) {
		if (this.scaling == null) {
			return;
		}
		int target = this.scaling.target();
		long ready = this.slots.values()
			.stream()
			.filter((slot) -> slot.current() != null && slot.current().state() == WorkerState.READY)
			.count();
		String failed = this.slots.values()
			.stream()
			.filter(WorkerSlot::failed)
			.map((slot) -> String.valueOf(slot.id()))
			.reduce((a, b) -> a + ", " + b)
			.orElse(null);
		if (ready == target && this.scaling.retiredGone()) {
			finishScale(true, "scaled to " + target + " workers in " + Durations.format(this.scaling.elapsed(now)));
		}
		else if (failed != null) {
			finishScale(false, "scale to " + target + " workers failed: worker slot(s) " + failed + " failed; "
					+ ready + " of " + target + " workers ready");
		}
		else if (this.scaling.overdue(now)) {
			finishScale(false, "scale to " + target + " workers did not complete within "
					+ Durations.format(this.scaling.timeout()) + ": "
					+ ready + " of " + target + " workers ready, " + this.scaling.retiredLeft() + " still stopping");
		}
	}

	private void finishScale(boolean success, String message) {
		PendingScale done = this.scaling;
		this.scaling = null;
		done.report(success, message);
	}

	private void retire(WorkerHandle worker, String why, Instant now) {
		worker.transition(WorkerState.DRAINING, why, now);
		this.retiring.add(worker);
		worker.process().terminate();
	}

	private void beginStop(String why, int code) {
		Instant now = now();
		this.exitCode = Math.max(this.exitCode, code);
		if (code != 0 && this.failure == null) {
			this.failure = why;
		}
		if (this.reload != null) {
			finishReload(false, "reload interrupted: the master is stopping (" + why + ")", now);
		}
		if (this.scaling != null) {
			finishScale(false, "scale interrupted: the master is stopping (" + why + ")");
		}
		this.phase = ClusterPhase.STOPPING;
		this.stopDeadline = now.plus(this.settings.shutdownTimeout());
		log.log(System.Logger.Level.INFO, "Stopping {0} ({1}): {2} workers, shutdown timeout {3}",
				this.settings.name(), why, this.live.size(), Durations.format(this.settings.shutdownTimeout()));
		for (WorkerSlot slot : this.slots.values()) {
			slot.restartAt(null);
		}
		for (WorkerHandle worker : this.live.values()) {
			if (worker.state() != WorkerState.DRAINING || !this.retiring.contains(worker)) {
				worker.transition(WorkerState.DRAINING, why, now);
				worker.process().terminate();
			}
		}
	}

	/**
	 * The cluster as it is now, for status commands and the actuator endpoint.
	 * @return the view
	 */
	ClusterView view() {
		return ClusterViews.of(this.settings, this.slots.values(), this.retiring, this.reload, this.phase,
				this.launchedAt, this.port, now(), this.restartsByReason, this.reloadsByOutcome, this.live.size());
	}

	/**
	 * Why the master stops with a non-zero exit code, {@code null} when it does not.
	 * @return the reason
	 */
	String failure() {
		return this.failure;
	}

	ClusterPhase phase() {
		return this.phase;
	}

	int exitCode() {
		return this.exitCode;
	}

	WorkerHandle worker(int id) {
		WorkerSlot slot = this.slots.get(id);
		return (slot != null) ? slot.current() : null;
	}

	WorkerSlot slot(int id) {
		return this.slots.get(id);
	}

	int slotCount() {
		return this.slots.size();
	}

	boolean reloading() {
		return this.reload != null;
	}

	private Instant now() {
		return this.clock.instant();
	}

	/** A control connection that asked for the stop and is told its outcome when the master has stopped. */
	private record StopWaiter(ChannelConnection connection, Frame request) {
	}

}
