package dev.bootsupervisor.sample;

import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of a running cluster: its workers share the port, a killed worker is replaced while the
 * others keep serving, and a worker gets no request before it is ready.
 */
@Order(5)
class ClusterIntegrationTests {

	/** A log timestamp (Spring Boot's default ISO-8601 format) followed, on the same line, by the message. */
	private static final String TIMESTAMPED = "(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+"
			+ "(?:Z|[+-]\\d\\d:\\d\\d)).*";

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.bootsupervisor.sample.ProcessFixture#servers")
	void everyWorkerServesTheSharedPort(String server) throws Exception {
		this.processes.onServer(server);
		SupervisedProcess app = this.processes.start("--supervisor.workers=2");
		app.awaitReady(2);
		Set<Long> workers = app.workerPids();
		assertThat(workers).hasSize(2).doesNotContain(app.pid());
		Map<Long, Integer> served = app.serveUntilSeen(workers);
		assertThat(served).containsOnlyKeys(workers);
		assertThat(served.values()).containsExactlyInAnyOrder(1, 2);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.bootsupervisor.sample.ProcessFixture#servers")
	void killedWorkerIsReplacedWhileTheOtherKeepsServing(String server) throws Exception {
		this.processes.onServer(server);
		SupervisedProcess app = this.processes.start("--supervisor.workers=2");
		app.awaitReady(2);
		Set<Long> workers = app.workerPids();
		Map<Long, Integer> served = app.serveUntilSeen(workers);
		long victim = workers.iterator().next();
		long survivor = workers.stream().filter((pid) -> pid != victim).findFirst().orElseThrow();
		SupervisedProcess.signal(victim, "KILL");
		await("death of worker " + victim).atMost(Duration.ofSeconds(10))
			.until(() -> !SupervisedProcess.isAlive(victim));
		List<Response> responses = new ArrayList<>();
		// Backoff of 1 s plus a worker's startup (5-10 s on two idle cores), with room for a loaded machine.
		await("a new worker answering").atMost(Duration.ofSeconds(45))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> {
				Response response = app.get("/");
				responses.add(response);
				assertThat(response.status()).as("response %s", response).isEqualTo(200);
				return !workers.contains(response.pid());
			});
		Response replacement = responses.remove(responses.size() - 1);
		assertThat(responses).as("responses while the killed worker was being replaced").isNotEmpty()
			.allSatisfy((response) -> assertThat(response.pid()).isEqualTo(survivor));
		assertThat(replacement.pid()).isNotEqualTo(victim);
		assertThat(replacement.worker()).isEqualTo(served.get(victim));
		assertThat(app.workerPids()).containsExactlyInAnyOrder(survivor, replacement.pid());
		app.awaitOutput("Worker " + replacement.worker() + " \\(pid " + replacement.pid() + ", generation \\d+\\): ",
				Duration.ofSeconds(5));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.bootsupervisor.sample.ProcessFixture#servers")
	void workerReceivesNoRequestBeforeItIsReady(String server) throws Exception {
		this.processes.onServer(server);
		int port = ProcessFixture.freePort();
		SupervisedProcess app = this.processes.start(port, "--supervisor.workers=1", "--sample.startup-delay=5s");
		// The master listens on the port long before its worker is up: connect as early as possible.
		await("master listening on " + port).atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(() -> {
				try (Socket socket = new Socket("127.0.0.1", port)) {
					return true;
				}
			});
		Instant sent = Instant.now();
		CompletableFuture<Response> pending = app.getAsync("/");
		Instant delayStarted = logTime(app, "Startup delay of 5000 ms started");
		Instant delayFinished = logTime(app, "Startup delay finished");
		Response response = pending.get(30, TimeUnit.SECONDS);
		assertThat(sent).as("request sent before the worker's startup runner began").isBefore(delayStarted);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.worker()).isEqualTo(1);
		assertThat(response.receivedAt()).as("response after the worker's startup runner finished")
			.isAfter(delayFinished);
		app.awaitReady(1);
	}

	private static Instant logTime(SupervisedProcess app, String message) {
		String timestamp = app.awaitOutput(TIMESTAMPED + message, Duration.ofSeconds(60)).group(1);
		return OffsetDateTime.parse(timestamp).toInstant();
	}

}
