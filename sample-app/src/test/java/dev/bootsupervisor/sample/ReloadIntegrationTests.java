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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of the reloads that need a cluster of their own: a rollback, a reload asked for while one runs,
 * and redeploys of a replaced jar. Whatever replaces workers runs under a client load and no request may fail. The
 * reloads, scaling and signals an operator uses on a healthy cluster run one after the other on one shared cluster
 * per web server: {@link RuntimeChanges}.
 */
@Order(1)
class ReloadIntegrationTests {

	/** A reload of two workers takes about 10 s on an idle machine; leave room for a slow, shared one. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

	/** What a worker or the master prints when a jar changed under it. */
	private static final Pattern BROKEN_JAR = Pattern.compile(
			"NoClassDefFoundError|ClassNotFoundException|ZipException|NoSuchFileException|ClassFormatError"
					+ "|invalid (LOC|CEN) header|IllegalStateException: Unable to|java.io.EOFException");

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@TempDir
	Path temp;

	private Path runDir;

	@BeforeEach
	void prepare() {
		this.runDir = this.temp.resolve("run");
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
		assertThat(app.serveUntilSeen(before)).containsOnlyKeys(before);
		DocumentContext cluster = app.awaitSettled(2);
		assertThat(SupervisedProcess.pids(cluster)).containsExactlyInAnyOrderElementsOf(before);
		assertThat(SupervisedProcess.generations(cluster)).containsOnly(1);
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
		// the answer comes only once the last old worker takes no new connection: the very next requests, each on
		// a new connection, reach the new version only
		for (int request = 1; request <= 20; request++) {
			SupervisedProcess.Response response = app.get("/");
			assertThat(response.generation()).as("request %d after the answer: %s", request, response.body())
				.isEqualTo(2);
		}
		awaitExited(before);
		// Long enough for a queued reload to begin, had one been queued.
		await("no second reload").during(Duration.ofSeconds(3))
			.atMost(Duration.ofSeconds(10))
			.until(() -> count(app.output(), "Rolling reload of ") == 1);
		DocumentContext cluster = app.awaitSettled(2);
		assertThat(SupervisedProcess.generations(cluster)).containsOnly(2);
		assertThat(SupervisedProcess.pids(cluster)).doesNotContainAnyElementsOf(before);
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
			// A reload while cp is half done: refused with the reason, and the old workers keep serving
			byte[] whole = Files.readAllBytes(newJar);
			try (OutputStream out = Files.newOutputStream(jar, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING)) {
				out.write(whole, 0, whole.length / 2);
			}
			CommandResult refused = command("--supervisor.command=reload");
			assertThat(refused.exitCode()).as("exit code of %s", refused).isEqualTo(1);
			assertThat(refused.output()).contains("Reload failed")
				.contains("the app's jar " + jar + " is an invalid or corrupt jarfile");
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
		// One worker: what a redeploy risks is the running workers' class path, which one worker shows as well as two
		SupervisedProcess app = this.processes.startJar(jar, "--supervisor.workers=1",
				"--supervisor.run-dir=" + this.runDir);
		app.awaitReady(1);
		Set<Long> before = app.workerPids();
		app.serveUntilSeen(before);
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
		assertThat(after).hasSize(1).doesNotContainAnyElementsOf(before);
		assertThat(SupervisedProcess.generations(app.awaitSettled(1))).containsOnly(2);
		// Ask "/" and the version on one keep-alive connection, so that both answers come from the same worker.
		Set<Long> onNewVersion = new HashSet<>();
		await("the new worker on the new version").atMost(Duration.ofSeconds(30))
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

	private static void awaitExited(Set<Long> pids) {
		SupervisedProcess.awaitExited(pids, DRAIN_TIMEOUT);
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

		void replace(Path jar, Path newJar) throws Exception;

	}

}
