package dev.bootsupervisor.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of daemon mode ({@code --supervisor.daemon=true}) and the {@code stop} and {@code status}
 * control commands. The master of a daemon outlives the command that started it, so the test hands the master
 * a start names to the {@link ProcessFixture}, which tracks it and its descendants with the launcher's and kills
 * them after each test.
 */
@Order(8)
class DaemonIntegrationTests {

	private static final Pattern MASTER_PID = Pattern.compile("master pid (\\d+)");

	/** A row of the status table: worker id, pid, generation, state. */
	private static final Pattern STATUS_ROW = Pattern.compile("(?m)^(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\w+)\\s");

	private static final Pattern ROTATED_STDOUT = Pattern.compile("master-stdout\\.log\\.\\d{8}\\.\\d{6}");

	private static final Pattern ROTATED_STDERR = Pattern.compile("master-stderr\\.log\\.\\d{8}\\.\\d{6}");

	@RegisterExtension
	final ProcessFixture fixture = new ProcessFixture();

	@TempDir
	Path tmp;

	@AfterEach
	void nothingLeftRunning() {
		// Before the fixture kills what is left: a test whose stop left a process running fails.
		assertThat(this.fixture.alivePids()).as("processes still alive after the test").isEmpty();
	}

	@Test
	void startReturnsOnceReadyWithTheMasterInItsOwnSessionAndASecondStartIsRefused() throws Exception {
		int port = ProcessFixture.freePort();
		Path runDir = this.tmp.resolve("run");
		Path logDir = this.tmp.resolve("logs");
		CommandResult start = launch(daemon(port, runDir, logDir));
		assertThat(start.exitCode()).as("start exit code\n%s", start).isZero();
		// Ready means served by a worker right now, with no waiting on the test's side.
		Response response = SupervisedProcess.get(port, "/");
		ProcessHandle master = master(start);
		Set<Long> workers = children(master);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.worker()).isIn(1, 2);
		assertThat(response.pid()).isIn(workers);
		assertThat(workers).hasSize(2);
		assertThat(start.stdout()).contains("Starting sample-app in the background (master pid " + master.pid() + ")")
			.contains("Waiting for sample-app: ")
			.containsPattern("sample-app started: master pid " + master.pid() + ", 2 workers, http://localhost:"
					+ port + " \\(ready in \\d+\\.\\d s\\)");

		assertThat(sessionId(master.pid())).as("session of the master (pid %d)", master.pid())
			.isEqualTo(master.pid());
		assertThat(sessionId(master.pid())).as("the master's session is not the test's")
			.isNotEqualTo(sessionId(ProcessHandle.current().pid()));
		String stdin = Files.readSymbolicLink(Path.of("/proc", Long.toString(master.pid()), "fd", "0")).toString();
		assertThat(stdin).as("the master's standard input").matches("/dev/null|socket:\\[\\d+]");

		assertThat(Files.readString(runDir.resolve("master.pid")).trim()).isEqualTo(Long.toString(master.pid()));
		assertThat(permissions(runDir)).as("run dir permissions").isEqualTo("rwx------");
		Path stdoutLog = logDir.resolve("master-stdout.log");
		assertThat(stdoutLog).isRegularFile();
		assertThat(logDir.resolve("master-stderr.log")).isRegularFile();
		assertThat(Files.readString(stdoutLog))
			.contains("Supervisor ready: sample-app with 2 workers on port " + port)
			.contains("[worker-1]")
			.contains("[worker-2]");

		CommandResult status = launch(command(runDir, "status"));
		assertThat(status.exitCode()).as("status exit code\n%s", status).isZero();
		assertThat(status.stdout()).contains("sample-app: running, master pid " + master.pid())
			.contains("2/2 workers ready")
			.containsPattern("(?m)^WORKER\\s+PID\\s+GEN\\s+STATE\\s+UPTIME\\s+RESTARTS\\s+LAST EXIT");
		Map<Long, String> rows = statusRows(status.stdout());
		assertThat(rows.keySet()).as("worker pids in the status table").isEqualTo(workers);
		assertThat(rows.values()).as("worker states in the status table").containsOnly("ready");

