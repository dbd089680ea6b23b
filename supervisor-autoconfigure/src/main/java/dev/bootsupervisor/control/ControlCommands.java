package dev.bootsupervisor.control;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.RunDirectory;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.CanaryResult;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ReloadRecord;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * {@code --supervisor.command=...}: operates a running app through its run directory, or lists them. Exit codes:
 * {@code status} 0 running, 3 not running, 4 not answering; {@code stop} 0 stopped or not running, 1 failure;
 * {@code list} 0; {@code logs} 0 interrupted, 1 no log file; {@code reopen-logs} 0 reopened, 1 failure;
 * {@code reload} 4 when the master exited before answering; 2 for an unknown command, a bad
 * {@code supervisor.format} or {@code scale} without {@code --supervisor.workers}.
 */
public final class ControlCommands {

	/** The commands, in the order shown to users. */
	public static final List<String> COMMANDS = List.of("status", "stop", "reload", "scale", "list", "logs",
			"reopen-logs", "systemd-unit");

	private static final Duration STOP_MARGIN = Duration.ofSeconds(15);

	private final SupervisorSettings settings;

	private final RunDirectory runDirectory;

	private final PrintStream out;

	private final PrintStream err;

	private DaemonStarter.DaemonSettings logFiles;

	private int lines = 50;

	private boolean logFilesGiven;

	private boolean workersGiven;

	/** How long {@code reload} waits for a master that closed the connection to be gone: a pid is reaped soon. */
	private static final Duration EXIT_GRACE = Duration.ofSeconds(3);

	/** The exit code of a master that did not answer, as {@code status} has it. */
	static final int NOT_ANSWERING = 4;

	/** The exit code of a command used wrongly, as for an unknown command. */
	static final int USAGE = 2;

	private final OutputFormat format;

	public ControlCommands(SupervisorSettings settings, PrintStream out, PrintStream err) {
		this(settings, OutputFormat.TEXT, out, err);
	}

	/**
	 * Commands that print in a format.
	 * @param settings the app's settings
	 * @param format how {@code status} and {@code list} print ({@code supervisor.format})
	 * @param out standard output
	 * @param err standard error
	 */
	public ControlCommands(SupervisorSettings settings, OutputFormat format, PrintStream out, PrintStream err) {
		this.settings = settings;
		this.runDirectory = new RunDirectory(settings.runDir());
		this.out = out;
		this.err = err;
		this.format = format;
	}

	/**
	 * Say where a daemon of this app writes its logs, for {@code logs}.
	 * @param logFiles the daemon's log files
	 * @param lines how many lines of each {@code logs} prints first
	 * @return these commands
	 */
	public ControlCommands withLogs(DaemonStarter.DaemonSettings logFiles, int lines) {
		return withLogs(logFiles, lines, true);
	}

	/**
	 * Say where a daemon of this app writes its logs, for {@code logs}.
	 * @param logFiles the daemon's log files
	 * @param lines how many lines of each {@code logs} prints first
	 * @param given whether the command line or the configuration named them; if not, {@code logs} asks the
	 * running master where its files are and uses {@code logFiles} when it does not answer
	 * @return these commands
	 */
	public ControlCommands withLogs(DaemonStarter.DaemonSettings logFiles, int lines, boolean given) {
		this.logFiles = logFiles;
		this.lines = lines;
		this.logFilesGiven = given;
		return this;
	}

	/**
	 * Say whether the command line gave {@code --supervisor.workers}: {@code scale} needs it, and never takes the
	 * start's count from the configuration.
	 * @param given whether it was given
	 * @return these commands
	 */
	public ControlCommands withWorkersGiven(boolean given) {
		this.workersGiven = given;
		return this;
	}

