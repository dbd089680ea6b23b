package dev.bootsupervisor.sample;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of what a new user's trial broke: bad input gets one clear line, commands keep deadlines and
 * say what they did, and the master stays bounded under a connection flood.
 */
@Order(7)
class HardeningIntegrationTests {

	@RegisterExtension
	final ProcessFixture fixture = new ProcessFixture();

	@Test
	void anEmptyCommandIsRefusedWithTheListOfCommandsAndStartsNothing() throws Exception {
		CommandResult result = this.fixture.command("--supervisor.command=", "--supervisor.name=nc",
				"--server.port=" + ProcessFixture.freePort());
		assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
		assertThat(result.output())
			.contains("supervisor.command is empty: expected one of status, stop, reload, scale")
			.doesNotContain("Starting 2 workers");
	}

	@Test
	void badBooleanAndRetentionValuesGetOneLineAndTheConfigurationExitCode() throws Exception {
		Path runDir = this.fixture.tempDirectory().resolve("run");
		CommandResult enabled = this.fixture.command("--supervisor.enabled=maybe", "--supervisor.run-dir=" + runDir,
				"--server.port=" + ProcessFixture.freePort());
		assertThat(enabled.exitCode()).as("%s", enabled).isEqualTo(78);
		assertThat(enabled.output())
			.contains("Boot Supervisor: Invalid value 'maybe' for supervisor.enabled: expected true or false")
			.doesNotContain("APPLICATION FAILED TO START")
			.doesNotContain("Exception");
		CommandResult retention = this.fixture.command("--supervisor.log-retention=-3",
				"--supervisor.run-dir=" + runDir, "--server.port=" + ProcessFixture.freePort());
		assertThat(retention.exitCode()).as("%s", retention).isEqualTo(78);
		assertThat(retention.output())
			.contains("Boot Supervisor: Invalid value '-3' for supervisor.log-retention: expected 0 or more")
			.doesNotContain("Starting");
	}

	@Test
	void portMinusOneRunsWorkersWithNoHttpPortAndStopsCleanly() throws Exception {
		SupervisedProcess app = this.fixture.start(-1, "--supervisor.workers=1");
		app.awaitOutput("Supervisor ready: sample-app with 1 workers and no HTTP port", Duration.ofSeconds(60));
		assertThat(app.output()).doesNotContain("inherited no open listening socket");
		app.signal("TERM");
		assertThat(app.awaitExit(Duration.ofSeconds(60))).isZero();
	}

