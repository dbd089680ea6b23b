package dev.bootsupervisor.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's everyday commands on the real jar: {@code list} finds every running app through the run
 * directories (one in the default place, one elsewhere) and no stopped one, {@code status} prints JSON that
 * matches the cluster, and the fast path answers as Boot's full path does. Two 1-worker apps, shared by the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(11)
class CommandsIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Where masters without supervisor.run-dir keep their run directory (the harness unsets XDG_RUNTIME_DIR). */
	private static final Path DEFAULT_BASE = Path.of(System.getProperty("java.io.tmpdir"),
			"boot-supervisor-" + System.getProperty("user.name"));

	@RegisterExtension
	static final ProcessFixture shared = ProcessFixture.perClass();

	private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);

	/** In the default base. */
	private static final String HOME_APP = "cmd-home-" + SUFFIX;

	/** With a run directory elsewhere. */
	private static final String AWAY_APP = "cmd-away-" + SUFFIX;

	private static SupervisedProcess home;

	private static SupervisedProcess away;

	private static Path awayRunDir;

	@BeforeAll
	static void startTwoApps() throws Exception {
		awayRunDir = shared.tempDirectory().resolve("run");
		home = shared.start("--supervisor.workers=1", "--supervisor.name=" + HOME_APP,
				"--supervisor.run-dir=" + DEFAULT_BASE.resolve(HOME_APP));
		away = shared.start("--supervisor.workers=1", "--supervisor.name=" + AWAY_APP,
				"--supervisor.run-dir=" + awayRunDir);
		home.awaitReady(1);
		away.awaitReady(1);
	}

	@AfterAll
	static void removeTheRunDirectoryInTheDefaultBase() throws Exception {
		// the fixture removes the directories it made; this one is in the user's default base
		if (home != null && home.alivePids().contains(home.pid())) {
			home.signal("TERM");
			home.awaitExit(Duration.ofSeconds(60));
		}
		Path directory = DEFAULT_BASE.resolve(HOME_APP);
		if (Files.isDirectory(directory)) {
			try (Stream<Path> files = Files.walk(directory)) {
				for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(file);
				}
			}
		}
	}

	@Test
	@Order(1)
	void listShowsBothRunningAppsWhereverTheirRunDirectoryIsAndNoStaleOne() throws Exception {
		Path stale = DEFAULT_BASE.resolve("cmd-stale-" + SUFFIX);
		Files.createDirectories(stale);
		Files.setPosixFilePermissions(stale, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
		Files.writeString(stale.resolve("lock"), "");
		Files.writeString(stale.resolve("master.pid"), String.valueOf(home.pid()));
		try {
			SupervisedProcess.CommandResult text = shared.command("--supervisor.command=list");
			assertThat(text.exitCode()).as(text.output()).isZero();
			assertThat(text.stdout()).containsPattern(HOME_APP + " +" + home.pid() + " +" + home.port() + " +1/1 ")
				.containsPattern(AWAY_APP + " +" + away.pid() + " +" + away.port() + " +1/1 ")
				.doesNotContain("cmd-stale-" + SUFFIX);
			SupervisedProcess.CommandResult json = shared.command("--supervisor.command=list",
					"--supervisor.format=json");
			assertThat(json.exitCode()).as(json.output()).isZero();
			JsonNode apps = JSON.readTree(json.stdout()).get("apps");
			JsonNode awayEntry = app(apps, AWAY_APP);
			assertThat(awayEntry.get("masterPid").asLong()).isEqualTo(away.pid());
			assertThat(awayEntry.get("runDir").asString()).isEqualTo(awayRunDir.toAbsolutePath().toString());
			assertThat(awayEntry.get("workersReady").asInt()).isEqualTo(1);
			assertThat(app(apps, HOME_APP).get("port").asInt()).isEqualTo(home.port());
			assertThat(names(apps)).doesNotContain("cmd-stale-" + SUFFIX);
		}
		finally {
			try (Stream<Path> files = Files.list(stale)) {
				for (Path file : files.toList()) {
					Files.delete(file);
				}
			}
			Files.delete(stale);
		}
	}

	@Test
	@Order(2)
	void statusPrintsJsonThatMatchesTheCluster() throws Exception {
		SupervisedProcess.CommandResult result = shared.command("--supervisor.command=status",
				"--supervisor.format=json", "--supervisor.run-dir=" + awayRunDir);
		assertThat(result.exitCode()).as(result.output()).isZero();
		JsonNode status = JSON.readTree(result.stdout());
		assertThat(status.get("name").asString()).isEqualTo(AWAY_APP);
		assertThat(status.get("running").asBoolean()).isTrue();
		assertThat(status.get("masterPid").asLong()).isEqualTo(away.pid());
		assertThat(status.get("workersReady").asInt()).isEqualTo(1);
		assertThat(status.get("workersConfigured").asInt()).isEqualTo(1);
		JsonNode worker = status.get("workers").get(0);
		assertThat(away.workerPids()).containsExactly(worker.get("pid").asLong());
		assertThat(worker.get("state").asString()).isEqualTo("ready");
		SupervisedProcess.CommandResult stopped = shared.command("--supervisor.command=status",
				"--supervisor.format=json", "--supervisor.name=cmd-never-started-" + SUFFIX);
		assertThat(stopped.exitCode()).isEqualTo(3);
		assertThat(JSON.readTree(stopped.stdout()).get("running").asBoolean()).isFalse();
	}

	@Test
	@Order(3)
	void theFastPathAnswersAsBootsFullPath() throws Exception {
		for (List<String> args : List.of(List.of("--supervisor.name=" + HOME_APP),
				List.of("--supervisor.run-dir=" + awayRunDir), List.of("--supervisor.name=cmd-never-started-" + SUFFIX))) {
			SupervisedProcess.CommandResult fast = traced("--supervisor.command=status", args);
			SupervisedProcess.CommandResult full = traced("--supervisor.command=status", Stream
				.concat(args.stream(), Stream.of("--spring.profiles.active=fallback")).toList());
			assertThat(fast.stderr()).contains("Boot Supervisor: fast path");
			assertThat(full.stderr())
				.contains("Boot Supervisor: full path: the command line argument spring.profiles.active is present");
			assertThat(fast.exitCode()).isEqualTo(full.exitCode());
			assertThat(withoutMoving(fast.stdout())).isEqualTo(withoutMoving(full.stdout()));
		}
	}

	/** The times, and the class-data archive's state, which may go from training to ready between two runs. */
	private static String withoutMoving(String text) {
		return withoutTimes(text).replaceAll("(?m)^cds: .*$", "cds: ...");
	}

	@Test
	@Order(4)
	void anUnknownFormatGetsOneClearLine() throws Exception {
		for (String extra : List.of("--supervisor.name=" + HOME_APP, "--spring.profiles.active=fallback")) {
			SupervisedProcess.CommandResult result = shared.command("--supervisor.command=status",
					"--supervisor.format=yaml", extra);
			assertThat(result.exitCode()).isEqualTo(2);
			assertThat(result.stdout()).isEmpty();
			assertThat(result.stderr().strip())
				.isEqualTo("Boot Supervisor: Invalid value 'yaml' for supervisor.format: expected text or json");
		}
	}

	@Test
	@Order(5)
	void scaleWithoutACountIsRefusedOnBothPathsAndChangesNothing() throws Exception {
		java.util.Set<Long> workers = home.workerPids();
		for (List<String> args : List.of(List.of("--supervisor.name=" + HOME_APP),
				List.of("--supervisor.name=" + HOME_APP, "--spring.profiles.active=fallback"))) {
			SupervisedProcess.CommandResult scale = traced("--supervisor.command=scale", args);
			assertThat(scale.exitCode()).as(scale.toString()).isEqualTo(2);
			assertThat(scale.stdout()).isEmpty();
			assertThat(scale.stderr()).contains("scale needs --supervisor.workers=N");
		}
		SupervisedProcess.CommandResult status = shared.command("--supervisor.command=status",
				"--supervisor.name=" + HOME_APP);
		assertThat(status.stdout()).contains("1/1 workers ready");
		assertThat(home.workerPids()).isEqualTo(workers);
	}

	@Test
	@Order(6)
	void aStoppedAppIsNotListedAndItsRegistrationIsGone() throws Exception {
		SupervisedProcess.CommandResult stop = shared.command("--supervisor.command=stop",
				"--supervisor.run-dir=" + awayRunDir);
		assertThat(stop.exitCode()).as(stop.output()).isZero();
		assertThat(away.awaitExit(Duration.ofSeconds(60))).isZero();
		SupervisedProcess.CommandResult json = shared.command("--supervisor.command=list", "--supervisor.format=json");
		List<String> names = names(JSON.readTree(json.stdout()).get("apps"));
		assertThat(names).contains(HOME_APP).doesNotContain(AWAY_APP);
		Path registry = DEFAULT_BASE.resolve(".registered");
		if (Files.isDirectory(registry)) {
			try (Stream<Path> entries = Files.list(registry)) {
				assertThat(entries.map(CommandsIntegrationTests::readQuietly))
					.doesNotContain(awayRunDir.toAbsolutePath().toString());
			}
		}
	}

	@Test
	@Order(7)
	void reloadWhoseMasterIsKilledSaysTheMasterWentAway() throws Exception {
		SupervisedProcess reload = shared.startCommand("--supervisor.command=reload",
				"--supervisor.name=" + HOME_APP);
		await("the reload under way").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> reload.output().contains("Reloading " + HOME_APP));
		SupervisedProcess.signal(home.pid(), "KILL");
		SupervisedProcess.CommandResult result = reload.finish(Duration.ofSeconds(60));
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(4);
		assertThat(result.stderr())
			.contains("Reload: the master (pid " + home.pid() + ") exited before answering; check 'status'")
			.doesNotContain("null");
	}

	private static SupervisedProcess.CommandResult traced(String command, List<String> args) throws Exception {
		List<String> all = Stream.concat(Stream.of(command), args.stream()).toList();
		return shared.java(List.of("-Dboot-supervisor.fast-path=trace", "-jar", ProcessFixture.jar().toString()),
				all.toArray(String[]::new));
	}

	/**
	 * Uptimes and ages differ between two runs a second apart, and so does the padding after them in the table
	 * ({@code 9s} then {@code 10s}): a time and the spaces after it become one {@code T}.
	 */
	private static String withoutTimes(String text) {
		return text.replaceAll("\\b\\d+[smhd](\\d+[smh])?\\b( +(?=\\S))?", "T ");
	}

	private static JsonNode app(JsonNode apps, String name) {
		for (JsonNode app : apps) {
			if (app.get("name").asString().equals(name)) {
				return app;
			}
		}
		throw new AssertionError("no " + name + " in " + apps);
	}

	private static List<String> names(JsonNode apps) {
		return apps.valueStream().map((app) -> app.get("name").asString()).toList();
	}

	private static String readQuietly(Path file) {
		try {
			return Files.readString(file).trim();
		}
		catch (java.io.IOException ex) {
			return "";
		}
	}

}
