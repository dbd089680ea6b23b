package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the sample application jar for a test, each run logging to {@code target/it-logs/<test>-<n>.log}, and
 * after the test (passed or failed) kills whatever is left of every process it started and checks that none
 * survived. Register it with {@code @RegisterExtension}.
 */
final class ProcessFixture implements BeforeEachCallback, AfterEachCallback {

	private static final Path LOGS = Path.of("target", "it-logs");

	private final List<SupervisedProcess> processes = new ArrayList<>();

	private final List<Path> runDirs = new ArrayList<>();

	private String testName = "test";

	private Path jar = jar("sample.jar", "sample-app.jar");

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
		this.testName += "-" + server;
		if (!Files.isRegularFile(this.jar)) {
			throw new AssertionError("No " + this.jar + ": build the sample-app-jetty module first (mvn -B verify)");
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.testName = context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName();
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
	 * Start {@code java <jvmOptions> -jar <jar>} on a port, with a run directory of its own.
	 * @param jar the jar, the sample's or another app's
	 * @param port the port
	 * @param jvmOptions JVM options added to the harness's small-JVM options
	 * @param args the application arguments
	 * @return the started process
	 */
	SupervisedProcess start(Path jar, int port, List<String> jvmOptions, List<String> args) throws IOException {
		Path log = LOGS.resolve(this.testName + "-" + (this.processes.size() + 1) + ".log");
		List<String> arguments = new ArrayList<>(args);
		if (arguments.stream().noneMatch((argument) -> argument.startsWith("--supervisor.run-dir="))) {
			// A run directory (pid file, lock, control socket) of its own: the default one is shared by every
			// sample-app on this machine, so a cluster started elsewhere would make this one refuse to start.
			Path parent = Files.createTempDirectory("boot-supervisor-it-");
			this.runDirs.add(parent);
			arguments.add("--supervisor.run-dir=" + parent.resolve("run"));
		}
		SupervisedProcess process = SupervisedProcess.start(jar, log, port, jvmOptions, arguments);
		this.processes.add(process);
		return process;
	}

	/**
	 * Run the sample jar to its end with these arguments, such as a control command.
	 * @param args the application arguments
	 * @return what it did
	 */
	SupervisedProcess.CommandResult command(String... args) throws IOException, InterruptedException {
		return SupervisedProcess.run(jar(), Duration.ofSeconds(120), List.of(args));
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
	 * Start a copy of the sample jar, which the test may then change or delete.
	 * @param jar the copy
	 * @param args the application arguments, a run directory among them
	 * @return the started process
	 */
	SupervisedProcess startJar(Path jar, String... args) throws IOException {
		Path log = LOGS.resolve(this.testName + "-" + (this.processes.size() + 1) + ".log");
		SupervisedProcess process = SupervisedProcess.start(jar, log, freePort(), List.of(args));
		this.processes.add(process);
		return process;
	}

	static Path sampleJar() {
		return jar().toAbsolutePath();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (context.getExecutionException().isPresent()) {
			this.processes.forEach((process) -> System.err.println("Output of the failed test: " + process.log()));
		}
		List<Long> survivors = new ArrayList<>();
		for (SupervisedProcess process : this.processes) {
			process.close();
			survivors.addAll(process.alivePids());
		}
		this.processes.clear();
		this.runDirs.forEach(ProcessFixture::delete);
		this.runDirs.clear();
		if (!survivors.isEmpty()) {
			throw new AssertionError("Processes still alive after the test: " + survivors);
		}
	}

	/**
	 * Return a port that nothing listens on: bound on the loopback address, then released.
	 * @return the port
	 */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