	@Test
	void stopSaysWhichWorkerWasKilledAfterTheShutdownTimeoutAndExitsOne() throws Exception {
		Path runDir = this.fixture.tempDirectory().resolve("run");
		SupervisedProcess app = this.fixture.start("--supervisor.workers=1", "--supervisor.shutdown-timeout=3s",
				"--supervisor.run-dir=" + runDir);
		app.awaitReady(1);
		long worker = app.workerPids().iterator().next();
		CompletableFuture<Response> slow = app.getAsync("/slow?ms=15000");
		awaitInFlight(app);
		CommandResult stop = this.fixture.command("--supervisor.command=stop", "--supervisor.run-dir=" + runDir);
		assertThat(stop.exitCode()).as("%s", stop).isEqualTo(1);
		assertThat(stop.output()).contains("stopped with exit code 1: worker 1 (pid " + worker
				+ ") was killed after the shutdown timeout of 3 s");
		assertThat(app.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
		slow.handle((response, failure) -> null).join();
	}

	@Test
	void reloadAgainstAPausedMasterGivesUpAndIsNotActedOnWhenTheMasterResumes() throws Exception {
		Path runDir = this.fixture.tempDirectory().resolve("run");
		SupervisedProcess app = this.fixture.start("--supervisor.workers=1", "--supervisor.run-dir=" + runDir);
		app.awaitReady(1);
		SupervisedProcess.signal(app.pid(), "STOP");
		CommandResult reload;
		try {
			reload = this.fixture.command("--supervisor.command=reload", "--supervisor.run-dir=" + runDir);
		}
		finally {
			SupervisedProcess.signal(app.pid(), "CONT");
		}
		assertThat(reload.exitCode()).as("%s", reload).isEqualTo(1);
		assertThat(reload.output()).contains("Reload not started: the master (pid " + app.pid() + ") does not answer")
			.contains("will not act on this request later");
		assertThat(reload.elapsed()).isLessThan(Duration.ofSeconds(60));
		app.awaitOutput("Ignored a view request from .*: its client gave up waiting", Duration.ofSeconds(30));
		CommandResult status = this.fixture.command("--supervisor.command=status", "--supervisor.run-dir=" + runDir);
		assertThat(status.exitCode()).as("%s", status).isZero();
		assertThat(app.output()).doesNotContain("Rolling reload of");
	}

	@Test
	void scaleOnTheActuatorAnswersWithTheOutcomeAndRightAfterAReload() throws Exception {
		// The endpoint's write operation is read-only until granted
		SupervisedProcess app = this.fixture.start("--supervisor.workers=1",
				"--management.endpoint.supervisor.access=unrestricted");
		app.awaitReady(1);
		Response outOfRange = app.post("/actuator/supervisor", "{\"action\":\"scale\",\"workers\":0}");
		assertThat(outOfRange.status()).as("%s", outOfRange).isEqualTo(400);
		assertThat(outOfRange.body()).contains("cannot scale to 0 workers: expected 1 to 1024");
		Response scaled = app.post("/actuator/supervisor", "{\"action\":\"scale\",\"workers\":2}");
		assertThat(scaled.status()).as("%s", scaled).isEqualTo(200);
		assertThat(scaled.body()).contains("scaled to 2 workers in");
		assertThat(app.workerPids()).hasSize(2);
		Response reloaded = app.post("/actuator/supervisor", "{\"action\":\"reload\"}");
		assertThat(reloaded.status()).as("%s", reloaded).isEqualTo(200);
		Response again = app.post("/actuator/supervisor", "{\"action\":\"scale\",\"workers\":1}");
		assertThat(again.status()).as("a scale right after the reload answered: %s", again).isEqualTo(200);
		assertThat(again.body()).contains("scaled to 1 workers in");
		await("one worker left").atMost(Duration.ofSeconds(30)).until(() -> app.workerPids().size() == 1);
	}

	@Test
	void aFloodOfIdleControlConnectionsLeavesTheMasterBounded() throws Exception {
		Path runDir = this.fixture.tempDirectory().resolve("run");
		SupervisedProcess app = this.fixture.start("--supervisor.workers=1", "--supervisor.run-dir=" + runDir);
		app.awaitReady(1);
		long threadsBefore = procStatus(app.pid(), "Threads");
		long rssBefore = procStatus(app.pid(), "VmRSS");
		List<SocketChannel> flood = new ArrayList<>();
		try {
			for (int i = 0; i < 3000; i++) {
				SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
				flood.add(channel);
				channel.connect(UnixDomainSocketAddress.of(runDir.resolve("master.sock")));
			}
			long threadsDuring = procStatus(app.pid(), "Threads");
			long rssDuring = procStatus(app.pid(), "VmRSS");
			assertThat(threadsDuring - threadsBefore).as("threads: %d before, %d during", threadsBefore, threadsDuring)
				.isLessThanOrEqualTo(40);
			assertThat(rssDuring - rssBefore).as("RSS kB: %d before, %d during", rssBefore, rssDuring)
				.isLessThan(32 * 1024);
			assertThat(openFiles(app.pid())).as("open files of the master").isLessThan(200);
		}
		finally {
			for (SocketChannel channel : flood) {
				channel.close();
			}
		}
		CommandResult status = this.fixture.command("--supervisor.command=status", "--supervisor.run-dir=" + runDir);
		assertThat(status.exitCode()).as("%s", status).isZero();
		assertThat(app.get("/").status()).isEqualTo(200);
		long warnings = app.output().lines().filter((line) -> line.contains("Refused a channel connection")
				|| line.contains("no HELLO within")).count();
		assertThat(warnings).as("log lines about the flood").isBetween(1L, 6L);
	}

	@Test
	void jarCopiesOfAKilledMasterAreRemovedAtTheNextStart() throws Exception {
		Path runDir = this.fixture.tempDirectory().resolve("run");
		SupervisedProcess first = this.fixture.start("--supervisor.workers=1", "--supervisor.run-dir=" + runDir);
		first.awaitReady(1);
		List<Path> leftover = jarCopies(runDir);
		assertThat(leftover).hasSize(1);
		first.signal("KILL");
		first.awaitAllExited(Duration.ofSeconds(30));
		assertThat(jarCopies(runDir)).as("a killed master cannot clean up").isEqualTo(leftover);
		SupervisedProcess second = this.fixture.start("--supervisor.workers=1", "--supervisor.run-dir=" + runDir);
		second.awaitReady(1);
		assertThat(second.output()).contains("Removed 1 class path snapshot left in");
		assertThat(jarCopies(runDir)).hasSize(1).doesNotContainAnyElementsOf(leftover);
		second.signal("TERM");
		assertThat(second.awaitExit(Duration.ofSeconds(60))).isZero();
		assertThat(jarCopies(runDir)).isEmpty();
	}

	@Test
	void reloadAfterTheJarWasDeletedSaysTheFileIsMissing() throws Exception {
		Path dir = this.fixture.tempDirectory();
		Path jar = Files.copy(ProcessFixture.sampleJar(), dir.resolve("app.jar"));
		Path runDir = dir.resolve("run");
		SupervisedProcess app = this.fixture.startJar(jar, "--supervisor.workers=1", "--supervisor.run-dir=" + runDir);
		app.awaitReady(1);
		Files.delete(jar);
		CommandResult reload = this.fixture.command("--supervisor.command=reload", "--supervisor.run-dir=" + runDir);
		assertThat(reload.exitCode()).as("%s", reload).isEqualTo(1);
		assertThat(reload.output()).contains("Reload failed: cannot prepare the reload: the app's jar " + jar
				+ " does not exist (deleted or moved?)");
		assertThat(app.get("/").status()).as("the workers keep serving").isEqualTo(200);
	}

	@Test
	void anotherAppOfTheSameNameIsToldWhichAppHoldsTheRunDirectory() throws Exception {
		Path dir = this.fixture.tempDirectory();
		Path checkoutA = Files.createDirectories(dir.resolve("a"));
		Path checkoutB = Files.createDirectories(dir.resolve("b"));
		Path jarA = Files.copy(ProcessFixture.sampleJar(), checkoutA.resolve("sample-app.jar"));
		Path jarB = Files.copy(ProcessFixture.sampleJar(), checkoutB.resolve("sample-app.jar"));
		Path runDir = dir.resolve("run");
		SupervisedProcess first = this.fixture.startJar(jarA, "--supervisor.workers=1",
				"--supervisor.run-dir=" + runDir);
		first.awaitReady(1);
		SupervisedProcess second = this.fixture.startJar(jarB, "--supervisor.workers=1",
				"--supervisor.run-dir=" + runDir);
		assertThat(second.awaitExit(Duration.ofSeconds(60))).isEqualTo(78);
		assertThat(second.output()).contains("already running (pid " + first.pid() + ") from " + jarA)
			.contains("another app of the same name")
			.contains("--supervisor.name or --supervisor.run-dir");
		assertThat(first.get("/").status()).isEqualTo(200);
	}

	@Test
	void newConnectionsAreRefusedWhileTheLastRequestsFinishDuringAStop() throws Exception {
		SupervisedProcess app = this.fixture.start("--supervisor.workers=1", "--supervisor.shutdown-timeout=30s");
		app.awaitReady(1);
		CompletableFuture<Response> slow = app.getAsync("/slow?ms=6000");
		awaitInFlight(app);
		app.signal("TERM");
		app.awaitOutput("listening socket is closed", Duration.ofSeconds(20));
		assertThatExceptionOfType(ConnectException.class).as("a new connection while the worker drains")
			.isThrownBy(() -> {
				try (Socket socket = new Socket()) {
					socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 2000);
				}
			});
		Response response = slow.join();
		assertThat(response.status()).as("the request in flight completes").isEqualTo(200);
		assertThat(app.awaitExit(Duration.ofSeconds(60))).isZero();
	}

	/** Wait until the slow request is in flight: the sample logs it when it starts. */
	private static void awaitInFlight(SupervisedProcess app) {
		app.awaitOutput("Slow request: answering in", Duration.ofSeconds(30));
	}

	private static List<Path> jarCopies(Path runDir) throws IOException {
		Path jars = runDir.resolve("jars");
		if (!Files.isDirectory(jars)) {
			return List.of();
		}
		// One directory per snapshot of the class path, beside the store of their contents.
		try (Stream<Path> files = Files.list(jars)) {
			return files.filter((path) -> !path.getFileName().toString().equals("store")).sorted().toList();
		}
	}

	private static long procStatus(long pid, String field) throws IOException {
		Matcher matcher = Pattern.compile("(?m)^" + field + ":\\s+(\\d+)").matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
		assertThat(matcher.find()).as("%s in /proc/%d/status", field, pid).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private static long openFiles(long pid) throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
			return fds.count();
		}
	}

}
