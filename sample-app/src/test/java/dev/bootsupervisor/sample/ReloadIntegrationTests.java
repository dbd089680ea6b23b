package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.jayway.jsonpath.DocumentContext;
import dev.bootsupervisor.sample.RawConnection.RawResponse;
import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of rolling reloads, rollback, redeploys and scaling at runtime. Whatever replaces or removes
 * workers runs under a client load (a new connection per request, and a keep-alive connection) and no request may
 * fail.
 */
class ReloadIntegrationTests {

	/** A reload of two workers takes about 10 s on an idle machine; leave room for a slow, shared one. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

	/** What a worker or the master prints when a jar changed under it. */
	private static final Pattern BROKEN_JAR = Pattern.compile(
			"NoClassDefFoundError|ClassNotFoundException|ZipException|NoSuchFileException|ClassFormatError"
					+ "|invalid (LOC|CEN) header|IllegalStateException: Unable to|java.io.EOFException");

	/** A status line of {@code --supervisor.command=status}: worker, pid, generation, state. */
	private static final Pattern STATUS_LINE = Pattern.compile("(?m)^(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\w+)\\s");

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@TempDir
	Path temp;

	private Path runDir;

	@BeforeEach
	void prepare() {
		this.runDir = this.temp.resolve("run");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.bootsupervisor.sample.ProcessFixture#servers")
	void reloadCommandReplacesEveryWorkerWhileEveryRequestSucceeds(String server) throws Exception {
		this.processes.onServer(server);
		SupervisedProcess app = startCluster(2);
		Set<Long> before = app.workerPids();
		assertThat(generations(app.cluster())).containsOnly(1);
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			CommandResult reload = command("--supervisor.command=reload");
			assertThat(reload.exitCode()).as("exit code of %s", reload).isZero();
			assertThat(reload.output()).contains("Reload succeeded: reloaded 2 workers");
			// The outcome is reported once the last replacement is ready: its old worker may still be draining.
			awaitExited(before);
			load = running.stop();
		}
		load.assertNoFailedRequest(app);
		assertThat(load.generations()).as("generations that answered during the reload").contains(1, 2);
		Set<Long> after = app.workerPids();
		assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
		DocumentContext cluster = app.awaitSettled(2);
		assertThat(SupervisedProcess.pids(cluster)).containsExactlyInAnyOrderElementsOf(after);
		assertThat(generations(cluster)).containsOnly(2);
		Map<Long, Integer> status = statusGenerations(command("--supervisor.command=status"));
		assertThat(status).containsOnlyKeys(after).allSatisfy((pid, generation) -> assertThat(generation).isEqualTo(2));
		for (long pid : before) {
			awaitStoppedCleanly(app, pid);
		}
	}

	@Test
	void reloadWhoseReplacementFailsRollsBackAndTheOldWorkersKeepServing() throws Exception {
		SupervisedProcess app = startCluster(2, "--sample.fail-from-generation=2");
		Set<Long> before = app.workerPids();
		ClientLoad.Result load;
		CommandResult reload;
		try (ClientLoad running = ClientLoad.start(app)) {
			reload = command("--supervisor.command=reload");
			load = running.stop();
		}
		assertThat(reload.exitCode()).as("exit code of %s", reload).isEqualTo(1);
		assertThat(reload.output()).contains("Reload failed")
			.contains("rolled back")
			.contains("Startup failure requested by sample.fail-from-generation=2");
		Matcher replacement = Pattern.compile("generation 2 \\(pid (\\d+)\\)").matcher(reload.output());
		assertThat(replacement.find()).as("pid of the failed replacement in %s", reload).isTrue();
		long failedPid = Long.parseLong(replacement.group(1));
		assertThat(SupervisedProcess.isAlive(failedPid)).as("failed replacement %s alive", failedPid).isFalse();
		load.assertNoFailedRequest(app);
		assertThat(load.generations()).containsOnly(1);
		assertThat(load.pids()).isSubsetOf(before);
		assertThat(app.workerPids()).isEqualTo(before);
		assertThat(serveUntilSeen(app, before)).containsOnlyKeys(before);
		DocumentContext cluster = app.awaitSettled(2);
		assertThat(SupervisedProcess.pids(cluster)).containsExactlyInAnyOrderElementsOf(before);
		assertThat(generations(cluster)).containsOnly(1);
		app.awaitOutput("Rolling reload \\(reload command\\): reload failed and was rolled back",
				Duration.ofSeconds(5));
	}

