package dev.bootsupervisor.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's dependency snippet, pasted unchanged into the pom of a new Boot app, builds and runs supervised.
 * The reactor's artifacts (parent pom, auto-configuration jar, starter jar) are installed, as {@code mvn install}
 * lays them out, into a temporary local repository; everything else comes from the build's own local repository
 * (as a file repository) or Maven Central. Nothing is installed into the user's local repository.
 */
@Order(19)
class FreshAppIntegrationTests {

	private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	private final Set<ProcessHandle> builds = ConcurrentHashMap.newKeySet();

	private Path work;

	@AfterEach
	void cleanUp() throws IOException {
		this.builds.forEach((build) -> build.descendants().forEach(ProcessHandle::destroyForcibly));
		this.builds.forEach(ProcessHandle::destroyForcibly);
		if (this.work != null) {
			try (Stream<Path> paths = Files.walk(this.work)) {
				paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
	}

	@Test
	void theReadmeSnippetBuildsAndRunsSupervised() throws Exception {
		Path root = Path.of(property("bootsupervisor.root")).toAbsolutePath().normalize();
		String version = property("bootsupervisor.version");
		this.work = Files.createTempDirectory("boot-supervisor-fresh-app-");
		Path repository = this.work.resolve("repository");
		install(repository, "boot-supervisor-parent", version, root.resolve("pom.xml"), null);
		install(repository, "supervisor-autoconfigure", version, root.resolve("supervisor-autoconfigure/pom.xml"),
				root.resolve("supervisor-autoconfigure/target/supervisor-autoconfigure-" + version + ".jar"));
		install(repository, "supervisor-starter", version, root.resolve("supervisor-starter/pom.xml"),
				root.resolve("supervisor-starter/target/supervisor-starter-" + version + ".jar"));
		Path app = this.work.resolve("fresh-app");
		writeApp(app, bootVersion(root.resolve("pom.xml")), readmeSnippet(root.resolve("README.md")));
		Path settings = this.work.resolve("settings.xml");
		Files.writeString(settings, settings(Path.of(property("maven.local.repository"))));
		build(app, repository, settings);

		Path jar = app.resolve("target/fresh-app.jar");
		try (JarFile contents = new JarFile(jar.toFile())) {
			assertThat(contents.getEntry("BOOT-INF/lib/supervisor-starter-" + version + ".jar")).isNotNull();
			assertThat(contents.getEntry("BOOT-INF/lib/supervisor-autoconfigure-" + version + ".jar")).isNotNull();
		}
		SupervisedProcess process = this.processes.start(jar, ProcessFixture.freePort(), List.of(), List.of());
		process.awaitReady(2);
		Set<Long> workers = process.workerPids();
		assertThat(workers).hasSize(2);
		Set<Long> served = ConcurrentHashMap.newKeySet();
		await("both workers answering").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> {
				served.add(process.get("/").pid());
				return served.containsAll(workers);
			});
		process.signal("TERM");
		assertThat(process.awaitExit(Duration.ofSeconds(60))).isZero();
		process.awaitAllExited(Duration.ofSeconds(30));
	}

	/** The first XML block of the README's "Use it in your app" section, unchanged. */
	private static String readmeSnippet(Path readme) throws IOException {
		String text = Files.readString(readme);
		int section = text.indexOf("## Use it in your app");
		assertThat(section).as("README section 'Use it in your app'").isNotNegative();
		Matcher block = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL).matcher(text);
		assertThat(block.find(section)).as("an xml block in 'Use it in your app'").isTrue();
		String snippet = block.group(1);
		assertThat(snippet).contains("<artifactId>supervisor-starter</artifactId>").doesNotContain("<type>");
		return snippet;
	}

	private static void install(Path repository, String artifactId, String version, Path pom, Path jar)
			throws IOException {
		Path directory = Files.createDirectories(
				repository.resolve("dev/bootsupervisor").resolve(artifactId).resolve(version));
		Files.copy(pom, directory.resolve(artifactId + "-" + version + ".pom"));
		if (jar != null) {
			assertThat(jar).as("the reactor's " + artifactId + " jar (run a root build: mvn verify)").isRegularFile();
			Files.copy(jar, directory.resolve(artifactId + "-" + version + ".jar"));
		}
	}

