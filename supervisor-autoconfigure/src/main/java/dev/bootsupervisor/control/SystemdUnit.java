package dev.bootsupervisor.control;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WorkerCommand;

/**
 * {@code --supervisor.command=systemd-unit}: prints a systemd service unit that runs this app as it was started
 * now (same Java, JVM options, jar and arguments), with the timeouts and exit codes of its configuration.
 */
public final class SystemdUnit {

	/** The first systemd with {@code Type=notify-reload}. */
	static final int NOTIFY_RELOAD_SINCE = 253;

	private static final Duration MARGIN = Duration.ofSeconds(15);

	private static final Pattern VERSION = Pattern.compile("^systemd (\\d+)");

	private final SupervisorSettings settings;

	private final Duration shutdownDelay;

	private final List<String> execStart;

	private final Path workingDirectory;

	private final int systemdVersion;

	/**
	 * Create a unit.
	 * @param settings the app's settings
	 * @param shutdownDelay how long readiness is down before the drain starts
	 * @param execStart the command line, the absolute Java executable first
	 * @param workingDirectory the working directory
	 * @param systemdVersion the host's systemd version, 0 when unknown
	 */
	SystemdUnit(SupervisorSettings settings, Duration shutdownDelay, List<String> execStart, Path workingDirectory,
			int systemdVersion) {
		this.settings = settings;
		this.shutdownDelay = shutdownDelay;
		this.execStart = List.copyOf(execStart);
		this.workingDirectory = workingDirectory;
		this.systemdVersion = systemdVersion;
	}

	/**
	 * The unit of the app this JVM runs, without the {@code supervisor.command} that asked for it.
	 * @param settings the app's settings
	 * @return the unit
	 */
	public static SystemdUnit forCurrentJvm(SupervisorSettings settings) {
		WorkerCommand command = WorkerCommand.ofCurrentJvm(new String[0], settings.name());
		List<String> line = new ArrayList<>();
		line.add(Path.of(command.javaExecutable()).toAbsolutePath().toString());
		ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter((o) -> !isLaunchOnly(o))
			.forEach(line::add);
		line.addAll(command.launchTarget());
		appArguments(WorkerCommand.commandLine(), command.launchTarget()).stream().filter((a) -> !isLaunchOnly(a))
			.forEach(line::add);
		return new SystemdUnit(settings, settings.shutdownDelay(), line, Path.of("").toAbsolutePath(), hostSystemdVersion());
	}

	/** What asked for the unit, or would make the master leave systemd's sight: not part of ExecStart. */
	static boolean isLaunchOnly(String argument) {
		return argument.matches("(--|-D)supervisor\\.(command|daemon)=.*") || argument.startsWith("-agentlib:jdwp")
				|| argument.startsWith("-Xrunjdwp");
	}

	/**
	 * The application's arguments: what follows the launch target on the command line.
	 * @param commandLine the command line, the executable first
	 * @param launchTarget {@code -jar <jar>} or {@code -cp <classpath> <main class>}
	 * @return the arguments
	 */
	static List<String> appArguments(List<String> commandLine, List<String> launchTarget) {
		String last = launchTarget.get(launchTarget.size() - 1);
		for (int i = 1; i < commandLine.size(); i++) {
			String argument = commandLine.get(i);
			boolean target = launchTarget.get(0).equals("-jar") ? argument.equals("-jar") : argument.equals(last);
			if (target) {
				int first = launchTarget.get(0).equals("-jar") ? i + 2 : i + 1;
				return (first <= commandLine.size()) ? commandLine.subList(first, commandLine.size()) : List.of();
			}
		}
		return List.of();
	}

	/**
	 * Print the unit.
	 * @param out where to
	 * @return the exit code
	 */
	public int print(PrintStream out) {
		out.print(text());
		return ExitCodes.OK;
	}