	@Test
	void reloadRequestedWhileAReloadRunsIsAnsweredAndNotQueued() throws Exception {
		// Each replacement takes 3 s more to become ready: time for the second request to arrive.
		SupervisedProcess app = startCluster(2, "--sample.startup-delay=3s");
		Set<Long> before = app.workerPids();
		// Killed after the test by the fixture if it does not end.
		SupervisedProcess first = startCommand("--supervisor.command=reload");
		app.awaitOutput("Rolling reload of 2 workers \\(reload command\\)", COMMAND_TIMEOUT);
		CommandResult second = command("--supervisor.command=reload");
		assertThat(second.exitCode()).as("exit code of %s", second).isEqualTo(1);
		assertThat(second.output()).contains("reload already in progress");
		app.signal("HUP");
		app.awaitOutput("Reload requested \\(SIGHUP\\) while a reload runs; not queued", Duration.ofSeconds(10));
		CommandResult outcome = first.finish(COMMAND_TIMEOUT);
		assertThat(outcome.exitCode()).as("exit code of %s", outcome).isZero();
		assertThat(outcome.output()).contains("Reload succeeded: reloaded 2 workers");
		awaitExited(before);
		// Long enough for a queued reload to begin, had one been queued.
		await("no second reload").during(Duration.ofSeconds(3))
			.atMost(Duration.ofSeconds(10))
			.until(() -> count(app.output(), "Rolling reload of ") == 1);
		DocumentContext cluster = app.awaitSettled(2);
		assertThat(generations(cluster)).containsOnly(2);
		assertThat(SupervisedProcess.pids(cluster)).doesNotContainAnyElementsOf(before);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.bootsupervisor.sample.ProcessFixture#servers")
	void sighupReloadsLikeTheCommand(String server) throws Exception {
		this.processes.onServer(server);
		SupervisedProcess app = startCluster(2);
		Set<Long> before = app.workerPids();
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			app.signal("HUP");
			app.awaitOutput("Rolling reload \\(SIGHUP\\): reloaded 2 workers", COMMAND_TIMEOUT);
			awaitExited(before);
			load = running.stop();
		}
		load.assertNoFailedRequest(app);
		Set<Long> after = app.workerPids();
		assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
		DocumentContext cluster = app.awaitSettled(2);
		assertThat(SupervisedProcess.pids(cluster)).containsExactlyInAnyOrderElementsOf(after);
		assertThat(generations(cluster)).containsOnly(2);
		assertThat(serveUntilSeen(app, after)).containsOnlyKeys(after);
	}

	@Test
	void scaleCommandAddsWorkersThatServe() throws Exception {
		SupervisedProcess app = startCluster(2);
		Set<Long> before = app.workerPids();
		CommandResult scale = command("--supervisor.command=scale", "--supervisor.workers=3");
		assertThat(scale.exitCode()).as("exit code of %s", scale).isZero();
		assertThat(scale.output()).contains("Scaled sample-app to 3 workers");
		Set<Long> after = app.workerPids();
		assertThat(after).hasSize(3).containsAll(before);
		Map<Long, Integer> served = serveUntilSeen(app, after);
		assertThat(served.values()).containsExactlyInAnyOrder(1, 2, 3);
		DocumentContext cluster = app.awaitSettled(3);
		assertThat(cluster.<Integer>read("$.master.configuredWorkers")).isEqualTo(3);
		assertThat(SupervisedProcess.pids(cluster)).containsExactlyInAnyOrderElementsOf(after);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.bootsupervisor.sample.ProcessFixture#servers")
	void scaleCommandRemovesWorkersByDrainingThem(String server) throws Exception {
		this.processes.onServer(server);
		SupervisedProcess app = startCluster(3);
		Set<Long> before = app.workerPids();
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			CommandResult scale = command("--supervisor.command=scale", "--supervisor.workers=1");
			assertThat(scale.exitCode()).as("exit code of %s", scale).isZero();
			assertThat(scale.output()).contains("Scaled sample-app to 1 workers");
			await("two workers gone").atMost(DRAIN_TIMEOUT).until(() -> app.workerPids().size() == 1);
			load = running.stop();
		}
		load.assertNoFailedRequest(app);
		Set<Long> after = app.workerPids();
		assertThat(before).containsAll(after);
		DocumentContext cluster = app.awaitSettled(1);
		assertThat(cluster.<List<Integer>>read("$.workers[*].id")).containsExactly(1);
		for (long pid : before) {
			if (!after.contains(pid)) {
				awaitStoppedCleanly(app, pid);
			}
		}
		assertThat(serveUntilSeen(app, after)).containsOnlyKeys(after);
	}