	/**
	 * Whether a command line gives {@code scale} its count: {@code --supervisor.workers=N} on it, not the start's
	 * count from the configuration.
	 * @param args the command line
	 * @return whether it names the number of workers
	 */
	public static boolean workersGiven(String[] args) {
		for (String arg : args) {
			if (arg.startsWith("--supervisor.workers=")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Run a command.
	 * @param command the command name
	 * @return the exit code
	 */
	public int run(String command) {
		if (command.isEmpty()) {
			this.err.println("supervisor.command is empty: expected one of " + String.join(", ", COMMANDS));
			return 2;
		}
		if (!COMMANDS.contains(command)) {
			this.err.println("Unknown command '" + command + "' for supervisor.command: expected one of "
					+ String.join(", ", COMMANDS));
			return 2;
		}
		if (this.format == OutputFormat.JSON && !command.equals("status") && !command.equals("list")) {
			this.err.println("Boot Supervisor: Invalid value 'json' for supervisor.format: only status and list "
					+ "print JSON; run " + command + " without it");
			return OutputFormat.INVALID_EXIT_CODE;
		}
		if (command.equals("list")) {
			return new AppList(this.out, this.err).run(this.format);
		}
		try {
			this.runDirectory.verifyIfExists();
		}
		catch (LaunchException ex) {
			this.err.println(ex.getMessage());
			return 1;
		}
		return switch (command) {
			case "status" -> status();
			case "stop" -> stop();
			case "reload" -> reload();
			case "scale" -> scale();
			case "logs" -> new LogsCommand(this.settings.name(), logFiles(), this.lines, this.out, this.err).run();
			case "reopen-logs" -> reopenLogs();
			case "systemd-unit" -> SystemdUnit.forCurrentJvm(this.settings).print(this.out);
			default -> throw new IllegalStateException("unknown command '" + command + "' passed the check above");
		};
	}

	/** The files {@code logs} shows: those given, else the running master's, else the default ones. */
	private DaemonStarter.DaemonSettings logFiles() {
		if (this.logFilesGiven || !this.runDirectory.isLocked()) {
			return this.logFiles;
		}
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			Frame reply = client.request("log-files");
			Optional<String> stdout = reply.get("stdout");
			Optional<String> stderr = reply.get("stderr");
			if (Boolean.parseBoolean(reply.get("ok").orElse("false")) && stdout.isPresent() && stderr.isPresent()) {
				return new DaemonStarter.DaemonSettings(java.nio.file.Path.of(stdout.get()),
						java.nio.file.Path.of(stderr.get()), this.logFiles.retention());
			}
		}
		catch (IOException ex) {
			// a master that does not answer (or an older one that does not know the request): the default files
		}
		return this.logFiles;
	}

	private int status() {
		boolean json = this.format == OutputFormat.JSON;
		if (!this.runDirectory.isLocked()) {
			this.out.println(json ? new JsonWriter().beginObject().field("name", this.settings.name())
				.field("running", false).endObject() : this.settings.name() + " is not running");
			return 3;
		}
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			ClusterView view = client.view();
			if (json) {
				JsonWriter writer = new JsonWriter().beginObject();
				ViewJson.full(writer, view);
				this.out.println(writer.endObject());
			}
			else {
				print(view);
			}
			return 0;
		}
		catch (IOException ex) {
			if (json) {
				this.out.println(new JsonWriter().beginObject().field("name", this.settings.name())
					.field("running", true).field("answering", false)
					.field("masterPid", this.runDirectory.readPid().orElse(-1L))
					.field("error", String.valueOf(ex.getMessage())).endObject());
			}
			this.err.println(this.settings.name() + " is running" + pidText() + " but does not answer: "
					+ ex.getMessage());
			return 4;
		}
	}

	private int stop() {
		if (!this.runDirectory.isLocked()) {
			this.out.println(this.settings.name() + " is not running");
			return 0;
		}
		Optional<Long> pid = this.runDirectory.readPid();
		Optional<ProcessHandle> master = pid.flatMap(ProcessHandle::of);
		Duration shutdownTimeout = this.settings.shutdownTimeout();
		CompletableFuture<Frame> outcome = new CompletableFuture<>();
		ControlClient client = null;
		try {
			client = ControlClient.connect(this.runDirectory);
			Frame reply = client.request("stop");
			shutdownTimeout = reply.get("shutdownTimeout").map(Long::parseLong).map(Duration::ofMillis)
				.orElse(shutdownTimeout);
			this.out.println("Stopping " + this.settings.name() + pidText() + ": "
					+ reply.get("message").orElse("stopping"));
			// the master tells this connection how the stop ended, killed workers included, just before it exits
			ControlClient waiting = client;
			Duration wait = shutdownTimeout.plus(STOP_MARGIN);
			Thread reader = new Thread(() -> {
				try {
					outcome.complete(waiting.awaitReply(wait));
				}
				catch (IOException ex) {
					outcome.completeExceptionally(ex);
				}
			}, "supervisor-stop-outcome");
			reader.setDaemon(true);
			reader.start();
		}
		catch (IOException | NumberFormatException ex) {
			this.err.println("Cannot reach the master (" + ex.getMessage() + "); sending SIGTERM instead");
			outcome.completeExceptionally(ex);
			master.ifPresent(ProcessHandle::destroy);
		}
		try {
			Instant deadline = Instant.now().plus(shutdownTimeout).plus(STOP_MARGIN);
			Instant killAt = Instant.now().plus(shutdownTimeout);
			StopProgress progress = new StopProgress(this.out, System.console() != null);
			while (master.map(ProcessHandle::isAlive).orElse(false) && Instant.now().isBefore(deadline)
					&& outcome(outcome) == null) {
				view().ifPresent((view) -> progress.show(view, killAt));
				sleep(outcome);
			}
			progress.end();
			Frame last = outcome(outcome);
			if (last != null && master.isPresent()) {
				// the master sends the outcome as its last act; let it exit before saying it stopped
				awaitExit(master.get(), STOP_MARGIN);
			}
			if (master.map(ProcessHandle::isAlive).orElse(false)) {
				killAll(master.get(), shutdownTimeout);
				this.out.println(this.settings.name() + " stopped");
				return 1;
			}
			if (last != null && !Boolean.parseBoolean(last.get("ok").orElse("false"))) {
				this.err.println(this.settings.name() + " stopped with exit code " + last.get("exitCode").orElse("1")
						+ ": " + last.get("message").orElse("a worker did not stop cleanly"));
				return 1;
			}
			this.out.println(this.settings.name() + " stopped");
			return 0;
		}
		finally {
			if (client != null) {
				client.close();
			}
		}
	}

	private static Frame outcome(CompletableFuture<Frame> outcome) {
		return (outcome.isDone() && !outcome.isCompletedExceptionally()) ? outcome.join() : null;
	}

	static void awaitExit(ProcessHandle process, Duration timeout) {
		try {
			process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// still alive: the caller kills it
		}
	}

	private void killAll(ProcessHandle master, Duration shutdownTimeout) {
		this.err.println("The master" + pidText() + " did not exit within the shutdown timeout of "
				+ Durations.format(shutdownTimeout) + " plus " + Durations.format(STOP_MARGIN)
				+ "; killing it and its workers");
		master.descendants().forEach((process) -> {
			this.err.println("Killed worker pid " + process.pid());
			process.destroyForcibly();
		});
		master.destroyForcibly();
		this.err.println("Killed master pid " + master.pid());
	}

	private int reload() {
		if (!this.runDirectory.isLocked()) {
			this.err.println(this.settings.name() + " is not running");
			return 1;
		}
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			ClusterView before;
			try {
				before = client.view();
			}
			catch (IOException ex) {
				this.err.println("Reload not started: the master" + pidText() + " does not answer (" + ex.getMessage()
						+ "); nothing was changed, and it will not act on this request later");
				return 1;
			}
			this.out.println("Reloading " + this.settings.name() + pidText() + ": one worker at a time...");
			Duration timeout = this.settings.reloadTimeout()
				.plus(this.settings.shutdownTimeout())
				.multipliedBy(Math.max(1, before.configuredWorkers()) + 1L)
				.plus(this.settings.canary().period());
			Frame reply;
			try {
				reply = client.request(Frame.of(MessageType.REQUEST, "command", "reload"), timeout);
			}
			catch (IOException ex) {
				if (masterExited()) {
					return masterWentAway();
				}
				this.err.println("Reload failed: " + ex.getMessage() + "; gave up, and the master will not start "
						+ "this reload later (one already under way finishes or rolls back on its own)");
				return 1;
			}
			boolean ok = Boolean.parseBoolean(reply.get("ok").orElse("false"));
			String message = reply.get("message").orElse("");
			(ok ? this.out : this.err).println(ok ? "Reload succeeded: " + message : "Reload failed: " + message);
			if (ok) {
				print(client.view());
			}
			return ok ? 0 : 1;
		}
		catch (IOException ex) {
			if (masterExited()) {
				return masterWentAway();
			}
			this.err.println("Reload failed: " + ex.getMessage());
			return 1;
		}
	}

