package dev.bootsupervisor.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's dependency snippet, pasted unchanged into the pom of a new Boot app with a team's usual production
 * dependencies (actuator, Prometheus, Spring Security, JDBC with H2), builds and runs supervised: both workers serve,
 * one anonymous scrape holds both workers' series (their connection pools among them), the secured write operation
 * refuses an anonymous scale and answers an admin's out-of-range one with 400, the leader names the
 * {@code @Scheduled} method that runs in every worker once, and a {@code TERM} stops it all without a warning or a
 * stack trace. The reactor's artifacts (parent pom, auto-configuration jar, starter jar) are installed, as
 * {@code mvn install} lays them out, into a temporary local repository; everything else comes from the build's own
 * local repository (as a file repository) or Maven Central. Nothing is installed into the user's local repository.
 */
@Order(19)
class FreshAppIntegrationTests {

	private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

	private static final String SCALE_TO_ZERO = "{\"action\":\"scale\",\"workers\":0}";

	private static final String SCHEDULED_REPORT = "1 @Scheduled method runs in each of the 2 workers, not only in the "
			+ "leader: com.example.fresh.FreshApplication.tick(). Annotate a method with "
			+ "@dev.bootsupervisor.cluster.LeaderOnly to run it in the leader only.";

	/** The workers whose samples of a family a scrape holds: group 1 is the worker id. */
	private static final String WORKER_SAMPLES = "(?m)^%s\\{[^}]*worker=\"(\\d+)\"[^}]*} ";

	/** A warning or an error logged by the supervisor, its logger abbreviated or not ({@code d.b.h.X}). */
	private static final Pattern SUPERVISOR_WARNING = Pattern
		.compile("(?m)^\\S+\\s+(?:WARN|ERROR) .*\\] d(?:ev)?\\.b(?:ootsupervisor)?\\.\\S*\\s+: .*$");

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
	void theReadmeSnippetInATeamsAppRunsSupervised() throws Exception {
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
		// Class-data archives of its own, as a team's app has (in its run directory): in the suite's shared directory,
		// an archive of this jar, new at every build, would remove the archives of the sample apps not running then
		String archives = "--supervisor.cds.dir=" + this.processes.tempDirectory().resolve("cds");
		SupervisedProcess process = this.processes.start(jar, ProcessFixture.freePort(), List.of(), List.of(archives));
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

		// Anonymous, as Prometheus scrapes: every worker's series, the connection pools' among them
		String scrape = await("a scrape holding both workers' connection pools").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> process.get("/actuator/prometheus"), (response) -> response.status() == 200
					&& workersOf("hikaricp_connections_active", response.body()).equals(Set.of(1, 2)))
			.body();
		assertThat(workersOf("jvm_memory_used_bytes", scrape)).containsExactlyInAnyOrder(1, 2);
		assertThat(workersOf("hikaricp_connections_max", scrape)).containsExactlyInAnyOrder(1, 2);
		assertThat(scrape).contains("supervisor_scrape_workers{outcome=\"answered\"} 2.0");
		assertThat(scrape.lines().filter((line) -> line.startsWith("# TYPE ")).map((line) -> line.split(" ")[2]))
			.as("the families of the scrape, one # TYPE each")
			.contains("jvm_memory_used_bytes", "hikaricp_connections_active")
			.doesNotHaveDuplicates();

		// The write operation, as the app's security lets through: anonymous refused, an admin's scale checked
		Response anonymous = process.post("/actuator/supervisor", SCALE_TO_ZERO);
		assertThat(anonymous.status()).as("anonymous scale: %s", anonymous).isEqualTo(401);
		HttpResponse<String> admin = postAsAdmin(process.port(), "/actuator/supervisor", SCALE_TO_ZERO);
		assertThat(admin.statusCode()).as("admin's scale to 0 workers: %s", admin.body()).isEqualTo(400);
		assertThat(SupervisedProcess.pids(process.awaitSettled(2))).as("workers after the refused scales")
			.containsExactlyInAnyOrderElementsOf(workers);
		assertThat(process.workerPids()).isEqualTo(workers);

		process.awaitOutput(Pattern.quote(SCHEDULED_REPORT), Duration.ofSeconds(30));

