package dev.bootsupervisor.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of canary reloads on one cluster of the real sample jar: a good new version passes its canary
 * and rolls through under load with no failed request; a version that answers 5xx on a share of requests, then one
 * that answers slowly, are each caught by their canary, drained and rolled back, the old version answering every
 * request afterwards; the reload history says what happened. A new version is the sample's {@code sample.faults.*}
 * in a properties file that new workers read at their start.
 */
@Order(2)
class CanaryIntegrationTests {

	private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@TempDir
	Path temp;

	@Test
	void aGoodVersionPassesItsCanaryAndABadOrSlowOneIsRolledBack() throws Exception {
		Path config = Files.createDirectories(this.temp.resolve("config"));
		Path runDir = this.temp.resolve("run");
		SupervisedProcess app = this.processes.start("--supervisor.workers=2", "--supervisor.run-dir=" + runDir,
				"--spring.config.additional-location=optional:file:" + config + "/",
				"--supervisor.reload.canary-period=6s", "--supervisor.reload.canary-latency-margin=100ms",
				// a slow canary holds each client it answers for longer, so it answers fewer requests: 20 are
				// enough to judge a 400 ms slowdown
				"--supervisor.reload.canary-min-requests=20");
		app.awaitReady(2);
		// a good version: every request of a client load answered, the canary judged on its figures
		Set<Long> first = app.workerPids();
		ClientLoad.Result load;
		CommandResult good;
		try (ClientLoad running = ClientLoad.start(app)) {
			good = command(runDir, "--supervisor.command=reload");
			SupervisedProcess.awaitExited(first, Duration.ofSeconds(60));
			load = running.stop();
		}
		assertThat(good.exitCode()).as("exit code of %s", good).isZero();
		load.assertNoFailedRequest(app);
		app.awaitOutput("Canary passed, the reload goes on: canary worker \\d: passed", Duration.ofSeconds(5));
		Set<Long> second = app.workerPids();
		assertThat(SupervisedProcess.generations(app.awaitSettled(2))).containsOnly(2);

		// a bad version: 30% of GET / answer 500
		Files.writeString(config.resolve("application.properties"), "sample.faults.error-percent=30\n");
		CommandResult bad = reloadUnderTraffic(app, runDir);
		assertThat(bad.exitCode()).as("exit code of %s", bad).isEqualTo(1);
		assertThat(bad.output()).containsPattern(
				"Reload failed: reload failed and was rolled back: canary worker \\d: \\d+\\.\\d% 5xx against 0\\.0% on "
						+ "the old workers over \\d+(\\.\\d)? s \\(\\d+ requests\\)");
		assertOldVersionServes(app, second);

		// a slow version: 400 ms more on every GET /
		Files.writeString(config.resolve("application.properties"), "sample.faults.latency=400ms\n");
		CommandResult slow = reloadUnderTraffic(app, runDir);
		assertThat(slow.exitCode()).as("exit code of %s", slow).isEqualTo(1);
		assertThat(slow.output()).containsPattern("canary worker \\d: p99 \\d+ ms against \\d+(\\.\\d)? ms on the old "
				+ "workers in the second half over \\d+(\\.\\d)? s \\(\\d+ requests\\), more than canary-max-latency-ratio=2");
		assertOldVersionServes(app, second);

		// what an operator sees at 3 a.m.
		CommandResult status = command(runDir, "--supervisor.command=status", "--supervisor.format=json");
		DocumentContext json = JsonPath.parse(status.stdout());
		List<String> outcomes = json.read("$.reloadHistory[*].outcome");
		assertThat(outcomes).containsExactly("succeeded", "canary-failed", "canary-failed");
		List<Boolean> passed = json.read("$.reloadHistory[*].canary.passed");
		assertThat(passed).containsExactly(true, false, false);
		List<String> versions = json.read("$.reloadHistory[*].version");
		assertThat(versions).allMatch((version) -> version.matches("sha256:[0-9a-f]{12}"));
		CommandResult text = command(runDir, "--supervisor.command=status");
		assertThat(text.output()).contains("reloads (latest last):").contains("canary-failed");
		String endpoint = app.get("/actuator/supervisor").body();
		assertThat(JsonPath.parse(endpoint).<List<String>>read("$.master.reloadHistory[*].outcome"))
			.containsExactly("succeeded", "canary-failed", "canary-failed");
	}

	/**
	 * Reload while clients keep asking, so that the canary has requests to be judged on: enough of them that a slow
	 * canary, which holds each client it answers for longer, still answers more than the minimum.
	 */
	private CommandResult reloadUnderTraffic(SupervisedProcess app, Path runDir) throws Exception {
		try (ClientLoad running = ClientLoad.start(app, 8, 0)) {
			CommandResult result = command(runDir, "--supervisor.command=reload");
			running.stop();
			return result;
		}
	}

	/** Once a failed canary's reload answered, every new request reaches the old version only. */
	private static void assertOldVersionServes(SupervisedProcess app, Set<Long> workers) throws Exception {
		for (int request = 1; request <= 40; request++) {
			SupervisedProcess.Response response = app.get("/");
			assertThat(response.status()).as("request %d after the rollback: %s", request, response).isEqualTo(200);
			assertThat(workers).as("request %d after the rollback: %s", request, response).contains(response.pid());
		}
		// the canary drains and exits; no other worker was started or stopped
		await("the canary's exit").atMost(Duration.ofSeconds(60)).until(() -> app.workerPids().equals(workers));
	}

	private CommandResult command(Path runDir, String... args) throws Exception {
		String[] all = new String[args.length + 1];
		all[0] = "--supervisor.run-dir=" + runDir;
		System.arraycopy(args, 0, all, 1, args.length);
		return this.processes.startCommand(all).finish(COMMAND_TIMEOUT);
	}

}
