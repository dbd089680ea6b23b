package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * The master loop and the cluster's phase: the only thread that changes the worker table. Signal handlers, process
 * watchers and channel readers post {@link MasterEvent}s; the loop hands each to the collaborator it concerns
 * (startup, restarts, reloads, scaling, shutdown, channel messages and control requests).
 */
public final class Master {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private static final long TICK_MILLIS = 100;

	private final SupervisorSettings settings;

	private final Clock clock;

	private final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();

	private final WorkerFactory factory;

	private final WorkerTable table;

	private final Startup startup;

	private final Restarts restarts;

	private final Reloads reloads;

	private final Scaling scaling;

	private final Shutdown shutdown;

	private final ControlRequests requests;

	private final ChannelMessages messages;

	private final Recycling recycling;

	private final Watchdog watchdog;

	private final Leadership leadership;

	private final MessageRelay relay;

	private final OrphanReaper orphans;

	private final LogReopener logs;

	private final Instant launchedAt;

	private final int port;

	private ClusterPhase phase = ClusterPhase.STARTING;

	private SystemdNotifier systemd = SystemdNotifier.OFF;


	/**
	 * Create a master.
	 * @param settings the settings
	 * @param factory starts worker processes
	 * @param clock the clock, replaced in tests
	 * @param launchedAt when this JVM was launched, for the ready line
	 * @param port the port actually bound, -1 when none
	 */
	public Master(SupervisorSettings settings, WorkerFactory factory, Clock clock, Instant launchedAt, int port) {
		this(settings, factory, clock, launchedAt, port, ProcessSample::of, new SplittableRandom(),
				EpochStore.file(settings.runDir().resolve("leader-epoch")));
	}

	/**
	 * Create a master whose watchdog reads processes and draws jitter as the test says.
	 */
	Master(SupervisorSettings settings, WorkerFactory factory, Clock clock, Instant launchedAt, int port,
			LongFunction<ProcessSample> sampler, RandomGenerator random) {
		this(settings, factory, clock, launchedAt, port, sampler, random, EpochStore.MEMORY);
	}

	/**
	 * Create a master whose watchdog reads processes and draws jitter as the test says, keeping epochs where it
	 * says.
	 */
	Master(SupervisorSettings settings, WorkerFactory factory, Clock clock, Instant launchedAt, int port,
			LongFunction<ProcessSample> sampler, RandomGenerator random, EpochStore epochs) {
		this.settings = settings;
		this.clock = clock;
		this.launchedAt = launchedAt;
		this.port = port;
		this.factory = factory;
		this.table = new WorkerTable(settings, factory, clock, this::post);
		this.startup = new Startup(settings, this.table, launchedAt, port, this::stop);
		this.restarts = new Restarts(settings, this.table, (why) -> stop(why, ExitCodes.FAILURE));
		this.scaling = new Scaling(settings, this.table, clock, this::phase, this::reloadInProgress,
				this::preemptRecycle);
		this.reloads = new Reloads(this.table, factory, clock, this::phase, this.scaling::pending,
				this::preemptRecycle, settings.canary());
		this.shutdown = new Shutdown(settings, this.table, port);
		this.requests = new ControlRequests(settings, clock, this, this.reloads, this.scaling, this.shutdown);
		this.recycling = new Recycling(settings, this.table, this.restarts, () -> this.phase != ClusterPhase.RUNNING
				|| this.reloads.active() || this.scaling.pending() != null);
		this.watchdog = new Watchdog(settings.watchdog(), this.table, this.restarts, this.recycling,
				random, sampler);
		this.leadership = new Leadership(this.table, settings.leaderRevokeTimeout(), epochs);
		this.relay = new MessageRelay(this.table, this.leadership::leader, random);
		this.orphans = OrphanReaper.forCurrentProcess(factory);
		this.logs = new LogReopener(this.table);
		this.messages = new ChannelMessages(this.table, this.requests, clock, this::onReady, this.watchdog,
				this.leadership, this.relay);
	}

	/**
	 * Set the shared listening socket a stop closes: first no new connection, then, once the workers took what the
	 * kernel queued, the workers drain, and the socket is closed once none accepts.
	 * @param socket the socket
	 */
	public void listeningSocket(ListeningSocket socket) {
		this.shutdown.listeningSocket(socket);
	}

