package dev.bootsupervisor.launcher;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * The master loop: the only code that changes the worker table. It starts the workers, promotes them to ready,
 * replaces crashed ones, and stops them all on TERM or INT. Everything else posts {@link MasterEvent}s.
 */
public final class Master {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private static final long TICK_MILLIS = 100;

	/** Where the whole cluster is. */
	public enum Phase {

		STARTING, RUNNING, STOPPING, STOPPED

	}

	private final SupervisorSettings settings;

	private final WorkerFactory factory;

	private final Clock clock;

	private final RestartPolicy restartPolicy;

	private final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();

	private final Map<Integer, WorkerSlot> slots = new TreeMap<>();

	private final List<WorkerHandle> stopping = new ArrayList<>();

	private final Map<String, Integer> restartsByReason = new TreeMap<>();

	private final Instant launchedAt;

	private final int port;

	private Phase phase = Phase.STARTING;

	private Instant startupDeadline;

	private Instant stopDeadline;

	private int exitCode;

	private boolean everReady;

	private String failure;

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
		while (this.phase != Phase.STOPPED) {
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
		Instant now = now();
		this.startupDeadline = now.plus(this.settings.startupTimeout());
		log.log(System.Logger.Level.INFO, "Starting {0} workers of {1}{2}", this.settings.workers(),
				this.settings.name(), (this.port >= 0) ? " on port " + this.port : "");
		for (int id = 1; id <= this.settings.workers(); id++) {
			WorkerSlot slot = new WorkerSlot(id);
			this.slots.put(id, slot);
			if (!spawn(slot)) {
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
	}

	void tick() {
		Instant now = now();
		if (this.phase == Phase.STARTING && now.isAfter(this.startupDeadline)) {
			log.log(System.Logger.Level.ERROR, "{0} was not ready within the startup timeout of {1}; stopping",
					this.settings.name(), Durations.format(this.settings.startupTimeout()));
			beginStop("not ready within the startup timeout of " + Durations.format(this.settings.startupTimeout()),
					1);
		}
		if (this.phase == Phase.RUNNING) {
			for (WorkerSlot slot : this.slots.values()) {
				WorkerHandle worker = slot.current();
				if (worker != null && worker.state() == WorkerState.STARTING && !worker.reason().startsWith("killed")
						&& now.isAfter(worker.startedAt().plus(this.settings.startupTimeout()))) {
					worker.transition(WorkerState.STARTING,
							"killed: not ready within " + Durations.format(this.settings.startupTimeout()), now);
					worker.process().kill();
				}
				if (slot.restartAt() != null && !now.isBefore(slot.restartAt())) {
					slot.restartAt(null);
					slot.countRestart();
					this.restartsByReason.merge(slot.restartReason(), 1, Integer::sum);
					if (!spawn(slot)) {
						crashed(slot, null, now);
					}
				}
			}
		}
		if (this.phase == Phase.STOPPING) {
			if (now.isAfter(this.stopDeadline)) {
				for (WorkerHandle worker : this.stopping) {
					if (worker.exit() == null && !worker.reason().startsWith("killed")) {
						log.log(System.Logger.Level.WARNING,
								"Worker {0} (pid {1}) still running after the shutdown timeout of {2}; killing it",
								worker.workerId(), String.valueOf(worker.pid()),
								Durations.format(this.settings.shutdownTimeout()));
						worker.transition(WorkerState.DRAINING, "killed after the shutdown timeout", now);
						worker.process().kill();
						this.exitCode = 1;
						if (this.failure == null) {
							this.failure = "worker " + worker.workerId() + " (pid " + worker.pid()
									+ ") was killed after the shutdown timeout";
						}
					}
				}
			}
			if (this.stopping.stream().allMatch((worker) -> worker.exit() != null)) {
				this.phase = Phase.STOPPED;
				log.log(System.Logger.Level.INFO, "{0} stopped (exit code {1})", this.settings.name(), this.exitCode);
			}
		}
	}

	private boolean spawn(WorkerSlot slot) {
		int generation = slot.nextGeneration();
		WorkerProcess process;
		try {
			process = this.factory.start(slot.id(), generation);
		}
		catch (IOException | RuntimeException ex) {
			log.log(System.Logger.Level.ERROR, "Worker {0} could not be started: {1}", slot.id(), ex.getMessage());
			return false;
		}
		WorkerHandle worker = new WorkerHandle(slot.id(), generation, process, now());
		slot.current(worker);
		process.onExit().thenAccept((code) -> post(new MasterEvent.WorkerExited(worker, code)));
		return true;
	}

	private void onSignal(String name) {
		switch (name) {
			case "TERM", "INT" -> {
				if (this.phase == Phase.STOPPING || this.phase == Phase.STOPPED) {
					log.log(System.Logger.Level.INFO, "SIG{0} received while stopping; still waiting for workers",
							name);
				}
				else {
					beginStop("SIG" + name + " received", 0);
				}
			}
			case "HUP" -> log.log(System.Logger.Level.INFO,
					"SIGHUP received: rolling reload is not available in this version; ignored");
			default -> log.log(System.Logger.Level.INFO, "SIG{0} received; ignored", name);
		}
	}

	private void onWorkerConnected(MasterEvent.WorkerConnected connected) {
		ChannelConnection connection = connected.connection();
		WorkerSlot slot = this.slots.get(connected.workerId());
		WorkerHandle worker = (slot != null) ? slot.current() : null;
		if (worker == null || worker.pid() != connected.pid() || worker.generation() != connected.generation()
				|| !worker.state().isLive()) {
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
				onControlRequest(connection, frame);
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
			case DRAINING -> {
				if (worker.state() == WorkerState.READY || worker.state() == WorkerState.STARTING) {
					worker.transition(WorkerState.DRAINING, frame.get("reason").orElse("worker is shutting down"),
							now);
				}
			}
			case HEARTBEAT -> worker.heartbeat(new WorkerHeartbeat(now, frame.requireLong("heapUsed"),
					frame.requireLong("heapMax"), frame.get("health").orElse("UNKNOWN")));
			case REQUEST -> connection.send(reply(frame));
			default -> throw new ProtocolException("unexpected " + frame.type() + " from a worker");
		}
	}

	private void onControlRequest(ChannelConnection connection, Frame request) throws ProtocolException {
		String command = request.require("command");
		switch (command) {
			case "view" -> connection.send(ClusterView.toFrame(view()));
			case "stop" -> {
				boolean already = this.phase == Phase.STOPPING || this.phase == Phase.STOPPED;
				connection.send(Frame.of(MessageType.REPLY, "ok", true, "message",
						already ? "already stopping" : "stopping"));
				if (!already) {
					beginStop("stop command", 0);
				}
			}
			default -> connection.send(Frame.of(MessageType.REPLY, "ok", false, "message",
					"unknown command '" + command + "'"));
		}
	}

	private Frame reply(Frame request) throws ProtocolException {
		String command = request.require("command");
		if (command.equals("view")) {
			return ClusterView.toFrame(view());
		}
		throw new ProtocolException("unknown request '" + command + "'");
	}

	private void onReady(WorkerHandle worker, Instant now) {
		if (worker.state() != WorkerState.STARTING) {
			return;
		}
		worker.transition(WorkerState.READY, "application ready, accepting connections", now);
		if (this.phase == Phase.STARTING
				&& this.slots.values().stream().allMatch((slot) -> slot.current().state() == WorkerState.READY)) {
			this.phase = Phase.RUNNING;
			this.everReady = true;
			Duration sinceLaunch = Duration.between(this.launchedAt, now);
			log.log(System.Logger.Level.INFO, "Supervisor ready: {0} with {1} workers on port {2} ({3} s since launch)",
					this.settings.name(), this.settings.workers(), String.valueOf(this.port),
					String.format(java.util.Locale.ROOT, "%.3f", sinceLaunch.toMillis() / 1000.0));
		}
	}

	private void onExit(WorkerHandle worker, int code) {
		Instant now = now();
		WorkerSlot slot = this.slots.get(worker.workerId());
		boolean requested = worker.state() == WorkerState.DRAINING && this.phase == Phase.STOPPING;
		String reason;
		if (worker.reason().startsWith("killed")) {
			reason = worker.reason();
		}
		else if (requested) {
			reason = (code == 0) ? "stopped" : "stopped with a failure";
		}
		else {
			reason = "crashed";
		}
		ExitStatus exit = new ExitStatus(code, now, reason);
		worker.exited(exit);
		slot.lastExit(exit);
		boolean clean = requested && code == 0;
		worker.transition(clean ? WorkerState.STOPPED : WorkerState.FAILED, reason + ", " + exit.describe(), now);
		if (this.phase == Phase.STOPPING) {
			if (!clean) {
				this.exitCode = 1;
			}
			return;
		}
		if (this.phase == Phase.STARTING) {
			log.log(System.Logger.Level.ERROR,
					"Worker {0} (pid {1}) exited with {2} before {3} was ready; stopping (see its output above)",
					worker.workerId(), String.valueOf(worker.pid()), exit.describe(), this.settings.name());
			beginStop("worker " + worker.workerId() + " (pid " + worker.pid() + ") exited with " + exit.describe()
					+ " before the cluster was ready", 1);
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
					"Worker slot {0} failed: more than {1} restarts within {2}; it will not be restarted",
					slot.id(), this.settings.maxRestarts(), Durations.format(this.settings.restartWindow()));
			if (this.slots.values().stream().allMatch(WorkerSlot::failed)) {
				log.log(System.Logger.Level.ERROR, "No worker of {0} is left serving; stopping",
						this.settings.name());
				beginStop("no worker left", 1);
			}
			return;
		}
		slot.restartAt(now.plus(delay));
		slot.restartReason((worker != null && worker.reason().startsWith("killed: not ready")) ? "startup-timeout"
				: "crash");
		log.log(System.Logger.Level.INFO, "Worker {0} will be restarted in {1}", slot.id(), Durations.format(delay));
	}

	private void beginStop(String why, int code) {
		Instant now = now();
		this.exitCode = Math.max(this.exitCode, code);
		if (code != 0 && this.failure == null) {
			this.failure = why;
		}
		this.phase = Phase.STOPPING;
		this.stopDeadline = now.plus(this.settings.shutdownTimeout());
		long live = this.slots.values().stream().filter(WorkerSlot::isLive).count();
		log.log(System.Logger.Level.INFO, "Stopping {0} ({1}): {2} workers, shutdown timeout {3}",
				this.settings.name(), why, live, Durations.format(this.settings.shutdownTimeout()));
		for (WorkerSlot slot : this.slots.values()) {
			slot.restartAt(null);
			WorkerHandle worker = slot.current();
			if (worker != null && worker.state().isLive()) {
				worker.transition(WorkerState.DRAINING, why, now);
				worker.process().terminate();
				this.stopping.add(worker);
			}
		}
	}

	/**
	 * The cluster as it is now, for status commands and the actuator endpoint.
	 * @return the view
	 */
	ClusterView view() {
		Instant now = now();
		List<WorkerView> workers = new ArrayList<>();
		for (WorkerSlot slot : this.slots.values()) {
			WorkerHandle worker = slot.current();
			if (worker == null) {
				continue;
			}
			WorkerHeartbeat heartbeat = worker.lastHeartbeat();
			ExitStatus exit = slot.lastExit();
			String state = slot.failed() ? "failed" : worker.state().label();
			workers.add(new WorkerView(slot.id(), worker.pid(), worker.generation(), state, worker.stateSince(),
					worker.reason(), worker.startedAt(), worker.state() == WorkerState.READY, slot.restarts(),
					(exit != null) ? exit.code() : null, (exit != null) ? exit.signal() : null,
					(exit != null) ? exit.at() : null, (exit != null) ? exit.reason() : null,
					(heartbeat != null) ? heartbeat.heapUsed() : -1, (heartbeat != null) ? heartbeat.heapMax() : -1,
					(heartbeat != null) ? heartbeat.health() : "UNKNOWN"));
		}
		return new ClusterView(this.settings.name(), ProcessHandle.current().pid(), this.launchedAt,
				this.phase.name().toLowerCase(java.util.Locale.ROOT), this.settings.workers(),
				(int) this.slots.values().stream().filter(WorkerSlot::isLive).count(), this.port,
				(this.port >= 0) ? "inherited listening socket" : "none", now, workers, this.restartsByReason);
	}

	/**
	 * Why the master stops with a non-zero exit code, {@code null} when it does not.
	 * @return the reason
	 */
	String failure() {
		return this.failure;
	}

	Phase phase() {
		return this.phase;
	}

	int exitCode() {
		return this.exitCode;
	}

	boolean everReady() {
		return this.everReady;
	}

	WorkerHandle worker(int id) {
		WorkerSlot slot = this.slots.get(id);
		return (slot != null) ? slot.current() : null;
	}

	WorkerSlot slot(int id) {
		return this.slots.get(id);
	}

	private Instant now() {
		return this.clock.instant();
	}

}