	@Test
	void ttinAddsAWorkerAndTtouDrainsOne() throws Exception {
		SupervisedProcess app = startCluster(1);
		Set<Long> first = app.workerPids();
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			app.signal("TTIN");
			DocumentContext two = app.awaitSettled(2);
			assertThat(two.<Integer>read("$.master.configuredWorkers")).isEqualTo(2);
			Set<Long> grown = app.workerPids();
			assertThat(grown).hasSize(2).containsAll(first);
			assertThat(serveUntilSeen(app, grown).values()).containsExactlyInAnyOrder(1, 2);
			long added = grown.stream().filter((pid) -> !first.contains(pid)).findFirst().orElseThrow();
			app.signal("TTOU");
			awaitExited(Set.of(added));
			load = running.stop();
			awaitStoppedCleanly(app, added);
		}
		load.assertNoFailedRequest(app);
		assertThat(load.pids()).as("workers that answered").hasSize(2);
		assertThat(app.workerPids()).isEqualTo(first);
		assertThat(app.awaitSettled(1).<Integer>read("$.master.configuredWorkers")).isEqualTo(1);
	}

	@Test
	void redeployByMovingANewJarIntoPlaceThenReloading() throws Exception {
		redeploy((jar, newJar) -> Files.move(newJar, jar, StandardCopyOption.REPLACE_EXISTING,
				StandardCopyOption.ATOMIC_MOVE));
	}

	@Test
	void redeployByOverwritingTheJarInPlaceThenReloading() throws Exception {
		redeploy((jar, newJar) -> {
			Object inode = Files.getAttribute(jar, "unix:ino");
			// What cp does to an existing file: truncate it and write the new bytes into the same inode.
			// (Files.copy with REPLACE_EXISTING would unlink the old file first, which is a move in disguise.)
			try (OutputStream out = Files.newOutputStream(jar, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING)) {
				Files.copy(newJar, out);
			}
			assertThat(Files.getAttribute(jar, "unix:ino")).as("inode of the overwritten jar").isEqualTo(inode);
		});
	}

	/**
	 * Start a cluster from a copy of the jar, replace the copy with a new version while the workers run, check
	 * that the running workers and the master are unaffected, then reload: the replacements run the new version.
	 */
	private void redeploy(JarReplacement replacement) throws Exception {
		Path jar = this.temp.resolve("app/app.jar");
		Files.createDirectories(jar.getParent());
		Files.copy(ProcessFixture.sampleJar(), jar);
		Path newJar = this.temp.resolve("app-v2.jar");
		writeNewVersion(jar, newJar, "v2");
		SupervisedProcess app = this.processes.startJar(jar, "--supervisor.workers=2",
				"--supervisor.run-dir=" + this.runDir);
		app.awaitReady(2);
		Set<Long> before = app.workerPids();
		serveUntilSeen(app, before);
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			replacement.replace(jar, newJar);
			// Paths the old workers have not served yet: their classes are loaded now, after the replacement.
			for (int i = 0; i < 6; i++) {
				for (String path : List.of("/actuator/metrics", "/actuator/prometheus", "/actuator/info",
						"/slow?ms=5", "/actuator/health/readiness")) {
					Response response = app.get(path);
					assertThat(response.status()).as("%s from an old worker: %s", path, response).isEqualTo(200);
				}
				assertThat(app.get("/no-such-page").status()).isEqualTo(404);
			}
			assertThat(app.workerPids()).as("old workers after the jar was replaced").isEqualTo(before);
			CommandResult reload = command("--supervisor.command=reload");
			assertThat(reload.exitCode()).as("exit code of %s", reload).isZero();
			awaitExited(before);
			load = running.stop();
		}
		load.assertNoFailedRequest(app);
		Set<Long> after = app.workerPids();
		assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
		assertThat(generations(app.awaitSettled(2))).containsOnly(2);
		// The kernel hands connections to the workers waiting in accept() in turn: ask "/" and the version on one
		// keep-alive connection, so that both answers come from the same worker.
		Set<Long> onNewVersion = new HashSet<>();
		await("both new workers on the new version").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> {
				try (RawConnection connection = new RawConnection(app.port())) {
					RawResponse root = connection.get("/");
					RawResponse info = connection.get("/actuator/info");
					assertThat(info.body()).as("info from worker pid %s", root.pid()).contains("\"deploy\":\"v2\"");
					onNewVersion.add(root.pid());
				}
				return onNewVersion.containsAll(after);
			});
		assertThat(BROKEN_JAR.matcher(app.output()).find()).as("a broken jar in the log:\n%s", app.describe())
			.isFalse();
		// The master still runs the replaced jar: it must stop its workers and exit normally.
		app.signal("TERM");
		assertThat(app.awaitExit(DRAIN_TIMEOUT)).as("master exit code\n%s", app.describe()).isZero();
		app.awaitAllExited(Duration.ofSeconds(15));
	}

	private SupervisedProcess startCluster(int workers, String... args) throws IOException {
		List<String> all = new ArrayList<>(List.of("--supervisor.workers=" + workers,
				"--supervisor.run-dir=" + this.runDir));
		all.addAll(Arrays.asList(args));
		SupervisedProcess app = this.processes.start(all.toArray(String[]::new));
		app.awaitReady(workers);
		assertThat(app.workerPids()).hasSize(workers);
		return app;
	}

	/** Run a control command for this test's cluster in its own JVM and wait for it. */
	private CommandResult command(String... args) throws IOException, InterruptedException {
		return startCommand(args).finish(COMMAND_TIMEOUT);
	}

	private SupervisedProcess startCommand(String... args) throws IOException {
		List<String> all = new ArrayList<>(List.of("--supervisor.run-dir=" + this.runDir));
		all.addAll(Arrays.asList(args));
		return this.processes.startCommand(all.toArray(String[]::new));
	}

	private static List<Integer> generations(DocumentContext cluster) {
		return cluster.<List<Number>>read("$.workers[*].generation").stream().map(Number::intValue).toList();
	}

	/** The generation by pid of the workers a status command printed. */
	private static Map<Long, Integer> statusGenerations(CommandResult status) {
		assertThat(status.exitCode()).as("exit code of %s", status).isZero();
		Map<Long, Integer> generations = new HashMap<>();
		Matcher line = STATUS_LINE.matcher(status.output());
		while (line.find()) {
			generations.put(Long.parseLong(line.group(2)), Integer.parseInt(line.group(3)));
		}
		return generations;
	}

	/** Send requests, each on a new connection, until every given worker has answered: all must succeed. */
	private static Map<Long, Integer> serveUntilSeen(SupervisedProcess app, Set<Long> workers) {
		Map<Long, Integer> served = new ConcurrentHashMap<>();
		await("responses from workers " + workers).atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> {
				Response response = app.get("/");
				assertThat(response.status()).as("response %s", response).isEqualTo(200);
				assertThat(response.pid()).as("pid of the serving process").isIn(workers);
				served.put(response.pid(), response.worker());
				return served.keySet().containsAll(workers);
			});
		return served;
	}

	private static void awaitExited(Set<Long> pids) {
		SupervisedProcess.awaitExited(pids, DRAIN_TIMEOUT);
	}

	/** Wait for the master's line saying that this worker drained and exited with code 0. */
	private static void awaitStoppedCleanly(SupervisedProcess app, long pid) {
		app.awaitOutput("Worker \\d+ \\(pid " + pid + ", generation \\d+\\): draining -> stopped "
				+ "\\(stopped, exit code 0\\)", Duration.ofSeconds(5));
	}

	private static int count(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
			count++;
		}
		return count;
	}

	/**
	 * Write a new version of an executable jar: the same classes with an {@code info.deploy} property that
	 * {@code /actuator/info} shows, and a padding entry up front so that every entry moves in the file, as it does
	 * between two real builds.
	 */
	private static void writeNewVersion(Path source, Path target, String deploy) throws IOException {
		try (ZipFile in = new ZipFile(source.toFile());
				ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
			for (ZipEntry entry : Collections.list(in.entries())) {
				byte[] data = in.getInputStream(entry).readAllBytes();
				if (entry.getName().equals("BOOT-INF/classes/application.properties")) {
					String properties = new String(data, StandardCharsets.UTF_8);
					data = (properties + "\nmanagement.info.env.enabled=true\ninfo.deploy=" + deploy + "\n")
						.getBytes(StandardCharsets.UTF_8);
				}
				write(out, entry.getName(), entry.getMethod(), entry.getTime(), data);
				if (entry.getName().equals("META-INF/MANIFEST.MF")) {
					byte[] padding = new byte[12345];
					Arrays.fill(padding, (byte) '#');
					write(out, "META-INF/padding.txt", ZipEntry.STORED, entry.getTime(), padding);
				}
			}
		}
	}

	private static void write(ZipOutputStream out, String name, int method, long time, byte[] data)
			throws IOException {
		ZipEntry entry = new ZipEntry(name);
		entry.setTime(time);
		entry.setMethod(method);
		if (method == ZipEntry.STORED) {
			// Nested jars stay stored: Spring Boot's loader reads them in place.
			CRC32 crc = new CRC32();
			crc.update(data);
			entry.setSize(data.length);
			entry.setCompressedSize(data.length);
			entry.setCrc(crc.getValue());
		}
		out.putNextEntry(entry);
		out.write(data);
		out.closeEntry();
	}

	@FunctionalInterface
	private interface JarReplacement {

		void replace(Path jar, Path newJar) throws IOException;

	}

}