	/** Whether the master in the pid file is gone, or goes within a moment (a killed one closes its socket first). */
	private boolean masterExited() {
		Optional<ProcessHandle> master = this.runDirectory.readPid().flatMap(ProcessHandle::of);
		if (master.isEmpty()) {
			return this.runDirectory.readPid().isPresent();
		}
		awaitExit(master.get(), EXIT_GRACE);
		return !master.get().isAlive();
	}

	private int masterWentAway() {
		this.err.println("Reload: the master" + pidText() + " exited before answering; check 'status'");
		return NOT_ANSWERING;
	}

	private int scale() {
		// a usage error first: the start's count from the configuration is not a target
		if (!this.workersGiven) {
			this.err.println("scale needs --supervisor.workers=N, the number of workers to run; nothing was changed");
			return USAGE;
		}
		if (!this.runDirectory.isLocked()) {
			this.err.println(this.settings.name() + " is not running");
			return 1;
		}
		int target = this.settings.workers();
		Duration timeout = this.settings.startupTimeout().plus(this.settings.shutdownTimeout()).plus(STOP_MARGIN);
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			this.out.println("Scaling " + this.settings.name() + " to " + target + " workers...");
			Frame reply = client.request(Frame.of(MessageType.REQUEST, "command", "scale", "workers", target),
					timeout);
			if (!Boolean.parseBoolean(reply.get("ok").orElse("false"))) {
				this.err.println("Scale failed: " + reply.get("message").orElse(""));
				return 1;
			}
			this.out.println("Scaled " + this.settings.name() + " to " + target + " workers ("
					+ reply.get("message").orElse("") + ")");
			print(client.view());
			return 0;
		}
		catch (IOException ex) {
			this.err.println("Scale failed: " + ex.getMessage());
			return 1;
		}
	}

	private int reopenLogs() {
		if (!this.runDirectory.isLocked()) {
			this.err.println(this.settings.name() + " is not running");
			return 1;
		}
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			Frame reply = client.request("reopen-logs");
			boolean ok = Boolean.parseBoolean(reply.get("ok").orElse("false"));
			String message = reply.get("message").orElse("");
			(ok ? this.out : this.err).println(ok ? "Reopened the log files of " + this.settings.name() + pidText()
					+ ": " + message : "Cannot reopen the log files of " + this.settings.name() + ": " + message);
			return ok ? 0 : 1;
		}
		catch (IOException ex) {
			this.err.println("Cannot reopen the log files: the master" + pidText() + " does not answer ("
					+ ex.getMessage() + ")");
			return 1;
		}
	}

	private Optional<ClusterView> view() {
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			return Optional.of(client.view());
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	private String pidText() {
		return this.runDirectory.readPid().map((pid) -> " (pid " + pid + ")").orElse("");
	}

	void print(ClusterView view) {
		Instant now = view.at();
		long ready = view.workers().stream().filter(WorkerView::ready).count();
		// Locale.US everywhere here: plain digits, and no locale data to load (a third of a command's own time)
		this.out.printf(Locale.US, "%s: %s, master pid %d, up %s, %s, %d/%d workers ready%n", view.name(),
				view.state().label(),
				view.masterPid(), age(view.masterStartedAt(), now),
				(view.port() >= 0) ? "port " + view.port() : "no port", ready, view.configuredWorkers());
		if (!view.restartsByReason().isEmpty()) {
			this.out.println("restarts by reason: " + view.restartsByReason()
				.entrySet()
				.stream()
				.map((entry) -> entry.getKey() + " " + entry.getValue())
				.collect(Collectors.joining(", ")));
		}
		view.workers()
			.stream()
			.filter(WorkerView::leader)
			.findFirst()
			.ifPresent((leader) -> this.out.printf(Locale.US, "leader: worker %d (pid %d), epoch %d%n", leader.id(),
					leader.pid(), view.leaderEpoch()));
		this.out.println("cds: " + view.cds().state()
				+ (view.cds().location().isEmpty() ? "" : ", " + view.cds().location())
				+ (view.cds().detail().isEmpty() ? "" : " (" + view.cds().detail() + ")"));
		if (!view.reloadHistory().isEmpty()) {
			this.out.println("reloads (latest last):");
			for (ReloadRecord reload : view.reloadHistory()) {
				CanaryResult canary = reload.canary();
				// the answer of a reload names its canary's verdict already
				String detail = (canary != null && canary.passed() && !reload.detail().contains(canary.verdict()))
						? reload.detail() + "; " + canary.verdict() : reload.detail();
				this.out.printf(Locale.US, "  %s  %-9s %s in %s (%s, %s): %s%n",
						reload.startedAt().truncatedTo(ChronoUnit.SECONDS).toString(),
						reload.outcome(), reload.version(), Durations.format(reload.duration()), reload.trigger(),
						(canary != null) ? "canary" : "no canary", detail);
			}
		}
		// the state column widens for a restart's time: restarting (in 2s)
		int stateWidth = view.workers().stream().mapToInt((worker) -> state(worker, now).length() + 2).max().orElse(0);
		String format = "%-7s%-9s%-5s%-" + Math.max(10, stateWidth) + "s%-10s%-10s%s%n";
		this.out.printf(Locale.US, format, "WORKER", "PID", "GEN", "STATE", "UPTIME", "RESTARTS", "LAST EXIT");
		for (WorkerView worker : view.workers()) {
			String exit = "-";
			WorkerView.LastExit last = worker.lastExit();
			if (last != null) {
				exit = ((last.signal() != null) ? "signal " + last.signal() : "code " + last.code()) + " "
						+ age(last.at(), now) + " ago (" + last.reason() + ")";
			}
			this.out.printf(Locale.US, format, worker.id(), worker.pid(), worker.generation(), state(worker, now),
					worker.alive() ? age(worker.startedAt(), now) : "-", worker.restarts(), exit);
		}
	}

	/** A worker's state in the table: its label, and when its slot's next worker starts while it restarts. */
	static String state(WorkerView worker, Instant now) {
		return (worker.restartAt() != null) ? worker.state().label() + " (in " + age(now, worker.restartAt()) + ")"
				: worker.state().label();
	}

	static String age(Instant from, Instant to) {
		long seconds = Math.max(0, Duration.between(from, to).toSeconds());
		if (seconds < 60) {
			return seconds + "s";
		}
		if (seconds < 3600) {
			return String.format(Locale.US, "%dm%02ds", seconds / 60, seconds % 60);
		}
		if (seconds < 86400) {
			return String.format(Locale.US, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
		}
		return String.format(Locale.US, "%dd%02dh", seconds / 86400, (seconds % 86400) / 3600);
	}

	private static void sleep(CompletableFuture<Frame> outcome) {
		try {
			if (outcome.isDone()) {
				// no outcome will come (the connection ended): watch the master process instead
				Thread.sleep(1000);
			}
			else {
				outcome.get(1, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// no outcome yet, or none will come: the caller looks at the master process
		}
	}

}