	/**
	 * Set what tells systemd the cluster's state (readiness, reloads, stops, watchdog pings) from this loop.
	 * @param notifier the notifier
	 */
	public void notifySystemd(SystemdNotifier notifier) {
		this.systemd = notifier;
	}

	/**
	 * Set the log files of a daemon's master, which the {@code reopen-logs} command and SIGUSR1 reopen.
	 * @param stdout the standard output file
	 * @param stderr the standard error file
	 */
	public void logFiles(Path stdout, Path stderr) {
		this.logs.files(stdout, stderr);
	}

	/**
	 * Set the log files, and what reopens them in this process: for tests, whose JVM keeps its own output.
	 */
	void logFiles(Path stdout, Path stderr, LogReopener.Opener opener) {
		this.logs.files(stdout, stderr);
		this.logs.opener(opener);
	}

	/**
	 * Where a daemon's master writes its output, for {@code logs}.
	 * @return the standard output and error files, empty in the foreground
	 */
	java.util.Optional<Path[]> logFiles() {
		return this.logs.files();
	}

	/**
	 * Reopen the log files in the master and every worker.
	 * @param trigger what asked for it
	 * @return what happened
	 */
	LogReopener.Outcome reopenLogs(String trigger) {
		return this.logs.reopen(trigger, now());
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
				stop("master interrupted", ExitCodes.FAILURE);
			}
		}
		return exitCode();
	}

	/** Handle every queued event, for tests that drive the loop step by step. */
	void drain() {
		MasterEvent event;
		while ((event = this.events.poll()) != null) {
			handle(event);
		}
	}

	void start() {
		this.startup.begin(now());
	}

	void handle(MasterEvent event) {
		if (event instanceof MasterEvent.SignalReceived signal) {
			this.requests.signal(signal.name());
		}
		else if (event instanceof MasterEvent.WorkerExited exited) {
			onExit(exited.handle(), exited.code());
		}
		else if (event instanceof MasterEvent.WorkerConnected connected) {
			this.messages.connected(connected);
			if (connected.connection().worker() != null) {
				this.logs.connected(connected.connection().worker());
			}
		}
		else if (event instanceof MasterEvent.Message message) {
			this.messages.received(message.connection(), message.frame());
			// a DRAINING may be what a reload's answer waits for
			this.reloads.check(now());
		}
		else if (event instanceof MasterEvent.Disconnected disconnected) {
			this.shutdown.forget(disconnected.connection());
		}
	}

	void tick() {
		Instant now = now();
		if (this.phase == ClusterPhase.STARTING) {
			this.startup.checkDeadline(now);
		}
		this.table.checkCondemned(now);
		if (this.phase == ClusterPhase.RUNNING) {
			this.table.checkBoots(now);
			this.table.checkRetiring(now);
			this.restarts.startDue(now);
			this.scaling.check(now);
			this.watchdog.check(now);
		}
		this.reloads.check(now);
		this.leadership.check(now, this.phase == ClusterPhase.STARTING || this.phase == ClusterPhase.RUNNING);
		this.relay.flush();
		this.orphans.check(now);
		if (this.phase == ClusterPhase.STOPPING && this.shutdown.tick(now)) {
			this.phase = ClusterPhase.STOPPED;
		}
		this.systemd.observe(SystemdNotifier.State.of(this.phase, this.table, this.reloads));
		this.factory.tick(settled());
	}

	/** Every slot's worker ready, none starting, replacing or stopping: the time for background work. */
	private boolean settled() {
		return this.phase == ClusterPhase.RUNNING && !reloadInProgress() && this.table.replacement() == null
				&& this.table.slots().stream().allMatch((slot) -> slot.current() != null
						&& slot.current().state() == WorkerState.READY);
	}

	private void onReady(WorkerHandle worker, Instant now) {
		if (worker.state() != WorkerState.STARTING) {
			return;
		}
		if (this.table.isReplacement(worker) && this.recycling.owns(worker)) {
			this.recycling.replacementReady(worker, now);
			return;
		}
		if (this.table.isReplacement(worker)) {
			this.reloads.replacementReady(worker, now);
			return;
		}
		worker.transition(WorkerState.READY,
				(this.port >= 0) ? "application ready, accepting connections" : "application ready (no web server)",
				now);
		if (this.phase == ClusterPhase.STARTING && this.startup.workerReady(now)) {
			this.phase = ClusterPhase.RUNNING;
		}
	}

	private void onExit(WorkerHandle worker, int code) {
		Instant now = now();
		boolean replacement = this.table.isReplacement(worker);
		WorkerTable.Reaped reaped = this.table.reap(worker, code, this.phase == ClusterPhase.STOPPING, now);
		WorkerSlot slot = this.table.slot(worker.workerId());
		boolean crashed = this.phase == ClusterPhase.RUNNING && slot != null && slot.current() == worker
				&& !replacement && !reaped.retired() && !reaped.condemned() && !this.recycling.replacing(worker);
		if (crashed) {
			// the restart policy decides whether it is restarting or its slot failed
			this.restarts.crashed(slot, worker, now);
			this.relay.exited(worker);
			return;
		}
		this.table.settle(worker, reaped, now);
		this.relay.exited(worker);
		if (this.phase == ClusterPhase.STOPPING) {
			if (!reaped.clean()) {
				this.shutdown.workerFailed();
			}
		}
		else if (replacement && this.recycling.owns(worker)) {
			this.recycling.replacementFailed(worker, reaped.exit(), now);
			this.restarts.ifLeftEmpty(slot, now);
		}
		else if (replacement) {
			this.reloads.replacementFailed(worker, reaped.exit(), now);
			this.restarts.ifLeftEmpty(slot, now);
		}
		else if (reaped.retired()) {
			this.reloads.retired(worker, now);
		}
		else if (reaped.condemned()) {
			// the watchdog ended it and arranged its replacement when it did
		}
		else if (slot != null && slot.current() == worker && this.recycling.replacing(worker)) {
			// the recycle's replacement, already starting, takes the slot
		}
		else if (slot != null && slot.current() == worker && this.phase == ClusterPhase.STARTING) {
			this.startup.workerExited(worker, reaped.exit());
		}
	}

	/** A reload or a scale goes first: the recycle in progress is cancelled. */
	private void preemptRecycle(String why) {
		this.recycling.cancel(why, now());
	}

	/**
	 * Stop the cluster: end the reload and the scale in progress, cancel the restarts, ask every worker to stop.
	 * @param why why
	 * @param code the exit code this cause asks for
	 */
	void stop(String why, int code) {
		Instant now = now();
		enterStopping(why, code, now);
		this.shutdown.begin(why, now);
	}

	/**
	 * Stop the cluster as a person asked (TERM, INT, the stop command): while it serves and a shutdown delay is
	 * set, the workers first refuse traffic for the delay, without restarts, then drain.
	 * @param why why
	 */
	void stopGracefully(String why) {
		if (this.phase != ClusterPhase.RUNNING || this.settings.shutdownDelay().isZero()) {
			stop(why, 0);
			return;
		}
		Instant now = now();
		enterStopping(why, 0, now);
		this.shutdown.delay(why, now);
	}

	private void enterStopping(String why, int code, Instant now) {
		this.shutdown.record(why, code);
		this.reloads.interrupt(why, now);
		this.scaling.interrupt(why);
		this.phase = ClusterPhase.STOPPING;
		this.restarts.cancelAll(why, now);
	}

	/**
	 * The cluster as it is now, for status commands and the actuator endpoint.
	 * @return the view
	 */
	ClusterView view() {
		return ClusterViews.of(this.settings, this.table, this.phase, this.launchedAt, this.port, now(),
				this.restarts.byReason(), this.reloads.byOutcome(), this.leadership, this.factory.cds(),
				this.reloads.history());
	}

	/**
	 * Why the master stops with a non-zero exit code, {@code null} when it does not.
	 * @return the reason
	 */
	String failure() {
		return this.shutdown.failure();
	}

	ClusterPhase phase() {
		return this.phase;
	}

	int exitCode() {
		return this.shutdown.exitCode();
	}

	WorkerHandle worker(int id) {
		WorkerSlot slot = this.table.slot(id);
		return (slot != null) ? slot.current() : null;
	}

	WorkerHandle byPid(long pid) {
		return this.table.byPid(pid);
	}

	WorkerSlot slot(int id) {
		return this.table.slot(id);
	}

	int slotCount() {
		return this.table.size();
	}

	boolean reloading() {
		return this.reloads.active();
	}

	private boolean reloadInProgress() {
		return this.reloads.unreported();
	}

	private Instant now() {
		return this.clock.instant();
	}

}
