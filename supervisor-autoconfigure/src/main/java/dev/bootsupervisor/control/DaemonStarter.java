package dev.bootsupervisor.control;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.Posix;
import dev.bootsupervisor.base.RunDirectory;
import dev.bootsupervisor.base.SignalRouter;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WorkerCommand;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * {@code --supervisor.daemon=true}: starts the master detached, its output in log files, waits until the cluster
 * is ready and reports; on failure reports why, leaves no process behind and exits with the master's code.
 */
public final class DaemonStarter {

	private static final Duration POLL = Duration.ofMillis(200);

	private static final Duration MARGIN = Duration.ofSeconds(30);

	private static final int TAIL_LINES = 40;

	private static final Duration INTERRUPT_GRACE = Duration.ofMillis(500);

	private final SupervisorSettings settings;

	private final DaemonSettings daemon;

	private final WorkerCommand command;

	private final PrintStream out;

	public DaemonStarter(SupervisorSettings settings, DaemonSettings daemon, WorkerCommand command, PrintStream out) {
		this.settings = settings;
		this.daemon = daemon;
		this.command = command;
		this.out = out;
	}

	/**
	 * Refuse a daemon where detaching makes no sense.
	 * @throws LaunchException when running as PID 1, inside Kubernetes or under systemd
	 */
	public static void checkDetachable() throws LaunchException {
		if (System.getenv("NOTIFY_SOCKET") != null) {
			throw new LaunchException("supervisor.daemon=true is refused: NOTIFY_SOCKET is set, so systemd runs this "
					+ "app and needs the master in the foreground as its main process; leave supervisor.daemon unset",
					ExitCodes.CONFIG);
		}
		String why = null;
		if (ProcessHandle.current().pid() == 1) {
			why = "this process is PID 1 (a container's main process)";
		}
		else if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
			why = "this process runs inside Kubernetes (KUBERNETES_SERVICE_HOST is set)";
		}
		if (why != null) {
			throw new LaunchException("supervisor.daemon=true is refused: " + why + ". A detached daemon would leave "
					+ "the container without its main process and the container would exit. Run in the foreground "
					+ "(leave supervisor.daemon unset); the container runtime already keeps the app in the background.",
							ExitCodes.CONFIG);
		}
	}

	/**
	 * Start the daemon and wait until it is ready.
	 * @return the exit code of the launching command
	 * @throws LaunchException when the start is refused before any process is started
	 */
	public int start() throws LaunchException {
		checkDetachable();
		RunDirectory runDirectory = new RunDirectory(this.settings.runDir());
		runDirectory.prepare();
		if (runDirectory.isLocked()) {
			throw new LaunchException(this.settings.name() + " is already running"
					+ runDirectory.readPid().map((pid) -> " (pid " + pid + ")").orElse("") + ": run directory "
					+ runDirectory.path(), ExitCodes.CONFIG);
		}
		runDirectory.removeStalePidFile()
			.ifPresent((pid) -> this.out.println("Removed a stale pid file: " + RunDirectory.describeStale(pid)));
		Process master;
		Instant started = Instant.now();
		LocalDateTime now = LocalDateTime.now();
		prepareLogFile(this.daemon.stdout(), now);
		if (!this.daemon.stderr().equals(this.daemon.stdout())) {
			prepareLogFile(this.daemon.stderr(), now);
		}
		try {
			// a SIGHUP ignored here (nohup) would stay ignored in the daemon's master, whose reload then never runs
			SignalRouter.unignoreHangup();
			ProcessBuilder builder = new ProcessBuilder(
					this.command.forDaemonMaster(this.daemon.stdout(), this.daemon.stderr()))
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.daemon.stdout().toFile()))
				.redirectError(ProcessBuilder.Redirect.appendTo(this.daemon.stderr().toFile()));
			master = builder.start();
		}
		catch (IOException ex) {
			throw new LaunchException("Cannot start the daemon: " + ex.getMessage(), ExitCodes.FAILURE);
		}
		this.out.println("Starting " + this.settings.name() + " in the background (master pid " + master.pid()
				+ "), logs in " + this.daemon.stdout() + " and " + this.daemon.stderr());
		// Ctrl-C ends this wait, not the daemon: say so, with what stops it (an interrupted wait is the user's choice)
		AtomicBoolean waiting = new AtomicBoolean(true);
		Thread interrupted = new Thread(() -> interrupted(waiting, master), "supervisor-daemon-interrupted");
		Runtime.getRuntime().addShutdownHook(interrupted);
		try {
			return awaitReady(master, runDirectory, started);
		}
		finally {
			waiting.set(false);
			try {
				Runtime.getRuntime().removeShutdownHook(interrupted);
			}
			catch (IllegalStateException ex) {
				// already exiting
			}
		}
	}

	private void interrupted(AtomicBoolean waiting, Process master) {
		if (!waiting.get()) {
			return;
		}
		// a Ctrl-C reaches the master too while it is still in the terminal's process group, before it detaches
		ControlCommands.awaitExit(master.toHandle(), INTERRUPT_GRACE);
		System.err.println(master.isAlive()
				? "Interrupted: " + this.settings.name() + " goes on starting in the background (pid " + master.pid()
						+ "); stop it with --supervisor.command=stop"
				: "Interrupted: the master of " + this.settings.name() + " (pid " + master.pid()
						+ ") was interrupted too and exited; nothing runs");
	}

	/**
	 * Rotate a log file and create it again, owner-only as {@code reopen-logs} creates it: logs can hold secrets.
	 * A directory that cannot be written is a configuration error, named before any process starts.
	 */
	private void prepareLogFile(Path file, LocalDateTime now) throws LaunchException {
		try {
			Path rotated = LogFiles.rotate(file, this.daemon.retention(), now);
			if (rotated != null) {
				this.out.println("Rotated " + file + " to " + rotated.getFileName());
			}
			LogFiles.createOwnerOnly(file);
		}
		catch (IOException ex) {
			throw new LaunchException("Cannot write the log directory " + file.toAbsolutePath().getParent() + ": "
					+ LogFiles.reason(ex), ExitCodes.CONFIG);
		}
	}

	private int awaitReady(Process master, RunDirectory runDirectory, Instant started) {
		Instant deadline = started.plus(this.settings.startupTimeout()).plus(MARGIN);
		Set<Long> spawned = new HashSet<>();
		long lastProgress = 0;
		while (true) {
			master.descendants().forEach((child) -> spawned.add(child.pid()));
			if (!master.isAlive()) {
				// the master's own code says what failed (78 configuration, 3 boot): the caller gets it as is
				return failed("the master exited with code " + master.exitValue(), spawned, master.exitValue());
			}
			Optional<ClusterView> view = view(runDirectory);
			Duration elapsed = Duration.between(started, Instant.now());
			if (view.isPresent() && view.get().state() == ClusterPhase.RUNNING) {
				ClusterView cluster = view.get();
				this.out.printf("%s started: master pid %d, %d workers, %s (ready in %.1f s)%n", cluster.name(),
						cluster.masterPid(), cluster.configuredWorkers(), url(cluster.port()),
						elapsed.toMillis() / 1000.0);
				return 0;
			}
			if (Instant.now().isAfter(deadline)) {
				master.destroy();
				awaitExit(master, this.settings.shutdownTimeout());
				return failed("timed out: not ready within " + Durations.format(this.settings.startupTimeout()),
						spawned, ExitCodes.BOOT_FAILED);
			}
			if (elapsed.toSeconds() > lastProgress) {
				lastProgress = elapsed.toSeconds();
				long ready = view.map((v) -> v.workers().stream().filter(WorkerView::ready).count()).orElse(0L);
				this.out.printf("Waiting for %s: %d/%d workers ready (%d s)%n", this.settings.name(), ready,
						this.settings.workers(), lastProgress);
			}
			sleep(POLL);
		}
	}

	private Optional<ClusterView> view(RunDirectory runDirectory) {
		if (!runDirectory.socket().toFile().exists()) {
			return Optional.empty();
		}
		try (ControlClient client = ControlClient.connect(runDirectory)) {
			return Optional.of(client.view());
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	private int failed(String what, Set<Long> spawned, int exitCode) {
		List<String> stderr = LogFiles.tail(this.daemon.stderr(), TAIL_LINES);
		String reason = stderr.stream()
			.filter((line) -> line.startsWith("Boot Supervisor: "))
			.reduce((first, second) -> second)
			.map((line) -> line.substring("Boot Supervisor: ".length()))
			.orElse(what);
		if (reason.contains("startup timeout") && !reason.startsWith("timed out")) {
			reason = "timed out: " + reason;
		}
		System.err.println("Start failed: " + reason);
		printTail("stderr", this.daemon.stderr(), stderr);
		if (!this.daemon.stderr().equals(this.daemon.stdout())) {
			printTail("stdout", this.daemon.stdout(), LogFiles.tail(this.daemon.stdout(), TAIL_LINES));
		}
		for (long pid : spawned) {
			ProcessHandle.of(pid).ifPresent((process) -> {
				process.destroyForcibly();
				System.err.println("Killed leftover process " + pid);
			});
		}
		return (exitCode != ExitCodes.OK) ? exitCode : ExitCodes.FAILURE;
	}

	private static void printTail(String label, Path file, List<String> lines) {
		if (!lines.isEmpty()) {
			System.err.println("--- last " + lines.size() + " lines of " + label + " (" + file + ") ---");
			lines.forEach(System.err::println);
		}
	}

	private String url(int port) {
		String host = this.settings.address();
		if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
			host = "localhost";
		}
		return (port >= 0) ? "http://" + host + ":" + port : "no web port";
	}

	static boolean awaitExit(Process process, Duration timeout) {
		try {
			process.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
			return true;
		}
		catch (Exception ex) {
			process.destroyForcibly();
			return false;
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Where a daemon's output goes.
	 *
	 * @param stdout the standard output log file
	 * @param stderr the standard error log file
	 * @param retention how many rotated files of each to keep
	 */
	public record DaemonSettings(Path stdout, Path stderr, int retention) {
	}

	/**
	 * Detach the current process from its terminal: a new session. Called first thing by a daemon's master.
	 * @throws LaunchException when the session cannot be created
	 */
	public static void detach() throws LaunchException {
		try {
			Posix.libc().setsid();
		}
		catch (com.sun.jna.LastErrorException ex) {
			throw new LaunchException("Cannot detach the daemon from its terminal (setsid: errno " + ex.getErrorCode()
					+ ")", ExitCodes.FAILURE);
		}
	}

}