	/** The Spring Boot version this repository builds with: its parent, spring-boot-starter-parent. */
	private static String bootVersion(Path pom) throws IOException {
		Matcher parent = Pattern
			.compile("<artifactId>spring-boot-starter-parent</artifactId>\\s*<version>([^<]+)</version>")
			.matcher(Files.readString(pom));
		assertThat(parent.find()).as("spring-boot-starter-parent in " + pom).isTrue();
		return parent.group(1);
	}

	private static void writeApp(Path app, String bootVersion, String snippet) throws IOException {
		Files.writeString(Files.createDirectories(app).resolve("pom.xml"), """
				<?xml version="1.0" encoding="UTF-8"?>
				<project xmlns="http://maven.apache.org/POM/4.0.0"
				         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
				         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
				  <modelVersion>4.0.0</modelVersion>
				  <parent>
				    <groupId>org.springframework.boot</groupId>
				    <artifactId>spring-boot-starter-parent</artifactId>
				    <version>%s</version>
				    <relativePath/>
				  </parent>
				  <groupId>com.example</groupId>
				  <artifactId>fresh-app</artifactId>
				  <version>1.0.0</version>
				  <properties>
				    <java.version>17</java.version>
				  </properties>
				  <dependencies>
				    <dependency>
				      <groupId>org.springframework.boot</groupId>
				      <artifactId>spring-boot-starter-webmvc</artifactId>
				    </dependency>
				%s  </dependencies>
				  <build>
				    <finalName>fresh-app</finalName>
				    <plugins>
				      <plugin>
				        <groupId>org.springframework.boot</groupId>
				        <artifactId>spring-boot-maven-plugin</artifactId>
				      </plugin>
				    </plugins>
				  </build>
				</project>
				""".formatted(bootVersion, snippet));
		Path source = Files.createDirectories(app.resolve("src/main/java/com/example/fresh"));
		Files.writeString(source.resolve("FreshApplication.java"), """
				package com.example.fresh;

				import java.util.Map;

				import org.springframework.boot.SpringApplication;
				import org.springframework.boot.autoconfigure.SpringBootApplication;
				import org.springframework.web.bind.annotation.GetMapping;
				import org.springframework.web.bind.annotation.RestController;

				@SpringBootApplication
				@RestController
				public class FreshApplication {

					@GetMapping("/")
					Map<String, Long> pid() {
						return Map.of("pid", ProcessHandle.current().pid());
					}

					public static void main(String[] args) {
						SpringApplication.run(FreshApplication.class, args);
					}

				}
				""");
	}

	/** Maven settings: the build's own local repository first, as a file repository, then Maven Central. */
	private static String settings(Path localRepository) {
		String url = localRepository.toAbsolutePath().toUri().toString();
		String repository = """
				<id>build-cache</id><url>%s</url>
				<releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots>
				""".formatted(url);
		return """
				<settings>
				  <profiles>
				    <profile>
				      <id>build-cache</id>
				      <repositories><repository>%s</repository></repositories>
				      <pluginRepositories><pluginRepository>%s</pluginRepository></pluginRepositories>
				    </profile>
				  </profiles>
				  <activeProfiles><activeProfile>build-cache</activeProfile></activeProfiles>
				</settings>
				""".formatted(repository, repository);
	}

	private void build(Path app, Path repository, Path settings) throws Exception {
		Path mavenHome = Path.of(property("maven.home"));
		List<String> command = new ArrayList<>(List.of(mavenHome.resolve("bin/mvn").toString(), "-B", "-q", "-gs",
				settings.toString(), "-Dmaven.repo.local=" + repository, "-DskipTests", "package"));
		Path log = Path.of("target", "it-logs", "FreshAppIntegrationTests-build.log").toAbsolutePath();
		Files.createDirectories(log.getParent());
		Process build = new ProcessBuilder(command).directory(app.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		this.builds.add(build.toHandle());
		boolean finished = build.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		assertThat(finished).as("the fresh app's build finished within " + BUILD_TIMEOUT + ", see " + log).isTrue();
		assertThat(build.exitValue()).as("the fresh app's build: " + String.join(" ", command) + "\n"
				+ Files.readString(log)).isZero();
	}

	private static String property(String name) {
		String value = System.getProperty(name);
		assertThat(value).as("system property " + name + " (set by failsafe in sample-app/pom.xml)").isNotNull();
		return value;
	}

}
