package dev.bootsupervisor.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Any command line reaches every worker byte for byte: 300 JVM options and 300 application arguments, with
 * spaces, quotes, {@code =}, newlines, tabs and non-ASCII text, through the master's {@code execve} into its lean
 * JVM and on to each worker. {@code GET /launch} answers with the serving worker's own command line.
 */
@Order(18)
class CommandLineIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@Test
	void threeHundredOptionsAndThreeHundredArgumentsReachEveryWorkerByteForByte() throws Exception {
		List<String> options = new ArrayList<>();
		List<String> arguments = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			options.add("-Dbs.opt" + i + "=" + awkward(i));
			// half of them options Spring binds, half plain arguments
			arguments.add((i % 2 == 0) ? "--bs.arg" + i + "=" + awkward(i) : "plain " + awkward(i));
		}
		int port = ProcessFixture.freePort();
		SupervisedProcess app = this.processes.start(ProcessFixture.jar(), port, options, arguments);
		app.awaitReady(2);
		assertThat(app.output()).doesNotContain("too many fields", "malformed master spec");
		Map<Integer, Map<?, ?>> byWorker = new HashMap<>();
		await("a /launch answer from both workers").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> {
				Response response = app.get("/launch");
				assertThat(response.status()).isEqualTo(200);
				Map<?, ?> launch = JSON.readValue(response.body(), Map.class);
				byWorker.put(((Number) launch.get("worker")).intValue(), launch);
				return byWorker.size() == 2;
			});
		assertThat(byWorker).containsOnlyKeys(1, 2);
		for (Map<?, ?> launch : byWorker.values()) {
			List<?> jvmOptions = (List<?>) launch.get("jvmOptions");
			List<?> ours = jvmOptions.stream().filter((option) -> ((String) option).startsWith("-Dbs.")).toList();
			assertThat(ours).as("worker %s JVM options", launch.get("worker")).isEqualTo(options);
			List<?> args = (List<?>) launch.get("args");
			assertThat(args.get(0)).isEqualTo("--server.port=" + port);
			assertThat(args.subList(1, 301)).as("worker %s arguments", launch.get("worker")).isEqualTo(arguments);
			assertThat(app.workerPids()).contains(((Number) launch.get("pid")).longValue());
		}
	}

	@Test
	void aJarWhosePathHasSpacesStartsAndAMisspelledPropertyOnlyWarns() throws Exception {
		Path directory = Files.createDirectories(this.processes.tempDirectory().resolve("sp dir"));
		Path jar = Files.copy(ProcessFixture.sampleJar(), directory.resolve("my app.jar"));
		SupervisedProcess app = this.processes.startJar(jar, "--supervisor.workers=1", "--supervisor.wrokers=3");
		app.awaitOutput("Boot Supervisor: Unknown property supervisor\\.wrokers: did you mean supervisor\\.workers\\?",
				Duration.ofSeconds(60));
		app.awaitReady(1);
		assertThat(app.get("/launch").status()).isEqualTo(200);
		assertThat(app.output()).doesNotContain("Could not find or load main class");
		app.signal("TERM");
		assertThat(app.awaitExit(Duration.ofSeconds(60))).as(app.describe()).isZero();
	}

	/** Spaces, quotes, '=', newlines, tabs, shell metacharacters and non-ASCII text. */
	private static String awkward(int i) {
		return switch (i % 6) {
			case 0 -> "a value with spaces " + i;
			case 1 -> "\"double\" and 'single' quotes=" + i;
			case 2 -> "line one\nline two\r\nline three " + i;
			case 3 -> "tab\there\tand=equals=" + i;
			case 4 -> "grüße, 日本語, emoji \uD83D\uDE00 " + i;
			default -> "back\\slash $HOME `x` ; | & " + i;
		};
	}

}
