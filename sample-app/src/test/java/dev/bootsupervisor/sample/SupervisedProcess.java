package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One {@code java -jar sample-app.jar} process started by a test: its output goes to a file that tests assert on
 * and people read, and every process it spawns is remembered (even after it is orphaned) so that none outlives
 * the test.
 */
final class SupervisedProcess implements AutoCloseable {

	/** Options for a smaller, faster starting JVM; the workers inherit them from the master. */
	static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-Xss512k",
			"-XX:+UseSerialGC", "-Xmx256m");

	/** The options for a smaller JVM without a heap size: for a test of the heap the supervisor gives workers. */
	static final List<String> JVM_OPTIONS_WITHOUT_HEAP = JVM_OPTIONS.stream()
		.filter((option) -> !option.startsWith("-Xmx"))
		.toList();

	/** The options for a smaller JVM on the JVM's default collector (G1): for a test of what a collector shows. */
	static final List<String> JVM_OPTIONS_DEFAULT_GC = JVM_OPTIONS.stream()
		.filter((option) -> !option.equals("-XX:+UseSerialGC"))
		.toList();

	/** A deadline, not a wait: a start takes a few seconds alone, but minutes on 2 cores shared with other builds. */
	private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

	/** A deadline, not a wait: a replacement's start and an old worker's drain, on a shared machine. */
	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

	static {
		// Every request asks for "Connection: close", so each one takes a new connection from the shared accept
		// queue (and reaches whichever worker accepts next) and no idle keep-alive connection delays a drain.
		System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
	}

	// HTTP/1.1 only: an HTTP/2 upgrade request whose "Connection: close" replaced "Connection: Upgrade" is one that
	// Jetty rightly answers 400 (Tomcat ignores the upgrade)
	private static final HttpClient CLIENT = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(REQUEST_TIMEOUT)
		.build();

	private final Process process;

	private final int port;

	private final Path log;

	private final int headerLength;

	/** The processes whose descendants are sampled: this one, and any it names that outlive it (a daemon's master). */
	private final Set<ProcessHandle> roots = ConcurrentHashMap.newKeySet();

	/** Every descendant seen, as handles: a handle is alive only while its pid names the same process. */
	private final Set<ProcessHandle> spawned = ConcurrentHashMap.newKeySet();

	/** The command line, for messages. */
	private final String command;

	/** The standard error file, or {@code null} when it goes to the log with the standard output. */
	private final Path errors;

	private final long startedAt = System.nanoTime();

	private final ScheduledExecutorService tracker;

	private SupervisedProcess(Process process, String command, int port, Path log, Path errors, int headerLength) {
		this.process = process;
		this.command = command;
		this.port = port;
		this.log = log;
		this.errors = errors;
		this.headerLength = headerLength;
		this.roots.add(process.toHandle());
		this.tracker = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "pid-tracker-" + process.pid());
			thread.setDaemon(true);
			return thread;
		});
		// Sampled while the master lives: once it is gone its orphans are no longer its descendants.
		this.tracker.scheduleWithFixedDelay(this::rememberDescendants, 0, 50, TimeUnit.MILLISECONDS);
	}

	/**
	 * What a process that ran to its end did: a control command, a daemon start, a tool.
	 *
	 * @param command the command line
	 * @param exitCode its exit code
	 * @param stdout its standard output
	 * @param stderr its standard error
	 * @param elapsed how long it ran
	 * @param process the process, to adopt the processes it named
	 */
	record CommandResult(String command, int exitCode, String stdout, String stderr, Duration elapsed,
			SupervisedProcess process) {

		/**
		 * Return the standard output followed by the standard error.
		 * @return both outputs
		 */
		String output() {
			return this.stdout + this.stderr;
		}

		/**
		 * Track a process this one started and left running (a daemon's master), with all its descendants, so
		 * that it is killed after the test.
		 * @param pid the process
		 * @return its handle
		 */
		ProcessHandle adopt(long pid) {
			ProcessHandle handle = ProcessHandle.of(pid)
				.orElseThrow(() -> new AssertionError("pid " + pid + " is not running\n" + this));
			this.process.adopt(handle);
			return handle;
		}

		@Override
		public String toString() {
			return "$ " + this.command + "\n--- exit code " + this.exitCode + " after " + this.elapsed.toMillis()
					+ " ms; stdout ---\n" + this.stdout + "--- stderr ---\n" + this.stderr;
		}

	}

	/**
	 * Start {@code java <small JVM options> <launch> [--server.port=<port>] <args>}.
	 * @param launch what follows the JVM options: {@code -jar app.jar}, or {@code -cp <class path> <main class>}
	 * (with any JVM option the launch needs before it)
	 * @param directory the working directory, {@code null} for the test's
	 * @param environment variables added to the test's environment (from which the harness removes
	 * {@code KUBERNETES_SERVICE_HOST} and {@code XDG_RUNTIME_DIR}, so the test's machine does not change the defaults)
	 * @param log the output file (standard output, and standard error when {@code errors} is {@code null})
	 * @param errors the standard error file, or {@code null}
	 * @param port the server port, or {@code 0} to pass none
	 * @param args the application arguments
	 * @return the process
	 */
	static SupervisedProcess start(List<String> launch, Path directory, Map<String, String> environment, Path log,
			Path errors, int port, List<String> args) throws IOException {
		return start(List.of(), JVM_OPTIONS, launch, directory, environment, log, errors, port, args);
	}

	/**
	 * Start {@code <prefix> java <jvmOptions> <launch> [--server.port=<port>] <args>}: the app under a command that
	 * runs it somewhere else, such as a PID namespace of its own ({@code unshare}) or a cgroup.
	 * @param prefix the command that runs java, empty for none
	 * @param jvmOptions the JVM options, {@link #JVM_OPTIONS} or {@link #JVM_OPTIONS_WITHOUT_HEAP}
	 * @param launch what follows the JVM options
	 * @param directory the working directory, {@code null} for the test's
	 * @param environment variables added to the test's environment
	 * @param log the output file
	 * @param errors the standard error file, or {@code null}
	 * @param port the server port, or {@code 0} to pass none
	 * @param args the application arguments
	 * @return the process, the prefix command's
	 */
	static SupervisedProcess start(List<String> prefix, List<String> jvmOptions, List<String> launch, Path directory,
			Map<String, String> environment, Path log, Path errors, int port, List<String> args) throws IOException {
		return start(java(), prefix, jvmOptions, launch, directory, environment, log, errors, port, args);
	}

	/**
	 * Start the app as {@link #start(List, List, List, Path, Map, Path, Path, int, List)} does, on another JVM.
	 * @param java the Java executable
	 */
	static SupervisedProcess start(String java, List<String> prefix, List<String> jvmOptions, List<String> launch,
			Path directory, Map<String, String> environment, Path log, Path errors, int port, List<String> args)
			throws IOException {
		List<String> command = new ArrayList<>(prefix);
		command.add(java);
		command.addAll(jvmOptions);
		command.addAll(launch);
		if (port != 0) {
			command.add("--server.port=" + port);
		}
		command.addAll(args);
		String line = String.join(" ", command);
		String header = "# " + ((directory != null) ? "(in " + directory + ") " : "") + line + System.lineSeparator();
		Files.createDirectories(log.getParent());
		Files.writeString(log, header);
		ProcessBuilder builder = new ProcessBuilder(command).directory((directory != null) ? directory.toFile() : null)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		if (errors != null) {
			Files.deleteIfExists(errors);
			builder.redirectError(errors.toFile());
		}
		else {
			builder.redirectErrorStream(true);
		}
		builder.environment().remove("KUBERNETES_SERVICE_HOST");
		builder.environment().remove("XDG_RUNTIME_DIR");
		builder.environment().putAll(environment);
		return new SupervisedProcess(builder.start(), line, port, log, errors,
				header.getBytes(StandardCharsets.UTF_8).length);
	}

	/**
	 * The Java executable the apps run on by default: the {@code it.java} system property, else the test's own.
	 * @return the executable
	 */
	static String java() {
		String java = System.getProperty("it.java", "");
		return java.isBlank() ? Path.of(System.getProperty("java.home"), "bin", "java").toString() : java;
	}

	/**
	 * Wait until this process, a command, ends, and return what it did.
	 * @param timeout how long it may take before it is killed and the test fails
	 * @return the exit code and outputs
	 */
	CommandResult finish(Duration timeout) throws IOException, InterruptedException {
		boolean exited = this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
		rememberDescendants();
		if (!exited) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		Duration elapsed = Duration.ofNanos(System.nanoTime() - this.startedAt);
		String stderr = (this.errors != null && Files.exists(this.errors)) ? Files.readString(this.errors) : "";
		CommandResult result = new CommandResult(this.command, exited ? this.process.exitValue() : -1, output(),
				stderr, elapsed, this);
		if (!exited) {
			throw new AssertionError("Did not exit within " + timeout + ":\n" + result);
		}
		return result;
	}

	/**
	 * Track another process and its descendants along with this one's.
	 * @param handle the process
	 */
	void adopt(ProcessHandle handle) {
		this.roots.add(handle);
		this.spawned.add(handle);
		rememberDescendants();
	}

	/**
	 * Return every process seen among the descendants of this one (and of those it adopted), alive or not.
	 * @return their pids
	 */
	Set<Long> spawnedPids() {
		rememberDescendants();
		return this.spawned.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
	}

	long pid() {
		return this.process.pid();
	}

	/**
	 * Wait for the one child of this process, the java that a prefix command such as {@code unshare} started.
	 * @return the child's pid
	 */
	long awaitChild() {
		return await("the child of " + pid()).atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.process.children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList(),
					(children) -> children.size() == 1)
			.get(0);
	}

	int port() {
		return this.port;
	}

	Path log() {
		return this.log;
	}

	/**
	 * Return everything the master and its workers wrote so far (both share the master's standard output).
	 * @return the output
	 */
	String output() {
		try {
			byte[] bytes = Files.readAllBytes(this.log);
			return new String(bytes, this.headerLength, bytes.length - this.headerLength, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Wait until the output matches {@code regex}, failing early if the process exits without printing it.
	 * @param regex the pattern to find
	 * @param timeout how long to wait
	 * @return the first match
	 */
	MatchResult awaitOutput(String regex, Duration timeout) {
		return awaitOutput(regex, timeout, 0);
	}

	/**
	 * Wait until the output after a point matches {@code regex}, failing early if the process exits without
	 * printing it: for a test that shares a cluster with others and looks only at what happened since it began.
	 * @param regex the pattern to find
	 * @param timeout how long to wait
	 * @param from where to start looking: a length of {@link #output()} taken earlier
	 * @return the first match, its offsets in the output after {@code from}
	 */
	MatchResult awaitOutput(String regex, Duration timeout, int from) {
		Pattern pattern = Pattern.compile(regex);
		try {
			await("output matching " + regex).atMost(timeout)
				.pollInterval(Duration.ofMillis(50))
				.failFast("process exited without printing " + regex,
						() -> !this.process.isAlive() && !pattern.matcher(output(from)).find())
				.until(() -> pattern.matcher(output(from)).find());
		}
		catch (ConditionTimeoutException | TerminalFailureException ex) {
			throw new AssertionError(ex.getMessage() + "\n" + describe(), ex);
		}
		Matcher matcher = pattern.matcher(output(from));
		matcher.find();
		return matcher.toMatchResult();
	}

	/**
	 * Return what the master and its workers wrote after a point.
	 * @param from a length of {@link #output()} taken earlier
	 * @return the output after it
	 */
	String output(int from) {
		return output().substring(from);
	}

	/**
	 * Wait for the master's {@code Supervisor ready: ...} line.
	 * @param workers the number of workers the line must announce
	 */
	void awaitReady(int workers) {
		awaitOutput("Supervisor ready: .* with " + workers + " workers? on port " + this.port, READY_TIMEOUT);
	}

	/**
	 * Return the cluster view of {@code GET /actuator/supervisor}, as whichever worker answered it.
	 * @return the view
	 */
	DocumentContext cluster() throws IOException, InterruptedException {
		Response response = get("/actuator/supervisor");
		if (response.status() != 200) {
			throw new AssertionError("GET /actuator/supervisor: " + response);
		}
		return JsonPath.parse(response.body());
	}

	/**
	 * Wait until the cluster view lists exactly {@code workers} workers, all ready, none draining or starting.
	 * @param workers the number of workers
	 * @return that view
	 */
	DocumentContext awaitSettled(int workers) {
		return await("a cluster view of " + workers + " ready workers").atMost(SETTLE_TIMEOUT)
			.pollInterval(Duration.ofMillis(200))
			.until(this::cluster, (view) -> view.<List<String>>read("$.workers[*].state").size() == workers
					&& view.<List<String>>read("$.workers[*].state").stream().allMatch("ready"::equals));
	}

	/**
	 * Return the pids of the workers a cluster view lists, in any state.
	 * @param view the view
	 * @return the pids
	 */
	static List<Long> pids(DocumentContext view) {
		return view.<List<Number>>read("$.workers[*].pid").stream().map(Number::longValue).toList();
	}

	/**
	 * Return the pid of the slot's ready worker in a cluster view.
	 * @param view the view
	 * @param slot the worker id
	 * @return the pid, 0 when the slot has no ready worker
	 */
	static long readyPid(DocumentContext view, int slot) {
		List<Number> ready = view.read("$.workers[?(@.id == " + slot + " && @.state == 'ready')].pid");
		return (ready.size() == 1) ? ready.get(0).longValue() : 0;
	}

	/**
	 * Send a request on a new connection, closed after the response.
	 * @param path the request path
	 * @return the response
	 */
	Response get(String path) throws IOException, InterruptedException {
		return get(this.port, path);
	}

	/**
	 * Send a request to a port on 127.0.0.1 on a new connection, closed after the response: for a process that the
	 * test did not start itself, such as a daemon's master.
	 * @param port the port
	 * @param path the request path
	 * @return the response
	 */
	static Response get(int port, String path) throws IOException, InterruptedException {
		return Response.of(CLIENT.send(request(port, path), BodyHandlers.ofString()));
	}

	/**
	 * Send a JSON POST on a new connection, closed after the response.
	 * @param path the request path
	 * @param json the body
	 * @return the response
	 */
	Response post(String path, String json) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Connection", "close")
			.header("Content-Type", "application/json")
			.timeout(REQUEST_TIMEOUT)
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
		return Response.of(CLIENT.send(request, BodyHandlers.ofString()));
	}

	CompletableFuture<Response> getAsync(String path) {
		return getAsync(this.port, path);
	}

	static CompletableFuture<Response> getAsync(int port, String path) {
		return CLIENT.sendAsync(request(port, path), BodyHandlers.ofString()).thenApply(Response::of);
	}

	private static HttpRequest request(int port, String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Connection", "close")
			.timeout(REQUEST_TIMEOUT)
			.build();
	}

	/**
	 * Return the pids of the master's live child processes, its workers.
	 * @return the worker pids
	 */
	Set<Long> workerPids() {
		Set<ProcessHandle> children = this.process.children()
			.filter(ProcessHandle::isAlive)
			.collect(Collectors.toSet());
		this.spawned.addAll(children);
		// the master's other children, such as its class-data training run, are no workers
		return children.stream()
			.map(ProcessHandle::pid)
			.filter(SupervisedProcess::isWorker)
			.collect(Collectors.toSet());
	}

	/**
	 * Whether a process is a worker: its command line carries a worker id.
	 * @param pid the process
	 * @return whether it is a worker
	 */
	static boolean isWorker(long pid) {
		try {
			return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).contains("-Dsupervisor.worker.id=");
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Send requests, each on a new connection, until every given worker has answered one: they all must succeed
	 * and come from one of those workers, never from the master.
	 * @param workers the pids of the workers expected to answer
	 * @return the worker id by pid of the processes that answered
	 */
	Map<Long, Integer> serveUntilSeen(Set<Long> workers) {
		Map<Long, Integer> served = new ConcurrentHashMap<>();
		await("responses from workers " + workers).atMost(SETTLE_TIMEOUT)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> {
				Response response = get("/");
				assertThat(response.status()).as("response %s", response).isEqualTo(200);
				assertThat(response.pid()).as("pid of the serving process").isNotEqualTo(pid()).isIn(workers);
				served.put(response.pid(), response.worker());
				return served.keySet().containsAll(workers);
			});
		return served;
	}

	/**
	 * Wait for the master's line saying that this worker drained and exited with code 0.
	 * @param workerPid the worker's pid
	 */
	void awaitStoppedCleanly(long workerPid) {
		awaitOutput("Worker \\d+ \\(pid " + workerPid + ", generation \\d+\\): draining -> stopped "
				+ "\\(stopped, exit code 0\\)", Duration.ofSeconds(5));
	}

	/**
	 * The generation of every worker in a cluster view.
	 * @param view the view of {@code /actuator/supervisor}
	 * @return the generations, in the view's order
	 */
	static List<Integer> generations(DocumentContext view) {
		return view.<List<Number>>read("$.workers[*].generation").stream().map(Number::intValue).toList();
	}

	void signal(String signal) throws IOException, InterruptedException {
		signal(pid(), signal);
	}

	/**
	 * Send a signal with {@code kill -s}.
	 * @param pid the process
	 * @param signal the signal name without {@code SIG}: TERM, KILL, HUP, INT
	 */
	static void signal(long pid, String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new AssertionError("kill -s " + signal + " " + pid + " failed");
		}
	}

	/**
	 * Wait until the master exits.
	 * @param timeout how long to wait
	 * @return its exit code
	 */
	int awaitExit(Duration timeout) {
		try {
			await("exit of master " + pid()).atMost(timeout).until(() -> !this.process.isAlive());
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(ex.getMessage() + "\n" + describe(), ex);
		}
		return this.process.exitValue();
	}

	/**
	 * Return the pids of the master and of every process it spawned that are still alive.
	 * @return the live pids
	 */
	Set<Long> alivePids() {
		rememberDescendants();
		return Stream.concat(this.roots.stream(), this.spawned.stream())
			.filter(ProcessHandle::isAlive)
			.map(ProcessHandle::pid)
			.collect(Collectors.toSet());
	}

	/**
	 * Wait until every process started for this test has exited by itself.
	 * @param timeout how long to wait
	 */
	void awaitAllExited(Duration timeout) {
		try {
			await("exit of every process").atMost(timeout).until(() -> alivePids().isEmpty());
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(ex.getMessage() + ", alive: " + alivePids() + "\n" + describe(), ex);
		}
	}

	/**
	 * Whether a process runs.
	 * @param pid the process
	 * @return whether it is alive
	 */
	static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	/**
	 * Wait until none of these processes, such as replaced workers, runs any more.
	 * @param pids the processes
	 * @param timeout how long to wait
	 */
	static void awaitExited(Set<Long> pids, Duration timeout) {
		await("exit of workers " + pids).atMost(timeout)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> pids.stream().noneMatch(SupervisedProcess::isAlive));
	}

	private void rememberDescendants() {
		// Handles, not pids: a handle is alive only while the pid names the same process (start time checked).
		// Only a live root's descendants count: the JDK finds descendants by parent pid, and once a root has exited
		// its pid can be reused (pid_max is 32768 here, and every thread takes a pid), so the children of an unrelated
		// process, another test's workers, would be taken for this one's and killed at the end.
		for (ProcessHandle root : this.roots) {
			if (root.isAlive()) {
				List<ProcessHandle> found = root.descendants().toList();
				if (root.isAlive()) {
					this.spawned.addAll(found);
				}
			}
		}
	}

	/** Kill the master and everything it spawned, and wait until all of them are gone. */
	@Override
	public void close() {
		rememberDescendants();
		this.tracker.shutdownNow();
		// Master and workers at once: killed one by one, a worker could be restarted or orphaned in between.
		this.spawned.forEach(ProcessHandle::destroyForcibly);
		this.roots.forEach(ProcessHandle::destroyForcibly);
		await("all processes killed").atMost(Duration.ofSeconds(30))
			.until(() -> Stream.concat(this.roots.stream(), this.spawned.stream()).noneMatch(ProcessHandle::isAlive));
	}

	String describe() {
		String output = output();
		String tail = output.lines().skip(Math.max(0, output.lines().count() - 60)).collect(Collectors.joining("\n"));
		return "--- last lines of " + this.log + " ---\n" + tail;
	}

	/**
	 * An HTTP response, with the moment it arrived.
	 *
	 * @param status the status code
	 * @param body the body
	 * @param receivedAt when the response arrived
	 */
	record Response(int status, String body, Instant receivedAt) {

		private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\\d+)");

		static Response of(HttpResponse<String> response) {
			return new Response(response.statusCode(), response.body(), Instant.now());
		}

		long pid() {
			return field("pid");
		}

		int worker() {
			return (int) field("worker");
		}

		int generation() {
			return (int) field("generation");
		}

		private long field(String name) {
			Matcher matcher = FIELD.matcher(this.body);
			while (matcher.find()) {
				if (matcher.group(1).equals(name)) {
					return Long.parseLong(matcher.group(2));
				}
			}
			throw new AssertionError("No \"" + name + "\" in response body " + this.body);
		}

	}

}