		CommandResult second = launch(daemon(port, runDir, logDir));
		assertThat(second.exitCode()).as("second start exit code\n%s", second).isEqualTo(78);
		assertThat(second.stderr()).contains("already running (pid " + master.pid() + ")");
		assertThat(second.stdout()).doesNotContain("Starting");
		assertThat(master.isAlive()).isTrue();
		assertThat(children(master)).as("workers after the refused start").isEqualTo(workers);
		assertThat(rotated(logDir, ROTATED_STDOUT)).as("logs rotated by the refused start").isEmpty();
		assertThat(Files.readString(runDir.resolve("master.pid")).trim()).isEqualTo(Long.toString(master.pid()));
		assertThat(SupervisedProcess.get(port, "/").pid()).isIn(workers);

		CommandResult stop = launch(command(runDir, "stop"));
		assertThat(stop.exitCode()).as("stop exit code\n%s", stop).isZero();
		assertThat(alive()).as("processes alive once stop returned").isEmpty();
	}

	@Test
	void stopWaitsForTheRequestInFlightAndThenSaysNotRunning() throws Exception {
		int port = ProcessFixture.freePort();
		Path runDir = this.tmp.resolve("run");
		Path logDir = this.tmp.resolve("logs");
		CommandResult start = launch(daemon(port, runDir, logDir));
		assertThat(start.exitCode()).as("start exit code\n%s", start).isZero();
		ProcessHandle master = master(start);
		Set<Long> workers = children(master);

		Instant sent = Instant.now();
		CompletableFuture<Response> pending = SupervisedProcess.getAsync(port, "/slow?ms=3000");
		awaitLog(logDir.resolve("master-stdout.log"), "Slow request: answering in 3000 ms");
		CommandResult stop = launch(command(runDir, "stop"));
		Instant stopped = Instant.now();
		assertThat(stop.exitCode()).as("stop exit code\n%s", stop).isZero();
		assertThat(stop.stdout()).contains("Stopping sample-app (pid " + master.pid() + ")")
			.contains("sample-app stopped");
		assertThat(alive()).as("processes alive once stop returned").isEmpty();
		Response response = pending.get(10, TimeUnit.SECONDS);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.pid()).isIn(workers);
		assertThat(Duration.between(sent, stopped)).as("stop returned before the request could complete")
			.isGreaterThanOrEqualTo(Duration.ofMillis(3000));
		assertThat(runDir.resolve("master.pid")).doesNotExist();

		CommandResult secondStop = launch(command(runDir, "stop"));
		assertThat(secondStop.exitCode()).as("second stop exit code\n%s", secondStop).isZero();
		assertThat(secondStop.stdout().lines()).containsExactly("sample-app is not running");
		CommandResult status = launch(command(runDir, "status"));
		assertThat(status.exitCode()).as("status exit code\n%s", status).isEqualTo(3);
		assertThat(status.stdout().lines()).containsExactly("sample-app is not running");
	}

	@Test
	void startAfterAStopRotatesTheLogsAndCleansUpAStalePidFile() throws Exception {
		int port = ProcessFixture.freePort();
		Path runDir = this.tmp.resolve("run");
		Path logDir = this.tmp.resolve("logs");
		CommandResult first = launch(daemon(1, port, runDir, logDir));
		assertThat(first.exitCode()).as("first start exit code\n%s", first).isZero();
		long firstMaster = master(first).pid();
		CommandResult stop = launch(command(runDir, "stop"));
		assertThat(stop.exitCode()).as("stop exit code\n%s", stop).isZero();
		assertThat(alive()).as("processes alive once stop returned").isEmpty();
		byte[] oldStdout = Files.readAllBytes(logDir.resolve("master-stdout.log"));
		byte[] oldStderr = Files.readAllBytes(logDir.resolve("master-stderr.log"));
		assertThat(new String(oldStdout, StandardCharsets.UTF_8)).contains("Supervisor ready: sample-app")
			.contains(" " + firstMaster + " --- ");

		long deadPid = deadPid();
		Files.writeString(runDir.resolve("master.pid"), deadPid + "\n");
		CommandResult second = launch(daemon(1, port, runDir, logDir));
		assertThat(second.exitCode()).as("second start exit code\n%s", second).isZero();
		ProcessHandle master = master(second);
		assertThat(second.stdout()).contains("Removed a stale pid file: pid " + deadPid + " is not running")
			.contains("sample-app started: master pid " + master.pid());
		assertThat(Files.readString(runDir.resolve("master.pid")).trim()).isEqualTo(Long.toString(master.pid()));
		assertThat(SupervisedProcess.get(port, "/").pid()).isIn(children(master));

		List<Path> rotatedStdout = rotated(logDir, ROTATED_STDOUT);
		assertThat(rotatedStdout).as("rotated stdout logs").hasSize(1);
		assertThat(Files.readAllBytes(rotatedStdout.get(0))).as("rotated stdout log").isEqualTo(oldStdout);
		List<Path> rotatedStderr = rotated(logDir, ROTATED_STDERR);
		assertThat(rotatedStderr).as("rotated stderr logs").hasSize(1);
		assertThat(Files.readAllBytes(rotatedStderr.get(0))).as("rotated stderr log").isEqualTo(oldStderr);
		assertThat(second.stdout()).contains("Rotated " + logDir.resolve("master-stdout.log").toAbsolutePath()
				+ " to " + rotatedStdout.get(0).getFileName());
		String newStdout = Files.readString(logDir.resolve("master-stdout.log"));
		assertThat(newStdout).contains("Supervisor ready: sample-app").doesNotContain(" " + firstMaster + " --- ");

		CommandResult secondStop = launch(command(runDir, "stop"));
		assertThat(secondStop.exitCode()).as("stop exit code\n%s", secondStop).isZero();
		assertThat(alive()).as("processes alive once stop returned").isEmpty();
	}

	@Test
	void anInterruptedStartSaysTheDaemonGoesOnAndExits130() throws Exception {
		int port = ProcessFixture.freePort();
		Path runDir = this.tmp.resolve("run");
		SupervisedProcess starting = this.fixture.startCommand(daemon(1, port, runDir, this.tmp.resolve("logs")));
		await("the daemon's master started").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> MASTER_PID.matcher(starting.output()).find());
		Matcher pid = MASTER_PID.matcher(starting.output());
		assertThat(pid.find()).isTrue();
		long master = Long.parseLong(pid.group(1));
		// Ctrl-C in a terminal: SIGINT to the command that waits
		starting.signal("INT");
		CommandResult interrupted = starting.finish(Duration.ofSeconds(30));
		interrupted.adopt(master);
		assertThat(interrupted.exitCode()).as("interrupted start\n%s", interrupted).isEqualTo(130);
		assertThat(interrupted.stderr()).contains("Interrupted: sample-app goes on starting in the background (pid "
				+ master + "); stop it with --supervisor.command=stop");
		assertThat(SupervisedProcess.isAlive(master)).as("the daemon goes on").isTrue();
		// the master locks its run directory and writes its pid file early in its start
		await("the master's pid file").atMost(Duration.ofSeconds(60))
			.until(() -> Files.exists(runDir.resolve("master.pid"))
					&& Files.readString(runDir.resolve("master.pid")).trim().equals(Long.toString(master)));
		CommandResult stop = launch(command(runDir, "stop"));
		assertThat(stop.exitCode()).as("stop exit code\n%s", stop).isZero();
		assertThat(alive()).as("processes alive once stop returned").isEmpty();
	}

	@Test
	void aLogDirectoryThatCannotBeWrittenIsAConfigurationError() throws Exception {
		// under a regular file: no one, root included, can create it (permission bits do not stop root)
		Path file = Files.writeString(this.tmp.resolve("a-file"), "");
		Path logDir = file.resolve("logs");
		CommandResult start = launch(daemon(ProcessFixture.freePort(), this.tmp.resolve("run"), logDir));
		assertThat(start.exitCode()).as("start exit code\n%s", start).isEqualTo(78);
		assertThat(start.stderr()).contains("Cannot write the log directory " + logDir + ": ")
			.doesNotContain("Cannot run program");
		assertThat(start.stdout()).doesNotContain("Starting");
		assertThat(this.fixture.spawnedPids()).as("processes started by the launcher").isEmpty();
	}

	@Test
	void startFailsWhenAnotherProgramHasThePort() throws Exception {
		int port = ProcessFixture.freePort();
		Path runDir = this.tmp.resolve("run");
		Path logDir = this.tmp.resolve("logs");
		try (ServerSocket other = new ServerSocket()) {
			other.bind(new InetSocketAddress(port));
			CommandResult start = launch(daemon(port, runDir, logDir));
			// the master's configuration error, passed through
			assertThat(start.exitCode()).as("start exit code\n%s", start).isEqualTo(78);
			assertThat(start.stderr()).contains("Start failed: Port " + port + " is already in use");
			assertThat(start.stdout()).doesNotContain("started:");
			assertThat(alive()).as("processes alive once the failed start returned").isEmpty();
			assertThat(runDir.resolve("master.pid")).doesNotExist();
			assertThat(other.isClosed()).isFalse();
		}
	}

	@Test
	void startThatIsNotReadyInTimeFailsWithATimedOutMessage() throws Exception {
		int port = ProcessFixture.freePort();
		Path runDir = this.tmp.resolve("run");
		Path logDir = this.tmp.resolve("logs");
		CommandResult start = launch(daemon(port, runDir, logDir, "--supervisor.startup-timeout=2s",
				"--sample.startup-delay=20s"));
		// the master's own startup timeout ended it: a worker failed to boot
		assertThat(start.exitCode()).as("start exit code\n%s", start).isEqualTo(3);
		assertThat(start.stderr()).contains("Start failed: timed out").contains("2 s");
		assertThat(start.stdout()).doesNotContain("started:");
		// The master's own 2 s deadline ended it, not the 20 s runner: a wall-clock bound would fail on a busy machine.
		assertThat(Files.readString(logDir.resolve("master-stdout.log")))
			.contains("sample-app was not ready within the startup timeout of 2 s; stopping")
			.doesNotContain("Supervisor ready")
			.doesNotContain("Startup delay finished");
		assertThat(alive()).as("processes alive once the failed start returned").isEmpty();
		assertThat(runDir.resolve("master.pid")).doesNotExist();
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(port));
		}
	}

	@Test
	void commandsForASimilarNameLeaveTheOtherAppRunning() throws Exception {
		Path runtimeDir = this.tmp.resolve("xdg");
		Files.createDirectory(runtimeDir,
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runtimeDir.toString());
		int port = ProcessFixture.freePort();
		CommandResult start = launch(env, "--server.port=" + port, "--supervisor.name=example", "--supervisor.workers=1",
				"--supervisor.log-dir=" + logDir("example"), "--supervisor.daemon=true");
		assertThat(start.exitCode()).as("start exit code\n%s", start).isZero();
		ProcessHandle master = master(start);
		Set<Long> workers = children(master);
		assertThat(runtimeDir.resolve("boot-supervisor/example/master.pid")).content()
			.isEqualToIgnoringWhitespace(Long.toString(master.pid()));

		CommandResult status = launch(env, "--supervisor.name=examp", "--supervisor.command=status");
		assertThat(status.exitCode()).as("status examp exit code\n%s", status).isEqualTo(3);
		assertThat(status.stdout().lines()).containsExactly("examp is not running");
		CommandResult stop = launch(env, "--supervisor.name=examp", "--supervisor.command=stop");
		assertThat(stop.exitCode()).as("stop examp exit code\n%s", stop).isZero();
		assertThat(stop.stdout().lines()).containsExactly("examp is not running");
		assertThat(master.isAlive()).isTrue();
		assertThat(children(master)).as("workers of example").isEqualTo(workers);
		assertThat(SupervisedProcess.get(port, "/").pid()).isIn(workers);

		CommandResult statusExample = launch(env, "--supervisor.name=example", "--supervisor.command=status");
		assertThat(statusExample.exitCode()).as("status example exit code\n%s", statusExample).isZero();
		assertThat(statusExample.stdout()).contains("example: running, master pid " + master.pid());
		CommandResult stopExample = launch(env, "--supervisor.name=example", "--supervisor.command=stop");
		assertThat(stopExample.exitCode()).as("stop example exit code\n%s", stopExample).isZero();
		assertThat(alive()).as("processes alive once stop returned").isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "rwxr-x---", "rwxrwxrwx" })
	void runDirAccessibleToOthersIsRefused(String permissions) throws Exception {
		Path runDir = Files.createDirectory(this.tmp.resolve("run"));
		Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString(permissions));
		Path logDir = this.tmp.resolve("logs");
		CommandResult start = launch(daemon(ProcessFixture.freePort(), runDir, logDir));
		assertThat(start.exitCode()).as("start exit code\n%s", start).isEqualTo(78);
		assertThat(start.stderr().lines()).containsExactly("Boot Supervisor: The run directory "
				+ runDir + " is accessible to other users (" + permissions + "); run 'chmod 700 "
				+ runDir + "' or choose another with --supervisor.run-dir");
		assertThat(start.stdout()).doesNotContain("Starting");
		assertThat(runDir).isEmptyDirectory();
		assertThat(logDir).doesNotExist();
		assertThat(alive()).as("processes alive once the refused start returned").isEmpty();
	}

	@Test
	void unknownCommandIsOneLineAndExitCodeTwo() throws Exception {
		CommandResult command = launch(command(this.tmp.resolve("run"), "restart"));
		assertThat(command.exitCode()).as("exit code\n%s", command).isEqualTo(2);
		assertThat(command.stderr().lines()).containsExactly(
				"Unknown command 'restart' for supervisor.command: expected one of status, stop, reload, scale, list, "
						+ "logs, reopen-logs, systemd-unit");
		assertThat(command.stdout()).isBlank();
		assertThat(alive()).isEmpty();
	}

	@Test
	void daemonUnderSystemdIsRefusedWithTheConfigurationExitCode() throws Exception {
		Path runDir = this.tmp.resolve("run");
		Path logDir = this.tmp.resolve("logs");
		CommandResult start = launch(Map.of("NOTIFY_SOCKET", this.tmp.resolve("notify").toString()),
				daemon(ProcessFixture.freePort(), runDir, logDir));
		assertThat(start.exitCode()).as("start exit code\n%s", start).isEqualTo(78);
		assertThat(start.stderr().lines()).singleElement()
			.asString()
			.startsWith("Boot Supervisor: supervisor.daemon=true is refused: NOTIFY_SOCKET is set, so systemd runs "
					+ "this app");
		assertThat(runDir).doesNotExist();
		assertThat(this.fixture.spawnedPids()).as("processes started by the launcher").isEmpty();
	}

	@Test
	void daemonInsideKubernetesIsRefused() throws Exception {
		Path runDir = this.tmp.resolve("run");
		Path logDir = this.tmp.resolve("logs");
		CommandResult start = launch(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"),
				daemon(ProcessFixture.freePort(), runDir, logDir));
		assertThat(start.exitCode()).as("start exit code\n%s", start).isEqualTo(78);
		assertThat(start.stderr().lines()).singleElement()
			.asString()
			.startsWith("Boot Supervisor: supervisor.daemon=true is refused: this process runs inside Kubernetes "
					+ "(KUBERNETES_SERVICE_HOST is set).")
			.contains("Run in the foreground");
		assertThat(start.stdout()).doesNotContain("Starting");
		assertThat(runDir).doesNotExist();
		assertThat(logDir).doesNotExist();
		assertThat(this.fixture.spawnedPids()).as("processes started by the launcher").isEmpty();
	}

	private String[] daemon(int port, Path runDir, Path logDir, String... extra) {
		return daemon(2, port, runDir, logDir, extra);
	}

	private String[] daemon(int workers, int port, Path runDir, Path logDir, String... extra) {
		this.fixture.keepAfterTest(logDir);
		List<String> args = new ArrayList<>(List.of("--server.port=" + port, "--supervisor.workers=" + workers,
				"--supervisor.run-dir=" + runDir, "--supervisor.log-dir=" + logDir, "--supervisor.daemon=true"));
		args.addAll(List.of(extra));
		return args.toArray(String[]::new);
	}

	private static String[] command(Path runDir, String command) {
		return new String[] { "--supervisor.run-dir=" + runDir, "--supervisor.command=" + command };
	}

	private Path logDir(String name) {
		return this.fixture.keepAfterTest(this.tmp.resolve("logs-" + name));
	}

	/** Run {@code java -jar sample-app.jar} to completion: a daemon start or a control command. */
	private CommandResult launch(String... args) throws IOException, InterruptedException {
		return this.fixture.command(args);
	}

	private CommandResult launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
		return this.fixture.command(env, args);
	}

	private Set<Long> alive() {
		return this.fixture.alivePids();
	}

	/**
	 * Return the master a successful start named, and track it: it outlives the launch that started it.
	 */
	private static ProcessHandle master(CommandResult start) {
		Matcher matcher = MASTER_PID.matcher(start.stdout());
		assertThat(matcher.find()).as("master pid in the output\n%s", start).isTrue();
		return start.adopt(Long.parseLong(matcher.group(1)));
	}

	/** The master's workers: its other children, such as its class-data training run, are left out. */
	private static Set<Long> children(ProcessHandle master) {
		return master.children()
			.filter(ProcessHandle::isAlive)
			.map(ProcessHandle::pid)
			.filter(SupervisedProcess::isWorker)
			.collect(Collectors.toSet());
	}

	/** Field 6 of {@code /proc/<pid>/stat}; the command name (field 2) may hold spaces and parentheses. */
	private static long sessionId(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[3]);
	}

	private static String permissions(Path path) throws IOException {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

	/** Worker pid to state, from the {@code status} table. */
	private static Map<Long, String> statusRows(String status) {
		Map<Long, String> rows = new HashMap<>();
		Matcher matcher = STATUS_ROW.matcher(status);
		while (matcher.find()) {
			rows.put(Long.parseLong(matcher.group(2)), matcher.group(4));
		}
		return rows;
	}

	private static List<Path> rotated(Path logDir, Pattern name) throws IOException {
		try (Stream<Path> files = Files.list(logDir)) {
			return files.filter((file) -> name.matcher(file.getFileName().toString()).matches()).toList();
		}
	}

	/** A pid that names no process: that of a process that has exited. */
	private static long deadPid() throws IOException, InterruptedException {
		Process process = new ProcessBuilder("true").start();
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		await("exit of pid " + process.pid()).atMost(Duration.ofSeconds(5))
			.until(() -> ProcessHandle.of(process.pid()).isEmpty());
		return process.pid();
	}

	private static void awaitLog(Path log, String text) {
		await("'" + text + "' in " + log).atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> Files.readString(log).contains(text));
	}

}
