package dev.bootsupervisor.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.bootsupervisor.sample.NotifySocketListener.Notification;
import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of the systemd notify protocol: a datagram socket of the test's own stands in for systemd,
 * and the messages, their order and their timing are checked against real HTTP answers, pids and signals. The
 * ordered tests share one cluster of one worker through its life: ready, watchdog, reload, stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(13)
class SystemdIntegrationTests {

	/** systemd's watchdog interval for the shared cluster: the master pings every half of it, 1 s. */
	private static final long WATCHDOG_USEC = 2_000_000;

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	@RegisterExtension
	static final ProcessFixture fixture = ProcessFixture.perClass();

	private static NotifySocketListener systemd;

	private static SupervisedProcess app;

	@BeforeAll
	static void startCluster() throws IOException {
		systemd = NotifySocketListener.bind(fixture.tempDirectory().resolve("notify"));
		Map<String, String> environment = new HashMap<>(systemd.environment());
		environment.put("WATCHDOG_USEC", String.valueOf(WATCHDOG_USEC));
		app = fixture.start(environment, ProcessFixture.freePort(), "--supervisor.workers=1");
	}

	@AfterAll
	static void closeSocket() throws InterruptedException {
		systemd.close();
	}

	@Test
	@Order(1)
	void readyIsSentOnceARequestIsServedWithTheMastersPid() throws Exception {
		Notification ready = systemd.await("READY=1", 0, TIMEOUT);
		Response response = app.get("/");
		assertThat(response.status()).as("GET / as soon as READY=1 arrived").isEqualTo(200);
		assertThat(ready.value("MAINPID")).isEqualTo(String.valueOf(app.pid()));
		assertThat(ready.value("STATUS")).isEqualTo("1/1 workers ready");
		List<Notification> before = systemd.received().subList(0, systemd.received().indexOf(ready));
		assertThat(before).as("what came before READY=1").isNotEmpty()
			.allSatisfy((n) -> assertThat(n.text()).doesNotContain("READY=1", "WATCHDOG=1"))
			.anySatisfy((n) -> assertThat(n.value("STATUS")).isEqualTo("starting: 0/1 workers ready"));
		// the variables survived the exec into the lean master JVM, and no worker got them
		assertThat(environment(app.pid())).contains("NOTIFY_SOCKET=", "WATCHDOG_USEC=");
		assertThat(app.workerPids()).singleElement()
			.satisfies((worker) -> assertThat(environment(worker)).doesNotContain("NOTIFY_SOCKET", "WATCHDOG_"));
	}

	@Test
	@Order(2)
	void watchdogIsPingedEveryHalfIntervalAndNotWhileTheMasterIsStopped() throws Exception {
		int from = systemd.received().size();
		await("three watchdog pings").atMost(TIMEOUT).until(() -> pings(from).size() >= 3);
		List<Notification> pings = pings(from);
		for (int i = 1; i < pings.size(); i++) {
			long gap = (pings.get(i).nanoTime() - pings.get(i - 1).nanoTime()) / 1_000_000;
			assertThat(gap).as("ms between pings " + pings).isBetween(700L, 1_600L);
		}
		SupervisedProcess.signal(app.pid(), "STOP");
		try {
			// a ping already on its way when the master stopped may still arrive
			long since = System.nanoTime() + 300_000_000L;
			int stopped = systemd.received().size();
			await("no ping for 2.5 s, 2.5 intervals, while the master is stopped").during(Duration.ofMillis(2_500))
				.atMost(Duration.ofSeconds(5))
				.until(() -> pings(stopped).stream().noneMatch((ping) -> ping.nanoTime() > since));
		}
		finally {
			SupervisedProcess.signal(app.pid(), "CONT");
		}
		int resumed = systemd.received().size();
		systemd.await("WATCHDOG=1", resumed, Duration.ofSeconds(10));
	}

