package dev.bootsupervisor.base;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line that starts a worker: the master's own Java executable, JVM options, jar or classpath and
 * main class, and arguments, plus the system properties that make the JVM a worker.
 *
 * @param javaExecutable the Java executable
 * @param jvmOptions the JVM options
 * @param launchTarget {@code -jar <jar>} or {@code -cp <classpath> <main class>}
 * @param arguments the application arguments
 * @param name the app's name, shown on the command line so {@code ps} tells which app a worker belongs to
 */
public record WorkerCommand(String javaExecutable, List<String> jvmOptions, List<String> launchTarget, List<String> arguments,
		String name) {

	/** System property that marks the master a daemon start launched, which then detaches itself. */
	public static final String DAEMONIZED = "supervisor.daemonized";

	/** System property that tells a daemon's master its standard output log file, which it reopens on request. */
	public static final String DAEMON_STDOUT = DAEMONIZED + ".stdout";

	/** System property that tells a daemon's master its standard error log file. */
	public static final String DAEMON_STDERR = DAEMONIZED + ".stderr";

	/** Grants native access to the class path, so that JNA's loading of native code is not warned about. */
	static final String ENABLE_NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

	/** Launcher options whose value is the next argument. */
	private static final Set<String> SEPARATE_VALUE = Set.of("-p", "--module-path",
			"--upgrade-module-path", "--add-modules", "--limit-modules", "--add-exports", "--add-opens", "--add-reads",
			"--patch-module", "--enable-native-access");

	public WorkerCommand {
		jvmOptions = List.copyOf(jvmOptions);
		launchTarget = List.copyOf(launchTarget);
		arguments = List.copyOf(arguments);
	}

	/**
	 * The command of the current JVM.
	 * @param arguments the application arguments as {@code main} received them
	 * @param name the app's name
	 * @return the command
	 */
	public static WorkerCommand ofCurrentJvm(String[] arguments, String name) {
		String executable = ProcessHandle.current()
			.info()
			.command()
			.orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		List<String> options = new ArrayList<>();
		for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
			if (!isMasterOnly(option)) {
				options.add(option);
			}
		}
		return new WorkerCommand(executable, withNativeAccess(options, Runtime.version().feature()),
				currentLaunchTarget(), List.of(arguments), name);
	}

	/**
	 * The JVM options with native access granted to the class path when the JVM is Java 22 or later and they do not
	 * grant it already: the JVMs the supervisor starts then print no restricted-method warning when a library (JNA)
	 * loads native code. Java 17 to 21 do not know the option and would not start with it.
	 * @param options the JVM options
	 * @param javaFeature the feature release of the JVM that runs them ({@code Runtime.version().feature()})
	 * @return the options
	 */
	public static List<String> withNativeAccess(List<String> options, int javaFeature) {
		if (javaFeature < 22 || options.stream().anyMatch((option) -> option.startsWith("--enable-native-access"))) {
			return options;
		}
		List<String> granted = new ArrayList<>(options);
		granted.add(ENABLE_NATIVE_ACCESS);
		return granted;
	}

	/** Options a worker must not repeat: a debugger port taken by the master, or worker markers. */
	static boolean isMasterOnly(String option) {
		return option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp")
				|| option.startsWith("-Dsupervisor.worker.") || option.startsWith("-Dsupervisor.name=")
				|| option.startsWith("-D" + DAEMONIZED + "=") || option.startsWith("-D" + DAEMONIZED + ".");
	}

	private static List<String> currentLaunchTarget() {
		String classPath = System.getProperty("java.class.path", "");
		String command = System.getProperty("sun.java.command", "");
		boolean jar = !classPath.contains(File.pathSeparator) && classPath.endsWith(".jar")
				&& command.startsWith(classPath);
		if (jar) {
			return List.of("-jar", Path.of(classPath).toAbsolutePath().toString());
		}
		String mainClass = command.split(" ", 2)[0];
		String given = givenClassPath(commandLine(), System.getenv("CLASSPATH"));
		List<String> absolute = new ArrayList<>();
		for (String entry : ((given != null) ? given : classPath).split(File.pathSeparator, -1)) {
			absolute.add(absolute(entry));
		}
		return List.of("-cp", String.join(File.pathSeparator, absolute), mainClass);
	}

	/** A class path entry made absolute, a {@code dir/*} wildcard kept as one, so workers expand it themselves. */
	private static String absolute(String entry) {
		if (entry.isEmpty()) {
			return entry;
		}
		if (entry.equals("*") || entry.endsWith(File.separator + "*")) {
			String directory = entry.substring(0, entry.length() - 1);
			return Path.of(directory.isEmpty() ? "." : directory).toAbsolutePath().normalize() + File.separator + "*";
		}
		return Files.exists(Path.of(entry)) ? Path.of(entry).toAbsolutePath().toString() : entry;
	}

	/**
	 * The class path as the command line gave it, before the launcher expanded its {@code dir/*} wildcards, so that
	 * a redeploy that renames a library is seen by the next workers: the {@code -cp} option, else the
	 * {@code CLASSPATH} variable; {@code null} when neither can be read (an {@code @argfile}, no {@code /proc}).
	 * @param commandLine this JVM's command line, the executable first, or an empty list
	 * @param environment the {@code CLASSPATH} environment variable
	 * @return the class path, or {@code null}
	 */
	static String givenClassPath(List<String> commandLine, String environment) {
		for (int i = 1; i < commandLine.size(); i++) {
			String argument = commandLine.get(i);
			if (argument.startsWith("@")) {
				return null;
			}
			if (argument.equals("-cp") || argument.equals("-classpath") || argument.equals("--class-path")) {
				return (i + 1 < commandLine.size()) ? commandLine.get(i + 1) : null;
			}
			if (argument.startsWith("--class-path=")) {
				return argument.substring("--class-path=".length());
			}
			if (SEPARATE_VALUE.contains(argument)) {
				i++;
			}
			else if (!argument.startsWith("-")) {
				break;
			}
		}
		return commandLine.isEmpty() ? null : environment;
	}

	/**
	 * This JVM's command line as the kernel holds it, the executable first; empty where there is no {@code /proc}.
	 * @return the command line
	 */
	public static List<String> commandLine() {
		try {
			String text = Files.readString(Path.of("/proc/self/cmdline"));
			return List.of(text.split("\\x00"));
		}
		catch (IOException | RuntimeException ex) {
			return List.of();
		}
	}

	/**
	 * The jar this command runs, {@code null} when it runs a classpath and main class.
	 * @return the jar
	 */
	public Path jar() {
		return (this.launchTarget.size() == 2 && this.launchTarget.get(0).equals("-jar"))
				? Path.of(this.launchTarget.get(1)) : null;
	}

	/**
	 * This command, with other JVM options and another launch target: a worker's, on a snapshot of the class path.
	 * @param jvmOptions the JVM options
	 * @param launchTarget the launch target
	 * @return the command
	 */
	public WorkerCommand withLaunch(List<String> jvmOptions, List<String> launchTarget) {
		return new WorkerCommand(this.javaExecutable, jvmOptions, launchTarget, this.arguments, this.name);
	}

	/**
	 * The command line of a daemon's master: this command, marked as already detached.
	 * @return the full command line
	 */
	public List<String> forDaemonMaster() {
		return forDaemonMaster(null, null);
	}

	/**
	 * The command line of a daemon's master that writes to these log files, which it reopens on request.
	 * @param stdout the standard output log file, {@code null} for none
	 * @param stderr the standard error log file, {@code null} for none
	 * @return the full command line
	 */
	public List<String> forDaemonMaster(Path stdout, Path stderr) {
		List<String> line = new ArrayList<>();
		line.add(this.javaExecutable);
		line.addAll(this.jvmOptions);
		line.add("-D" + DAEMONIZED + "=true");
		if (stdout != null && stderr != null) {
			line.add("-D" + DAEMON_STDOUT + "=" + stdout.toAbsolutePath());
			line.add("-D" + DAEMON_STDERR + "=" + stderr.toAbsolutePath());
		}
		line.addAll(this.launchTarget);
		line.addAll(this.arguments);
		return line;
	}

	/**
	 * The command line of one worker.
	 * @param workerId the worker id
	 * @param generation the generation
	 * @return the full command line
	 */
	public List<String> forWorker(int workerId, int generation) {
		List<String> line = new ArrayList<>();
		line.add(this.javaExecutable);
		line.addAll(this.jvmOptions);
		line.add("-Dsupervisor.name=" + this.name);
		line.add("-Dsupervisor.worker.id=" + workerId);
		line.add("-Dsupervisor.worker.generation=" + generation);
		line.addAll(this.launchTarget);
		line.addAll(this.arguments);
		return line;
	}

}
