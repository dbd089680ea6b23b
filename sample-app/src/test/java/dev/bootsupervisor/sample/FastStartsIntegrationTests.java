package dev.bootsupervisor.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.jayway.jsonpath.DocumentContext;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of fast starts: the master trains a class-data archive once the cluster is ready, and every
 * later worker starts with it: a crash restart, the next launch. A redeploy trains a new one and removes the old, a
 * changed file drops an archive with one line, and {@code supervisor.cds.enabled=false} keeps workers as they were.
 * The build runs this class on Java 17 (a dynamic CDS archive) and on Temurin 25 (an AOT cache).
 */
@Order(3)
class FastStartsIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(120);

	@RegisterExtension
	final ProcessFixture fixture = newFixture();

	private final String useOption = (this.fixture.javaRelease() >= 25) ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=";

	/** The fixture, on the JVM the tests run the app on. */
	ProcessFixture newFixture() {
		return new ProcessFixture();
	}

	@Test
	void anArchiveIsTrainedOnceAndEveryLaterWorkerStartsWithItUntilTheAppChanges() throws Exception {
		Path jar = Files.copy(ProcessFixture.jar(), this.fixture.tempDirectory().resolve("app.jar"));
		Path cds = this.fixture.tempDirectory().resolve("cds");
		Path runDir = this.fixture.tempDirectory().resolve("run");
		String[] args = { "--supervisor.workers=2", "--supervisor.cds.dir=" + cds, "--supervisor.run-dir=" + runDir };

		SupervisedProcess app = this.fixture.startJar(jar, args);
		app.awaitReady(2);
		Set<Long> first = app.workerPids();
		for (long worker : first) {
			assertThat(commandLine(worker)).as("a first launch's workers run the snapshot")
				.noneMatch((part) -> part.startsWith(this.useOption));
		}
		DocumentContext ready = awaitArchive(app, "ready");
		Path archive = Path.of(ready.<String>read("$.master.cds.location"));
		assertThat(archive).isRegularFile().startsWith(cds);
		assertThat(archive.resolveSibling("layout").resolve("app.jar")).as("Boot's extracted layout").isRegularFile();
		assertThat(app.output()).containsOnlyOnce("Class-data archive ready");
		assertThat(app.get("/").status()).isEqualTo(200);

		// a crash restart starts with the archive, on the extracted layout, and the JVM takes it
		long killed = first.iterator().next();
		SupervisedProcess.signal(killed, "KILL");
		long replacement = awaitReplacement(app, first, killed);
		List<String> line = commandLine(replacement);
		assertThat(line).contains(this.useOption + archive, "-jar", archive.resolveSibling("layout").resolve("app.jar").toString());
		assertThat(app.output()).doesNotContain("Unable to use shared archive").doesNotContain("[error][aot]");
		// the JVMs the supervisor starts are granted native access: only the master's own JVM (the one the user
		// starts, not granted it here) warns of JNA's restricted method, once, on Java 22 and later
		assertThat(app.output().split("WARNING: A restricted method", -1)).as("restricted-method warnings, in\n%s",
				app.output()).hasSizeLessThanOrEqualTo(2);
		SupervisedProcess.CommandResult status = this.fixture.command("--supervisor.command=status",
				"--supervisor.run-dir=" + runDir);
		assertThat(status.stdout()).contains("cds: ready, " + archive);

		// a redeploy: replacements run the new jar's snapshot, then a new archive is trained and the old one goes
		Path v2 = this.fixture.tempDirectory();
		Path added = Files.writeString(Files.createDirectories(v2.resolve("BOOT-INF/classes")).resolve("version.txt"),
				"v2");
		addToJar(jar, v2, added);
		Set<Long> beforeReload = app.workerPids();
		SupervisedProcess.CommandResult reload = this.fixture.command("--supervisor.command=reload",
				"--supervisor.run-dir=" + runDir);
		assertThat(reload.exitCode()).as("%s", reload).isZero();
		// the reload answers once the last old worker stopped accepting: it may still be finishing
		SupervisedProcess.awaitExited(beforeReload, Duration.ofSeconds(30));
		for (long worker : app.workerPids()) {
			assertThat(commandLine(worker)).as("the new version has no archive yet")
				.noneMatch((part) -> part.startsWith(this.useOption));
		}
		DocumentContext retrained = await("an archive of the new version").atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(500))
			.until(app::cluster, (view) -> "ready".equals(view.read("$.master.cds.state"))
					&& !archive.toString().equals(view.read("$.master.cds.location")));
		Path second = Path.of(retrained.<String>read("$.master.cds.location"));
		assertThat(second).isRegularFile();
		assertThat(archive.getParent()).as("the old version's archive is removed").doesNotExist();
		app.signal("TERM");
		assertThat(app.awaitExit(TIMEOUT)).isZero();
		app.awaitAllExited(Duration.ofSeconds(15));

		// the next launch starts every worker with the archive at once, and trains nothing
		SupervisedProcess again = this.fixture.startJar(jar, args);
		again.awaitReady(2);
		for (long worker : again.workerPids()) {
			assertThat(commandLine(worker)).as("a second launch's first workers").contains(this.useOption + second);
		}
		assertThat(again.cluster().<String>read("$.master.cds.state")).isEqualTo("ready");
		assertThat(again.output()).doesNotContain("Class-data archive ready");
		again.signal("TERM");
		assertThat(again.awaitExit(TIMEOUT)).isZero();
		again.awaitAllExited(Duration.ofSeconds(15));

		// a file of the layout changed: the archive is dropped with one line, workers start without it, and a new
		// one is trained
		Path library = Files.list(second.resolveSibling("layout").resolve("lib")).findFirst().orElseThrow();
		Files.setLastModifiedTime(library, FileTime.fromMillis(Files.getLastModifiedTime(library).toMillis() - 60_000));
		SupervisedProcess third = this.fixture.startJar(jar, "--supervisor.workers=1", "--supervisor.cds.dir=" + cds,
				"--supervisor.run-dir=" + runDir);
		third.awaitReady(1);
		assertThat(third.output()).containsOnlyOnce("Dropped the class-data archive " + second)
			.contains("changed since it was trained: layout/lib/" + library.getFileName());
		assertThat(commandLine(third.workerPids().iterator().next())).noneMatch((part) -> part.startsWith(this.useOption));
		awaitArchive(third, "ready");
		third.signal("TERM");
		assertThat(third.awaitExit(TIMEOUT)).isZero();
		third.awaitAllExited(Duration.ofSeconds(15));
	}

	@Test
	void aKilledMasterTakesItsTrainingRunWithIt() throws Exception {
		Path cds = this.fixture.tempDirectory().resolve("cds");
		Path runDir = this.fixture.tempDirectory().resolve("run");
		SupervisedProcess app = this.fixture.start("--supervisor.workers=1", "--supervisor.cds.dir=" + cds,
				"--supervisor.run-dir=" + runDir);
		app.awaitReady(1);
		Set<Long> workers = app.workerPids();
		long training = await("the class-data training run").atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> trainingRun(app.pid()), (pid) -> pid != 0);
		// the run's app is starting: it has seconds of work left (refresh, then the archive's dump)
		await("the training run's app starting").atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> trainingLog(cds).contains("Starting SampleApplication"));
		app.signal("KILL");
		assertThat(app.awaitExit(TIMEOUT)).isEqualTo(128 + 9);
		// as a worker does when its channel closes (issue 26: the run went on alone to its end and wrote its archive)
		await("the end of training run " + training + " with its master").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> !SupervisedProcess.isAlive(training));
		assertThat(trainingLog(cds)).as("the training run's log")
			.contains("Boot Supervisor: the master of this class-data training run is gone; the run ends");
		SupervisedProcess.awaitExited(workers, Duration.ofSeconds(15));
	}

	@Test
	void disabledKeepsWorkersAsTheyWere() throws Exception {
		Path runDir = this.fixture.tempDirectory().resolve("run");
		SupervisedProcess app = this.fixture.start("--supervisor.workers=1", "--supervisor.cds.enabled=false",
				"--supervisor.run-dir=" + runDir);
		app.awaitReady(1);
		DocumentContext view = app.cluster();
		assertThat(view.<String>read("$.master.cds.state")).isEqualTo("none");
		assertThat(view.<String>read("$.master.cds.detail")).isEqualTo("supervisor.cds.enabled=false");
		assertThat(commandLine(app.workerPids().iterator().next())).noneMatch((part) -> part.startsWith(this.useOption))
			.anyMatch((part) -> part.startsWith(runDir.resolve("jars").toString()));
		assertThat(runDir.resolve("cds")).doesNotExist();
		app.signal("TERM");
		assertThat(app.awaitExit(TIMEOUT)).isZero();
	}

	private static DocumentContext awaitArchive(SupervisedProcess app, String state) {
		return await("the class-data archive " + state).atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(500))
			.until(app::cluster, (view) -> state.equals(view.read("$.master.cds.state")));
	}

	private static long awaitReplacement(SupervisedProcess app, Set<Long> before, long killed) {
		await("a replacement of worker pid " + killed).atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> app.workerPids().size() == before.size() && !app.workerPids().contains(killed));
		long replacement = app.workerPids().stream().filter((pid) -> !before.contains(pid)).findFirst().orElseThrow();
		app.awaitOutput("Worker \\d+ \\(pid " + replacement + ", generation 2\\): starting -> ready", TIMEOUT);
		return replacement;
	}

	/** Add a file to the jar with the JDK's jar tool, which keeps Boot's nested jars stored. */
	private static void addToJar(Path jar, Path directory, Path file) throws IOException, InterruptedException {
		String tool = Path.of(System.getProperty("java.home"), "bin", "jar").toString();
		Process process = new ProcessBuilder(tool, "uf", jar.toString(), "-C", directory.toString(),
				directory.relativize(file).toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as("jar uf: %s", output).isZero();
	}

	/** The training run's log, empty while there is none. */
	private static String trainingLog(Path cds) throws IOException {
		if (!Files.isDirectory(cds)) {
			return "";
		}
		try (Stream<Path> files = Files.find(cds, 3, (path, attributes) -> path.endsWith("training.log"))) {
			Path log = files.findFirst().orElse(null);
			return (log != null) ? Files.readString(log) : "";
		}
	}

	/** The master's class-data training run, 0 while it has none. */
	private static long trainingRun(long master) {
		return ProcessHandle.of(master)
			.stream()
			.flatMap(ProcessHandle::children)
			.filter((child) -> {
				try {
					return commandLine(child.pid()).contains("-Dsupervisor.role=training");
				}
				catch (IOException ex) {
					return false;
				}
			})
			.mapToLong(ProcessHandle::pid)
			.findFirst()
			.orElse(0);
	}

	private static List<String> commandLine(long pid) throws IOException {
		return List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
	}

}