	@Test
	@Order(3)
	void reloadIsAnnouncedWithItsMonotonicTimeAndReadyFollowsOnceTheWorkersWereReplaced() throws Exception {
		Set<Long> before = app.workerPids();
		long old = app.get("/").pid();
		int from = systemd.received().size();
		long startedAt = NotifySocketListener.monotonicMicros();
		app.signal("HUP");
		Notification reloading = systemd.await("RELOADING=1", from, TIMEOUT);
		long monotonic = Long.parseLong(reloading.value("MONOTONIC_USEC"));
		assertThat(monotonic).as("MONOTONIC_USEC against the test's own clock").isBetween(startedAt,
				reloading.monotonicMicros());
		assertThat(reloading.value("STATUS")).isEqualTo("reloading 0/1");
		Notification ready = systemd.await("READY=1", systemd.received().indexOf(reloading) + 1, TIMEOUT);
		// the master's view when READY=1 came: the replacement serves; the old worker may finish a last request
		long replacement = SupervisedProcess.readyPid(app.cluster(), 1);
		assertThat(replacement).as("the ready worker once READY=1 came").isNotEqualTo(old).isNotIn(before);
		assertThat(ready.value("STATUS")).isEqualTo("1/1 workers ready");
		await("the old worker's exit").atMost(TIMEOUT).until(() -> app.workerPids().equals(Set.of(replacement)));
		Response response = app.get("/");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.pid()).isEqualTo(replacement);
	}

	@Test
	@Order(4)
	void termSendsStoppingBeforeTheMasterExitsCleanly() throws Exception {
		int from = systemd.received().size();
		app.signal("TERM");
		Notification stopping = systemd.await("STOPPING=1", from, TIMEOUT);
		long exitSeen = awaitExitNanos(app);
		assertThat(app.awaitExit(TIMEOUT)).isZero();
		assertThat(stopping.nanoTime()).isLessThan(exitSeen);
		assertThat(stopping.value("STATUS")).isEqualTo("stopping: 1 worker draining");
		List<String> order = systemd.received().stream().map(SystemdIntegrationTests::event)
			.filter((e) -> e != null).toList();
		assertThat(order).as("the protocol's events in order").containsExactly("READY=1", "RELOADING=1", "READY=1",
				"STOPPING=1");
	}

	@Test
	void slowStartIsExtendedOnAnAbstractSocketAndNeverPastTheStartupTimeout() throws Exception {
		try (NotifySocketListener abstractSocket = NotifySocketListener
			.bindAbstract("boot-supervisor-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime())) {
			SupervisedProcess slow = fixture.start(abstractSocket.environment(), ProcessFixture.freePort(),
					"--supervisor.workers=1", "--sample.startup-delay=2s", "--supervisor.startup-timeout=60s");
			Notification extend = abstractSocket.await("EXTEND_TIMEOUT_USEC=", 0, TIMEOUT);
			Notification ready = abstractSocket.await("READY=1", 0, TIMEOUT);
			assertThat(extend.nanoTime()).isLessThan(ready.nanoTime());
			// within the master's own deadline: the 60 s startup timeout and a 5 s margin
			assertThat(Long.parseLong(extend.value("EXTEND_TIMEOUT_USEC"))).isPositive()
				.isLessThanOrEqualTo(65_000_000L);
			assertThat(slow.get("/").status()).isEqualTo(200);
			slow.signal("TERM");
			assertThat(slow.awaitExit(TIMEOUT)).isZero();
		}
	}

	@Test
	void portInUseExitsWithTheConfigurationCodeAndNeverSaysReady() throws Exception {
		try (ServerSocket other = new ServerSocket();
				NotifySocketListener socket = NotifySocketListener.bind(fixture.tempDirectory().resolve("notify"))) {
			other.bind(new InetSocketAddress("127.0.0.1", 0));
			SupervisedProcess refused = fixture.start(socket.environment(), other.getLocalPort(),
					"--server.address=127.0.0.1");
			assertThat(refused.awaitExit(TIMEOUT)).as("exit code for RestartPreventExitStatus=78\n%s",
					refused.describe()).isEqualTo(78);
			assertThat(refused.output()).contains("already in use");
			assertThat(socket.received()).noneSatisfy((n) -> assertThat(n.text()).contains("READY=1"));
		}
	}

	@Test
	void systemdUnitPrintsTheCommandLineOfThisAppWithoutTheCommand() throws Exception {
		Path runDir = fixture.tempDirectory().resolve("run");
		CommandResult unit = fixture.command("--supervisor.command=systemd-unit", "--supervisor.workers=3",
				"--supervisor.shutdown-timeout=20s", "--supervisor.run-dir=" + runDir);
		assertThat(unit.exitCode()).as("%s", unit).isZero();
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String jar = ProcessFixture.jar().toAbsolutePath().toString();
		assertThat(unit.stdout().lines()).contains("NotifyAccess=main", "KillMode=mixed", "TimeoutStopSec=35s",
				"SuccessExitStatus=143", "OOMPolicy=continue", "Restart=on-failure", "RestartPreventExitStatus=78",
				"WorkingDirectory=" + Path.of("").toAbsolutePath())
			.anySatisfy((line) -> assertThat(line).startsWith("ExecStart=" + java + " ")
				.contains(" -Xmx256m ", " -jar " + jar + " --supervisor.workers=3 --supervisor.shutdown-timeout=20s")
				.doesNotContain("supervisor.command"))
			.containsAnyOf("Type=notify-reload", "Type=notify");
		assertThat(unit.stdout()).contains("ExecReload=kill -HUP $MAINPID");
		Path analyze = Path.of("/usr/bin/systemd-analyze");
		if (Files.isExecutable(analyze)) {
			// systemd's own parser, where the host has one: every setting is known and the unit is well formed
			Path file = Files.writeString(fixture.tempDirectory().resolve("sample-app.service"), unit.stdout());
			Process verify = new ProcessBuilder(analyze.toString(), "verify", file.toString()).redirectErrorStream(true)
				.start();
			String output = new String(verify.getInputStream().readAllBytes());
			assertThat(verify.waitFor()).as("systemd-analyze verify\n%s\n%s", output, unit.stdout()).isZero();
			assertThat(output).as("systemd-analyze verify").doesNotContain("sample-app.service");
		}
	}

	private static String environment(long pid) throws IOException {
		return Files.readString(Path.of("/proc", String.valueOf(pid), "environ")).replace('\0', '\n');
	}

	private static List<Notification> pings(int from) {
		return systemd.received().stream().skip(from).filter((n) -> n.has("WATCHDOG=1")).toList();
	}

	private static String event(Notification notification) {
		return List.of("READY=1", "RELOADING=1", "STOPPING=1").stream().filter(notification::has).findFirst()
			.orElse(null);
	}

	private static long awaitExitNanos(SupervisedProcess process) {
		await("exit of master " + process.pid()).atMost(TIMEOUT)
			.until(() -> !SupervisedProcess.isAlive(process.pid()));
		return System.nanoTime();
	}

}
