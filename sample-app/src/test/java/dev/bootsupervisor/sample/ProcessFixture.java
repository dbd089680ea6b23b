package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the sample application jar for a test, each run logging to {@code target/it-logs/<test>-<n>.log}, and
 * after the test (passed or failed) kills whatever is left of every process it started and checks that none
 * survived. Register it with {@code @RegisterExtension}; {@link #perClass()} on a static field keeps what it started
 * for every test of the class, and cleans up after the last one.
 */
final class ProcessFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	private static final Path LOGS = Path.of("target", "it-logs");

	/** A deadline, not a wait: a reload of two workers takes about 10 s on an idle machine. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

	private final List<SupervisedProcess> processes = new ArrayList<>();

	private final List<Path> runDirs = new ArrayList<>();

	private final List<Path> kept = new ArrayList<>();

	private int launches;

	private String testName = "test";

	private Path jar = jar("sample.jar", "sample-app.jar");

	private String java = SupervisedProcess.java();

	private int javaRelease = Runtime.version().feature();

	/** Whether what it starts serves every test of a class, and is cleaned up after all of them. */
	private final boolean perClass;

	ProcessFixture() {
		this(false);
	}

	private ProcessFixture(boolean perClass) {
		this.perClass = perClass;
	}

	/**
	 * A fixture whose processes several tests of a class share (register it on a static field): for checks whose
	 * settings allow one cluster, which saves a start per test. Each test should check that the shared cluster is
	 * in the state it needs, since an earlier test may have failed.
	 * @return the fixture
	 */
	static ProcessFixture perClass() {
		return new ProcessFixture(true);
	}

	/** The second JDK the start and reload tests also run on: {@code it.java25}. */
	static String temurin25() {
		return System.getProperty("it.java25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
	}

	/**
	 * Start the apps (not the commands) on another JVM.
	 * @param java its executable
	 * @param release its feature release, such as 25
	 * @return this fixture
	 */
	ProcessFixture onJava(String java, int release) {
		this.java = java;
		this.javaRelease = release;
		return this;
	}

	/** The feature release of the JVM the apps run on. */
	int javaRelease() {
		return this.javaRelease;
	}

	/** The Java executable the apps run on. */
	String java() {
		return this.java;
	}

	/**
	 * The web servers the sample is built on, for tests parameterized over both jars.
	 * @return {@code tomcat} ({@code sample-app.jar}) and {@code jetty} ({@code sample-app-jetty.jar})
	 */
	static Stream<String> servers() {
		return Stream.of("tomcat", "jetty");
	}

	/**
	 * Start the sample built on this web server from now on.
	 * @param server {@code tomcat} or {@code jetty}
	 */
	void onServer(String server) {
		this.jar = switch (server) {
			case "tomcat" -> jar("sample.jar", "sample-app.jar");
			case "jetty" -> jar("sample.jetty.jar", "sample-app-jetty.jar");
			default -> throw new IllegalArgumentException("No sample jar for web server " + server);
		};
		if (!this.testName.endsWith("-" + server)) {
			this.testName += "-" + server;
		}
		if (!Files.isRegularFile(this.jar)) {
			throw new AssertionError("No " + this.jar + ": build the sample-app-jetty module first (mvn -B verify)");
		}
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		if (this.perClass) {
			this.testName = context.getRequiredTestClass().getSimpleName() + "-shared";
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.perClass) {
			cleanUp();
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		if (this.perClass) {
			return;
		}
		String method = context.getRequiredTestMethod().getName();
		String display = context.getDisplayName();
		// A parameterized test's display name tells its invocations apart: each gets log files of its own.
		String invocation = display.replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_|_$", "");
		this.testName = context.getRequiredTestClass().getSimpleName() + "-" + method
				+ (display.startsWith(method) ? "" : "-" + invocation);
	}

	/**
	 * Start {@code java -jar sample-app.jar} on a free port.
	 * @param args the application arguments
	 * @return the started process
	 */
	SupervisedProcess start(String... args) throws IOException {
		return start(freePort(), args);
	}

	SupervisedProcess start(int port, String... args) throws IOException {
		return start(this.jar, port, List.of(), List.of(args));
	}

	/**
	 * Start {@code java <jvmOptions> -jar <jar>} on a port, with a run directory of its own unless the arguments
	 * name one.
	 * @param jar the jar, the sample's or another app's
	 * @param port the port
	 * @param jvmOptions JVM options added to the harness's small-JVM options
	 * @param args the application arguments
	 * @return the started process
	 */
	SupervisedProcess start(Path jar, int port, List<String> jvmOptions, List<String> args) throws IOException {
		List<String> launch = new ArrayList<>(jvmOptions);
		launch.add("-jar");
		launch.add(jar.toString());
		return start(launch, null, port, args);
	}

	/**
	 * Start the app in any launch layout on a port, with a run directory of its own unless the arguments name one.
	 * @param launch what follows the harness's JVM options: {@code -jar app.jar}, or {@code -cp <class path>
	 * <main class>} (with any JVM option the layout needs before it)
	 * @param directory the working directory, {@code null} for the test's
	 * @param port the port
	 * @param args the application arguments
	 * @return the started process
	 */
	SupervisedProcess start(List<String> launch, Path directory, int port, List<String> args) throws IOException {
		return start(launch, directory, Map.of(), port, args);
	}

	/**
	 * Start {@code java -jar sample-app.jar} on a port with environment variables added, as a container manifest
	 * sets them, and a run directory of its own unless the arguments name one.
	 * @param environment the variables
	 * @param port the port
	 * @param args the application arguments
	 * @return the started process
	 */
	SupervisedProcess start(Map<String, String> environment, int port, String... args) throws IOException {
		return start(List.of("-jar", this.jar.toString()), null, environment, port, List.of(args));
	}

	private SupervisedProcess start(List<String> launch, Path directory, Map<String, String> environment, int port,
			List<String> args) throws IOException {
		List<String> arguments = new ArrayList<>(args);
		if (arguments.stream().noneMatch((argument) -> argument.startsWith("--supervisor.run-dir="))) {
			// A run directory (pid file, lock, control socket) of its own: the default one is shared by every
			// sample-app on this machine, so a cluster started elsewhere would make this one refuse to start.
			arguments.add("--supervisor.run-dir=" + tempDirectory().resolve("run"));
		}
		shareArchives(arguments, SupervisedProcess.JVM_OPTIONS);
		shortenCanary(arguments);
		SupervisedProcess process = SupervisedProcess.start(this.java, List.of(), SupervisedProcess.JVM_OPTIONS, launch,
				directory, environment, nextLog(".log"), null, port, arguments);
		this.processes.add(process);
		return process;
	}

	private static void shortenCanary(List<String> arguments) {
		// Every reload of the suite runs a canary, for 1 s instead of the default 10 s (about twenty reloads would
		// add more than three minutes), and passes it on its health alone: a test of something else must not fail
		// on a canary's figures over 1 s. CanaryIntegrationTests judges canaries on their figures, with settings of
		// its own.
		if (arguments.stream().noneMatch((argument) -> argument.startsWith("--supervisor.reload.canary-"))) {
			arguments.add("--supervisor.reload.canary-period=1s");
			arguments.add("--supervisor.reload.canary-min-requests=1000000");
		}
	}

	/**
	 * Let the clusters of the whole suite share their class-data archives ({@code it.cds.dir}), unless a test chooses
	 * its own: an archive is trained once per app version, JVM and options, instead of once per test, and every later
	 * worker of every test starts with it, as a user's workers do. One directory per jar, JVM and JVM options, the
	 * parts of an archive's key: every cluster of the suite is app {@code sample-app}, and a master that trains a new
	 * archive removes its app's other keys, which clusters on another server, JVM or collector may be starting
	 * workers from.
	 */
	private void shareArchives(List<String> arguments, List<String> jvmOptions) {
		String shared = System.getProperty("it.cds.dir", "");
		if (!shared.isBlank() && arguments.stream().noneMatch((argument) -> argument.startsWith("--supervisor.cds."))) {
			String key = this.jar.getFileName() + "-"
					+ Integer.toHexString(Objects.hash(String.valueOf(this.java), List.copyOf(jvmOptions)));
			arguments.add("--supervisor.cds.dir=" + Path.of(shared).resolve(key));
		}
	}

	/**
	 * Start {@code <prefix> java <jvmOptions> -jar sample-app.jar} on a free port, with a run directory of its own
	 * unless the arguments name one: the sample in a PID namespace of its own, in a cgroup, under {@code nohup}.
	 * @param prefix the command that runs java, empty for none (the JVM options alone)
	 * @param jvmOptions the JVM options
	 * @param args the application arguments
	 * @return the started process, the prefix command's
	 */
	SupervisedProcess startUnder(List<String> prefix, List<String> jvmOptions, String... args) throws IOException {
		List<String> arguments = new ArrayList<>(List.of(args));
		if (arguments.stream().noneMatch((argument) -> argument.startsWith("--supervisor.run-dir="))) {
			arguments.add("--supervisor.run-dir=" + tempDirectory().resolve("run"));
		}
		shareArchives(arguments, jvmOptions);
		shortenCanary(arguments);
		SupervisedProcess process = SupervisedProcess.start(this.java, prefix, jvmOptions,
				List.of("-jar", this.jar.toAbsolutePath().toString()), null, Map.of(), nextLog(".log"), null, freePort(),
				arguments);
		this.processes.add(process);
		return process;
	}

	/**
	 * Start a copy of the sample jar, which the test may then change or delete, on a free port.
	 * @param jar the copy
	 * @param args the application arguments
	 * @return the started process
	 */
	SupervisedProcess startJar(Path jar, String... args) throws IOException {
		return start(jar, freePort(), List.of(), List.of(args));
	}

	/**
	 * Run the sample jar to its end with these arguments, such as a control command or a daemon start.
	 * @param args the application arguments
	 * @return what it did
	 */
	SupervisedProcess.CommandResult command(String... args) throws IOException, InterruptedException {
		return command(Map.of(), args);
	}

	/**
	 * Run the sample jar to its end with these environment variables and arguments.
	 * @param environment variables added to the environment
	 * @param args the application arguments
	 * @return what it did
	 */
	SupervisedProcess.CommandResult command(Map<String, String> environment, String... args)
			throws IOException, InterruptedException {
		return startCommand(environment, List.of("-jar", jar().toAbsolutePath().toString()), List.of(args))
			.finish(COMMAND_TIMEOUT);
	}

	/**
	 * Start the sample jar as a command (its standard error apart), to {@link SupervisedProcess#finish finish}
	 * later; it is killed after the test like every process the fixture started.
	 * @param args the application arguments
	 * @return the running command
	 */
	SupervisedProcess startCommand(String... args) throws IOException {
		return startCommand(Map.of(), List.of("-jar", jar().toAbsolutePath().toString()), List.of(args));
	}

	/**
	 * Run {@code java <small JVM options> <launch> <args>} to its end, such as a tool of the jar.
	 * @param launch the JVM options and what to run
	 * @param args the arguments
	 * @return what it did
	 */
	SupervisedProcess.CommandResult java(List<String> launch, String... args)
			throws IOException, InterruptedException {
		return startCommand(Map.of(), launch, List.of(args)).finish(COMMAND_TIMEOUT);
	}

	private SupervisedProcess startCommand(Map<String, String> environment, List<String> launch, List<String> args)
			throws IOException {
		Path log = nextLog(".log");
		Path errors = log.resolveSibling(log.getFileName().toString().replace(".log", ".err.log"));
		SupervisedProcess process = SupervisedProcess.start(launch, null, environment, log, errors, 0, args);
		this.processes.add(process);
		return process;
	}

	/**
	 * A new temporary directory, removed after the test.
	 * @return the directory
	 */
	Path tempDirectory() throws IOException {
		Path directory = Files.createTempDirectory("boot-supervisor-it-");
		this.runDirs.add(directory);
		return directory;
	}

	/**
	 * Copy the files of a directory, such as a daemon's log directory, to {@code target/it-logs} after the test.
	 * @param directory the directory, which need not exist yet
	 * @return the directory
	 */
	Path keepAfterTest(Path directory) {
		this.kept.add(directory);
		return directory;
	}

	/**
	 * Return the pids of every process the test started and of everything they spawned that still runs.
	 * @return the live pids
	 */
	Set<Long> alivePids() {
		Set<Long> alive = new HashSet<>();
		this.processes.forEach((process) -> alive.addAll(process.alivePids()));
		return alive;
	}

	/**
	 * Return the pids of every process seen among the descendants of the processes the test started.
	 * @return the pids, alive or not
	 */
	Set<Long> spawnedPids() {
		Set<Long> spawned = new HashSet<>();
		this.processes.forEach((process) -> spawned.addAll(process.spawnedPids()));
		return spawned;
	}

	static Path sampleJar() {
		return jar().toAbsolutePath();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (context.getExecutionException().isPresent()) {
			this.processes.forEach((process) -> System.err.println("Output of the failed test: " + process.log()));
		}
		if (!this.perClass) {
			cleanUp();
		}
	}

	/**
	 * Kill one process the fixture started, and everything it spawned, before the end of the class: a shared
	 * cluster that a failed test left in an unknown state.
	 * @param process the process
	 */
	void kill(SupervisedProcess process) {
		process.close();
		this.processes.remove(process);
	}

	private void cleanUp() {
		List<Long> survivors = new ArrayList<>();
		for (SupervisedProcess process : this.processes) {
			process.close();
			survivors.addAll(process.alivePids());
		}
		this.processes.clear();
		keep();
		this.runDirs.forEach(ProcessFixture::delete);
		this.runDirs.clear();
		if (!survivors.isEmpty()) {
			throw new AssertionError("Processes still alive after the test: " + survivors);
		}
	}

	private Path nextLog(String suffix) {
		this.launches++;
		return LOGS.resolve(this.testName + "-" + this.launches + suffix);
	}

	private void keep() {
		for (Path directory : this.kept) {
			if (Files.isDirectory(directory)) {
				try (Stream<Path> files = Files.list(directory)) {
					Path copy = Files.createDirectories(LOGS.resolve(this.testName + "-" + directory.getFileName()));
					for (Path file : files.toList()) {
						Files.copy(file, copy.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
					}
				}
				catch (IOException ex) {
					// Best effort: the copy is for people reading a failure, not for the test.
				}
			}
		}
		this.kept.clear();
	}

	/**
	 * Return a port that nothing listens on: bound on the wildcard address, as the master binds it, then released.
	 * @return the port
	 */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void delete(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// Best effort: a leftover temporary directory harms nothing.
		}
	}

	/**
	 * Return the sample's jar on Tomcat, {@code sample-app.jar}.
	 * @return the jar
	 */
	static Path jar() {
		return jar("sample.jar", "sample-app.jar");
	}

	private static Path jar(String property, String name) {
		String configured = System.getProperty(property);
		if (configured != null) {
			return Path.of(configured);
		}
		// Run from an IDE: the working directory is either the module or the repository root.
		Path inModule = Path.of("target", name);
		return Files.exists(inModule) ? inModule : Path.of("sample-app", "target", name);
	}

}
