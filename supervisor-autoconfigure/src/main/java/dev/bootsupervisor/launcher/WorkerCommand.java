package dev.bootsupervisor.launcher;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
		return new WorkerCommand(executable, options, currentLaunchTarget(), List.of(arguments), name);
	}

	/** Options a worker must not repeat: a debugger port taken by the master, or worker markers. */
	static boolean isMasterOnly(String option) {
		return option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp")
				|| option.startsWith("-Dsupervisor.worker.") || option.startsWith("-Dsupervisor.name=")
				|| option.startsWith("-D" + DAEMONIZED + "=");
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
		List<String> absolute = new ArrayList<>();
		for (String entry : classPath.split(File.pathSeparator)) {
			absolute.add(entry.isEmpty() || !Files.exists(Path.of(entry)) ? entry
					: Path.of(entry).toAbsolutePath().toString());
		}
		return List.of("-cp", String.join(File.pathSeparator, absolute), mainClass);
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
	 * This command, running another copy of the jar.
	 * @param jar the jar to run
	 * @return the command
	 */
	public WorkerCommand withJar(Path jar) {
		return new WorkerCommand(this.javaExecutable, this.jvmOptions, List.of("-jar", jar.toString()), this.arguments,
				this.name);
	}

	/**
	 * The command line of a daemon's master: this command, marked as already detached.
	 * @return the full command line
	 */
	public List<String> forDaemonMaster() {
		List<String> line = new ArrayList<>();
		line.add(this.javaExecutable);
		line.addAll(this.jvmOptions);
		line.add("-D" + DAEMONIZED + "=true");
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