	String text() {
		String name = this.settings.name();
		boolean old = this.systemdVersion > 0 && this.systemdVersion < NOTIFY_RELOAD_SINCE;
		StringBuilder unit = new StringBuilder();
		unit.append("# ").append(name).append(" under Boot Supervisor, printed by --supervisor.command=systemd-unit\n");
		unit.append("# Install: save as /etc/systemd/system/").append(name).append(".service, then\n");
		unit.append("#   systemctl daemon-reload && systemctl enable --now ").append(name).append('\n');
		unit.append("[Unit]\nDescription=").append(name).append(" (Boot Supervisor)\n");
		unit.append("After=network-online.target\nWants=network-online.target\n\n[Service]\n");
		if (old) {
			unit.append("# This host has systemd ").append(this.systemdVersion).append(": Type=notify-reload needs ")
				.append(NOTIFY_RELOAD_SINCE).append(", so a reload is a SIGHUP. From ").append(NOTIFY_RELOAD_SINCE)
				.append(" on, use instead:\n#Type=notify-reload\n");
			unit.append("Type=notify\nExecReload=kill -HUP $MAINPID\n");
		}
		else {
			unit.append("# Before systemd ").append(NOTIFY_RELOAD_SINCE).append(", use instead:\n");
			unit.append("#Type=notify\n#ExecReload=kill -HUP $MAINPID\n");
			unit.append("Type=notify-reload\n");
		}
		unit.append("NotifyAccess=main\n");
		unit.append("ExecStart=").append(String.join(" ", this.execStart.stream().map(SystemdUnit::quote).toList()))
			.append('\n');
		unit.append("WorkingDirectory=").append(path(this.workingDirectory)).append('\n');
		String user = System.getProperty("user.name");
		if (user != null && !user.equals("root")) {
			unit.append("User=").append(user).append('\n');
		}
		unit.append("# TERM to the master only, which drains the workers; KILL to all if the stop times out\n");
		unit.append("KillMode=mixed\n");
		unit.append("TimeoutStartSec=").append(seconds(this.settings.startupTimeout().plus(MARGIN))).append('\n');
		unit.append("TimeoutStopSec=")
			.append(seconds(this.shutdownDelay.plus(this.settings.shutdownTimeout()).plus(MARGIN))).append('\n');
		unit.append("WatchdogSec=30s\n");
		unit.append("# a JVM ended by SIGTERM exits 143\nSuccessExitStatus=143\n");
		unit.append("# a worker killed for memory is restarted by the master, not by systemd\nOOMPolicy=continue\n");
		unit.append("Restart=on-failure\n");
		unit.append("# 78: a configuration error (bad property, port in use, already running): no restart fixes it\n");
		unit.append("RestartPreventExitStatus=").append(ExitCodes.CONFIG).append('\n');
		unit.append("\n[Install]\nWantedBy=multi-user.target\n");
		return unit.toString();
	}

	private static String seconds(Duration duration) {
		return ((duration.toMillis() + 999) / 1000) + "s";
	}

	/**
	 * An argument as systemd's command line reads it: {@code %} and {@code $} doubled, quoted when it has blanks,
	 * quotes or backslashes.
	 * @param argument the argument
	 * @return the quoted argument
	 */
	static String quote(String argument) {
		String escaped = argument.replace("%", "%%").replace("$", "$$");
		if (!escaped.isEmpty() && !escaped.matches(".*[\\s\"'\\\\;].*")) {
			return escaped;
		}
		return "\"" + escaped.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

	/**
	 * A path as systemd reads a path setting such as {@code WorkingDirectory=}: the rest of the line as it is, with
	 * {@code %} doubled (specifiers are expanded); neither quoted, which would make it a relative path, nor with
	 * {@code $} doubled, since no variable is expanded there.
	 * @param path the absolute path
	 * @return the value
	 */
	static String path(Path path) {
		return path.toString().replace("%", "%%");
	}

	/** The host's systemd version from {@code systemctl --version}, 0 when there is none or it does not answer. */
	private static int hostSystemdVersion() {
		try {
			Process process = new ProcessBuilder("systemctl", "--version").redirectErrorStream(true)
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
				.start();
			if (!process.waitFor(2, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return 0;
			}
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			Matcher matcher = VERSION.matcher(output);
			return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 0;
		}
	}

}
