package dev.bootsupervisor.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * {@code --supervisor.command=stop|status}: operates a running app through its run directory. Exit codes:
 * {@code status} 0 running, 3 not running, 4 not answering; {@code stop} 0 stopped or not running, 1 failure;
 * 2 for an unknown command.
 */
public final class ControlCommands {

	/** The commands, in the order shown to users. */
	public static final List<String> COMMANDS = List.of("status", "stop", "reload", "scale");

	private static final Duration STOP_MARGIN = Duration.ofSeconds(15);

	private final SupervisorSettings settings;

	private final RunDirectory runDirectory;

	private final PrintStream out;

	private final PrintStream err;

	public ControlCommands(SupervisorSettings settings, PrintStream out, PrintStream err) {
		this.settings = settings;
		this.runDirectory = new RunDirectory(settings.runDir());
		this.out = out;
		this.err = err;
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
			default -> throw new IllegalStateException("unknown command '" + command + "' passed the check above");
		};
	}

	private int status() {
		if (!this.runDirectory.isLocked()) {
			this.out.println(this.settings.name() + " is not running");
			return 3;
		}
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			print(client.view());
			return 0;
		}
		catch (IOException ex) {
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
		ClusterView last = null;
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			last = client.view();
			Frame reply = client.request("stop");
			this.out.println("Stopping " + this.settings.name() + pidText() + ": "
					+ reply.get("message").orElse("stopping"));
		}
		catch (IOException ex) {
			this.err.println("Cannot reach the master (" + ex.getMessage() + "); sending SIGTERM instead");
			master.ifPresent(ProcessHandle::destroy);
		}
		Instant deadline = Instant.now().plus(this.settings.shutdownTimeout()).plus(STOP_MARGIN);
		Map<Integer, WorkerView> killed = new LinkedHashMap<>();
		while (master.map(ProcessHandle::isAlive).orElse(false) && Instant.now().isBefore(deadline)) {
			Optional<ClusterView> view = view();
			if (view.isPresent()) {
				last = view.get();
				last.workers()
					.stream()
					.filter((w) -> w.reason().startsWith("killed"))
					.forEach((w) -> killed.put(w.id(), w));
				long left = last.workers().stream().filter((w) -> !w.state().equals("stopped")
						&& !w.state().equals("failed")).count();
				this.out.println("Waiting for " + left + " worker(s) to finish their requests...");
			}
			sleep();
		}
		if (master.map(ProcessHandle::isAlive).orElse(false)) {
			this.err.println("The master" + pidText() + " did not exit within the shutdown timeout of "
					+ Durations.format(this.settings.shutdownTimeout()) + " plus " + Durations.format(STOP_MARGIN)
					+ "; killing it and its workers");
			master.get().descendants().forEach((process) -> {
				this.err.println("Killed worker pid " + process.pid());
				process.destroyForcibly();
			});
			master.get().destroyForcibly();
			this.err.println("Killed master pid " + master.get().pid());
		}
		killed.values()
			.forEach((w) -> this.err.println("Worker " + w.id() + " (pid " + w.pid() + ") was killed after the "
					+ "shutdown timeout of " + Durations.format(this.settings.shutdownTimeout())));
		this.out.println(this.settings.name() + " stopped");
		return 0;
	}

	private int reload() {
		if (!this.runDirectory.isLocked()) {
			this.err.println(this.settings.name() + " is not running");
			return 1;
		}
		this.out.println("Reloading " + this.settings.name() + pidText() + ": one worker at a time...");
		Duration timeout = this.settings.reloadTimeout()
			.plus(this.settings.shutdownTimeout())
			.multipliedBy(Math.max(1, this.settings.workers()) + 1);
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			Frame reply = client.request(Frame.of(dev.bootsupervisor.protocol.MessageType.REQUEST, "command",
					"reload"), timeout);
			boolean ok = Boolean.parseBoolean(reply.get("ok").orElse("false"));
			String message = reply.get("message").orElse("");
			(ok ? this.out : this.err).println(ok ? "Reload succeeded: " + message : "Reload failed: " + message);
			if (ok) {
				print(client.view());
			}
			return ok ? 0 : 1;
		}
		catch (IOException ex) {
			this.err.println("Reload failed: " + ex.getMessage());
			return 1;
		}
	}

	private int scale() {
		if (!this.runDirectory.isLocked()) {
			this.err.println(this.settings.name() + " is not running");
			return 1;
		}
		int target = this.settings.workers();
		try (ControlClient client = ControlClient.connect(this.runDirectory)) {
			Frame reply = client.request(Frame.of(dev.bootsupervisor.protocol.MessageType.REQUEST, "command",
					"scale", "workers", target), Duration.ofSeconds(10));
			if (!Boolean.parseBoolean(reply.get("ok").orElse("false"))) {
				this.err.println("Scale failed: " + reply.get("message").orElse(""));
				return 1;
			}
			this.out.println("Scaling " + this.settings.name() + " to " + target + " workers...");
		}
		catch (IOException ex) {
			this.err.println("Scale failed: " + ex.getMessage());
			return 1;
		}
		Instant deadline = Instant.now().plus(this.settings.startupTimeout()).plus(this.settings.shutdownTimeout());
		while (Instant.now().isBefore(deadline)) {
			Optional<ClusterView> view = view();
			if (view.isPresent() && scaled(view.get(), target)) {
				this.out.println("Scaled " + this.settings.name() + " to " + target + " workers");
				print(view.get());
				return 0;
			}
			sleep();
		}
		this.err.println("Scale did not complete within " + Durations
			.format(this.settings.startupTimeout().plus(this.settings.shutdownTimeout())));
		return 1;
	}

	private static boolean scaled(ClusterView view, int target) {
		long ready = view.workers().stream().filter(WorkerView::ready).count();
		boolean draining = view.workers().stream().anyMatch((w) -> w.state().equals("draining"));
		return view.configuredWorkers() == target && ready == target && !draining;
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

	private void print(ClusterView view) {
		Instant now = view.at();
		long ready = view.workers().stream().filter(WorkerView::ready).count();
		this.out.printf("%s: %s, master pid %d, up %s, %s, %d/%d workers ready%n", view.name(), view.state(),
				view.masterPid(), age(view.masterStartedAt(), now),
				(view.port() >= 0) ? "port " + view.port() : "no port", ready, view.configuredWorkers());
		String format = "%-7s%-9s%-5s%-10s%-10s%-10s%s%n";
		this.out.printf(format, "WORKER", "PID", "GEN", "STATE", "UPTIME", "RESTARTS", "LAST EXIT");
		for (WorkerView worker : view.workers()) {
			String exit = "-";
			if (worker.lastExitCode() != null) {
				exit = ((worker.lastExitSignal() != null) ? "signal " + worker.lastExitSignal()
						: "code " + worker.lastExitCode()) + " " + age(worker.lastExitAt(), now) + " ago ("
						+ worker.lastExitReason() + ")";
			}
			boolean live = !worker.state().equals("stopped") && !worker.state().equals("failed");
			this.out.printf(format, worker.id(), worker.pid(), worker.generation(), worker.state(),
					live ? age(worker.startedAt(), now) : "-", worker.restarts(), exit);
		}
	}

	static String age(Instant from, Instant to) {
		long seconds = Math.max(0, Duration.between(from, to).toSeconds());
		if (seconds < 60) {
			return seconds + "s";
		}
		if (seconds < 3600) {
			return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
		}
		if (seconds < 86400) {
			return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
		}
		return String.format(Locale.ROOT, "%dd%02dh", seconds / 86400, (seconds % 86400) / 3600);
	}

	private static void sleep() {
		try {
			Thread.sleep(1000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
