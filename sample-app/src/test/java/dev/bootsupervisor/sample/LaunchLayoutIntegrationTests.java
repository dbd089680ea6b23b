package dev.bootsupervisor.sample;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of the launch layouts other than {@code java -jar app.jar}: the extracted layout, a
 * class-path launch, and {@code PropertiesLauncher} with {@code loader.path}. In each, the workers serve, a redeploy
 * (new files in place, then {@code reload}) puts the new version of the app and of a library in every new worker
 * while the old ones keep serving from their snapshot, and a failed reload goes back to the previous version.
 */
@Order(10)
class LaunchLayoutIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String MAIN = "dev.bootsupervisor.sample.SampleApplication";

	private static final String PROPERTIES_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

	/** What a worker or the master prints when a file of its class path changed under it. */
	private static final Pattern BROKEN_CLASS_PATH = Pattern.compile(
			"NoClassDefFoundError|ClassNotFoundException|ZipException|NoSuchFileException|ClassFormatError"
					+ "|invalid (LOC|CEN) header|IllegalStateException: Unable to|java.io.EOFException");

	@TempDir
	Path temp;

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@Test
	void extractedLayout() throws Exception {
		Path app = extract();
		Path jar = app.resolve("sample-app.jar");
		String classPath = manifest(jar).getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
		serveRedeployAndRollBack(List.of("-jar", "app/sample-app.jar"), (version, failing) -> {
			library(app.resolve("lib"), version, failing);
			// A new build: its app.jar names the new library in its Class-Path, and is moved into place.
			rewriteJar(jar, "application.properties", version, classPath + " lib/marker-" + version + ".jar");
		});
	}

	@Test
	void classPathLaunchWithADirectoryAWildcardAndAJar() throws Exception {
		Path app = extract();
		Path config = Files.createDirectories(app.resolve("config"));
		serveRedeployAndRollBack(List.of("-cp", "app/config:app/lib/*:app/sample-app.jar", MAIN),
				(version, failing) -> {
					library(app.resolve("lib"), version, failing);
					// Overwritten in place, in the directory on the class path.
					Files.writeString(config.resolve("deploy.properties"), "info.deploy=" + version + "\n");
				});
	}

	@Test
	void propertiesLauncherWithLoaderPath() throws Exception {
		Path app = Files.createDirectories(this.temp.resolve("app"));
		Path jar = app.resolve("sample-app.jar");
		Files.copy(ProcessFixture.sampleJar(), jar);
		Path lib = Files.createDirectories(app.resolve("lib"));
		serveRedeployAndRollBack(List.of("-Dloader.path=lib", "-cp", "sample-app.jar", PROPERTIES_LAUNCHER),
				app, (version, failing) -> {
					library(lib, version, failing);
					rewriteJar(jar, "BOOT-INF/classes/application.properties", version, null);
				});
	}

	private void serveRedeployAndRollBack(List<String> launch, Deploy deploy) throws Exception {
		serveRedeployAndRollBack(launch, this.temp, deploy);
	}

	private void serveRedeployAndRollBack(List<String> launch, Path directory, Deploy deploy)
			throws Exception {
		Path runDir = this.temp.resolve("run");
		deploy.to("v1", false);
		SupervisedProcess app = this.processes.start(launch, directory, ProcessFixture.freePort(),
				List.of("--supervisor.workers=1", "--supervisor.run-dir=" + runDir,
						"--supervisor.restart.backoff-initial=100ms"));
		// One worker: what this class checks is each layout's class path, not how several workers share the port
		app.awaitReady(1);
		Set<Long> first = app.workerPids();
		assertThat(first).hasSize(1);
		assertThat(versions(app, first)).as("versions at start").containsOnly("v1/v1");

		deploy.to("v2", false);
		// Paths the old workers have not served yet: their classes are loaded now, after the replacement.
		for (String path : List.of("/actuator/metrics", "/actuator/prometheus", "/slow?ms=5", "/no-such-page")) {
			for (int i = 0; i < 4; i++) {
				assertThat(app.get(path).status()).as("%s from an old worker", path).isIn(200, 404);
			}
		}
		assertThat(versions(app, first)).as("old workers after the redeploy").containsOnly("v1/v1");
		CommandResult reload = control(runDir, "--supervisor.command=reload");
		assertThat(reload.exitCode()).as("%s", reload).isZero();
		awaitExited(first);
		Set<Long> second = app.workerPids();
		assertThat(second).hasSize(1).doesNotContainAnyElementsOf(first);
		assertThat(versions(app, second)).as("versions after the reload").containsOnly("v2/v2");
		String beforeFailure = app.output();

		deploy.to("v3", true);
		CommandResult failed = control(runDir, "--supervisor.command=reload");
		assertThat(failed.exitCode()).as("%s", failed).isEqualTo(1);
		assertThat(failed.output()).contains("rolled back").contains("sample.fail-on-start=true");
		assertThat(app.workerPids()).isEqualTo(second);
		// A worker that dies after the failed reload comes back on the version that was rolled back to.
		long killed = second.iterator().next();
		SupervisedProcess.signal(killed, "KILL");
		await("a replacement of worker pid " + killed).atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> app.workerPids().size() == 1 && !app.workerPids().contains(killed));
		Set<Long> third = app.workerPids();
		app.awaitOutput("Worker \\d+ \\(pid (?!" + killed + ")\\d+, generation \\d+\\): starting -> ready", TIMEOUT);
		assertThat(versions(app, third)).as("versions after the failed reload").containsOnly("v2/v2");

		assertThat(BROKEN_CLASS_PATH.matcher(beforeFailure).find()).as("a broken class path in:\n%s", beforeFailure)
			.isFalse();
		app.signal("TERM");
		assertThat(app.awaitExit(TIMEOUT)).as("master exit code\n%s", app.describe()).isZero();
		app.awaitAllExited(Duration.ofSeconds(15));
		try (Stream<Path> left = Files.list(runDir)) {
			assertThat(left.map((path) -> path.getFileName().toString())).doesNotContain("jars");
		}
	}

	/** The {@code deploy/library} version each given worker answers with: asks until all of them answered. */
	private static Set<String> versions(SupervisedProcess app, Set<Long> workers) {
		Map<Long, String> versions = new ConcurrentHashMap<>();
		await("versions of workers " + workers).atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
			Response response = app.get("/version");
			assertThat(response.status()).as("%s", response).isEqualTo(200);
			if (workers.contains(response.pid())) {
				versions.put(response.pid(), field(response.body(), "deploy") + "/" + field(response.body(), "library"));
			}
			return versions.keySet().containsAll(workers);
		});
		return Set.copyOf(versions.values());
	}

	private static String field(String body, String name) {
		var matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
		assertThat(matcher.find()).as("%s in %s", name, body).isTrue();
		return matcher.group(1);
	}

	private CommandResult control(Path runDir, String command) throws IOException, InterruptedException {
		return this.processes.command("--supervisor.run-dir=" + runDir, command);
	}

	private static void awaitExited(Set<Long> pids) {
		SupervisedProcess.awaitExited(pids, TIMEOUT);
	}

	/** Extract the sample jar as Boot documents it: {@code app/sample-app.jar} and {@code app/lib/}. */
	private Path extract() throws IOException, InterruptedException {
		Path app = this.temp.resolve("app");
		CommandResult extract = this.processes.java(List.of("-Djarmode=tools", "-jar",
				ProcessFixture.sampleJar().toString()), "extract", "--destination", app.toString());
		assertThat(extract.exitCode()).as("extract: %s", extract.output()).isZero();
		assertThat(app.resolve("sample-app.jar")).exists();
		return app;
	}

	/**
	 * A new version of a library: {@code marker-<version>.jar} with a {@code library.properties} the sample shows,
	 * that makes the app fail to start when {@code failing}; the previous versions are removed.
	 */
	private static void library(Path directory, String version, boolean failing) throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			for (Path old : files.filter((f) -> f.getFileName().toString().startsWith("marker-")).toList()) {
				Files.delete(old);
			}
		}
		String properties = "info.library=" + version + "\n" + (failing ? "sample.fail-on-start=true\n" : "");
		Path jar = directory.resolve("marker-" + version + ".jar");
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
			write(out, "library.properties", ZipEntry.DEFLATED, properties.getBytes(StandardCharsets.UTF_8));
		}
	}

	/**
	 * Write a new version of a jar and move it into place: {@code info.deploy} in its application properties, a
	 * manifest {@code Class-Path} when given, and padding that moves every entry, as between two real builds.
	 */
	private static void rewriteJar(Path jar, String properties, String version, String classPath) throws IOException {
		Path next = jar.resolveSibling(jar.getFileName() + ".next");
		try (ZipFile in = new ZipFile(jar.toFile());
				ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(next))) {
			for (ZipEntry entry : Collections.list(in.entries())) {
				byte[] data = in.getInputStream(entry).readAllBytes();
				if (entry.getName().equals(properties)) {
					String text = new String(data, StandardCharsets.UTF_8).replaceAll("(?m)^info\\.deploy=.*$", "");
					data = (text + "\ninfo.deploy=" + version + "\n").getBytes(StandardCharsets.UTF_8);
				}
				if (entry.getName().equals("META-INF/MANIFEST.MF") && classPath != null) {
					Manifest manifest = new Manifest(new ByteArrayInputStream(data));
					manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
					ByteArrayOutputStream bytes = new ByteArrayOutputStream();
					manifest.write(bytes);
					data = bytes.toByteArray();
				}
				write(out, entry.getName(), entry.getMethod(), data);
				if (entry.getName().equals("META-INF/MANIFEST.MF")) {
					write(out, "META-INF/padding-" + version + ".txt", ZipEntry.STORED,
							"#".repeat(1000 + version.hashCode() % 1000).getBytes(StandardCharsets.UTF_8));
				}
			}
		}
		Files.move(next, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	private static Manifest manifest(Path jar) throws IOException {
		try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
			return file.getManifest();
		}
	}

	private static void write(ZipOutputStream out, String name, int method, byte[] data) throws IOException {
		ZipEntry entry = new ZipEntry(name);
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
	private interface Deploy {

		void to(String version, boolean failing) throws IOException;

	}

}