		int stopFrom = process.output().length();
		process.signal("TERM");
		assertThat(process.awaitExit(Duration.ofSeconds(60))).isZero();
		process.awaitAllExited(Duration.ofSeconds(30));
		String stop = process.output(stopFrom);
		assertThat(stop).containsPattern("\\[master\\] \\S+\\s+: Stopping fresh-app \\(SIGTERM received\\)")
			.containsPattern("\\[master\\] \\S+\\s+: fresh-app stopped \\(exit code 0\\)");
		for (long worker : workers) {
			assertThat(stop).contains("(pid " + worker + ", generation 1): draining -> stopped (stopped, exit code 0)");
		}
		assertThat(stop.lines().filter((line) -> line.startsWith("\tat ") || line.contains("HikariDataSource")
				&& line.contains("closed")))
			.as("stack traces and closed pools from the stop on")
			.isEmpty();
		assertThat(Pattern.compile(Pattern.quote(SCHEDULED_REPORT)).matcher(process.output()).results().count())
			.as("the leader's report of the @Scheduled methods, in the whole output")
			.isOne();
		assertThat(SUPERVISOR_WARNING.matcher(stop).results().map(MatchResult::group))
			.as("the supervisor's warnings and errors from the stop on").isEmpty();
	}

	/** The ids in the {@code worker} tag of the samples of a family. */
	private static Set<Integer> workersOf(String family, String scrape) {
		return Pattern.compile(WORKER_SAMPLES.formatted(Pattern.quote(family)))
			.matcher(scrape)
			.results()
			.map((sample) -> Integer.parseInt(sample.group(1)))
			.collect(Collectors.toSet());
	}

	/** A JSON POST with the in-memory admin's credentials, on a new connection closed after the response. */
	private static HttpResponse<String> postAsAdmin(int port, String path, String json)
			throws IOException, InterruptedException {
		String credentials = Base64.getEncoder().encodeToString("admin:admin-secret".getBytes(StandardCharsets.UTF_8));
		// Made here, not in a field: "Connection: close" is allowed once the harness is loaded
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Connection", "close")
			.header("Content-Type", "application/json")
			.header("Authorization", "Basic " + credentials)
			.timeout(Duration.ofSeconds(60))
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
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
				    <dependency>
				      <groupId>org.springframework.boot</groupId>
				      <artifactId>spring-boot-starter-actuator</artifactId>
				    </dependency>
				    <dependency>
				      <groupId>io.micrometer</groupId>
				      <artifactId>micrometer-registry-prometheus</artifactId>
				    </dependency>
				    <dependency>
				      <groupId>org.springframework.boot</groupId>
				      <artifactId>spring-boot-starter-security</artifactId>
				    </dependency>
				    <dependency>
				      <groupId>org.springframework.boot</groupId>
				      <artifactId>spring-boot-starter-jdbc</artifactId>
				    </dependency>
				    <dependency>
				      <groupId>com.h2database</groupId>
				      <artifactId>h2</artifactId>
				      <scope>runtime</scope>
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
		Path resources = Files.createDirectories(app.resolve("src/main/resources"));
		// In memory: each worker has a database of its own, none shares a file
		Files.writeString(resources.resolve("application.properties"), """
				spring.application.name=fresh-app
				spring.datasource.url=jdbc:h2:mem:fresh
				management.endpoints.web.exposure.include=health,prometheus,supervisor
				management.endpoint.supervisor.access=unrestricted
				""");
		Path source = Files.createDirectories(app.resolve("src/main/java/com/example/fresh"));
		Files.writeString(source.resolve("FreshApplication.java"), """
				package com.example.fresh;

				import java.util.Map;

				import org.springframework.boot.SpringApplication;
				import org.springframework.boot.autoconfigure.SpringBootApplication;
				import org.springframework.jdbc.core.JdbcTemplate;
				import org.springframework.scheduling.annotation.EnableScheduling;
				import org.springframework.scheduling.annotation.Scheduled;
				import org.springframework.web.bind.annotation.GetMapping;
				import org.springframework.web.bind.annotation.RestController;

				@SpringBootApplication
				@EnableScheduling
				@RestController
				public class FreshApplication {

					private final JdbcTemplate jdbc;

					FreshApplication(JdbcTemplate jdbc) {
						this.jdbc = jdbc;
					}

					@GetMapping("/")
					Map<String, Long> pid() {
						return Map.of("pid", ProcessHandle.current().pid());
					}

					@Scheduled(fixedDelay = 60000)
					void tick() {
						this.jdbc.queryForObject("SELECT 1", Integer.class);
					}

					public static void main(String[] args) {
						SpringApplication.run(FreshApplication.class, args);
					}

				}
				""");
		Files.writeString(source.resolve("SecurityConfiguration.java"), """
				package com.example.fresh;

				import org.springframework.context.annotation.Bean;
				import org.springframework.context.annotation.Configuration;
				import org.springframework.http.HttpMethod;
				import org.springframework.security.config.Customizer;
				import org.springframework.security.config.annotation.web.builders.HttpSecurity;
				import org.springframework.security.core.userdetails.User;
				import org.springframework.security.provisioning.InMemoryUserDetailsManager;
				import org.springframework.security.web.SecurityFilterChain;

				@Configuration(proxyBeanMethods = false)
				class SecurityConfiguration {

					@Bean
					SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
						http.authorizeHttpRequests((requests) -> requests
							.requestMatchers(HttpMethod.GET, "/actuator/health/**", "/actuator/prometheus",
									"/actuator/supervisor").permitAll()
							.requestMatchers(HttpMethod.POST, "/actuator/supervisor").hasRole("ADMIN")
							.requestMatchers("/").permitAll()
							.anyRequest().authenticated());
						http.httpBasic(Customizer.withDefaults());
						http.csrf((csrf) -> csrf.ignoringRequestMatchers("/actuator/**"));
						return http.build();
					}

					@Bean
					InMemoryUserDetailsManager users() {
						return new InMemoryUserDetailsManager(
								User.withUsername("admin").password("{noop}admin-secret").roles("ADMIN").build());
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
