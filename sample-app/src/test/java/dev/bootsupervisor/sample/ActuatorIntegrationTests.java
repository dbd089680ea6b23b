package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.DocumentContext;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of the actuator view of a cluster: the {@code supervisor} endpoint shows the whole cluster
 * whichever worker answers, readiness holds while a worker restarts, and a draining worker is out of service (the
 * supervisor meters in Prometheus are {@link MetricsIntegrationTests}').
 */
@Order(6)
class ActuatorIntegrationTests {

	/** Worker fields that change from one view to the next even when nothing happens. */
	private static final Set<String> MOVING_FIELDS = Set.of("uptime", "heap");

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@TempDir
	Path runDir;

	@Test
	void supervisorEndpointShowsEveryWorkerWhicheverWorkerAnswers() throws Exception {
		SupervisedProcess app = start();
		app.awaitReady(2);
		Set<Long> workers = app.workerPids();
		Map<Long, DocumentContext> byServingPid = new HashMap<>();
		// Health reaches the master with the next heartbeat after a worker is ready: wait until both report UP
		await("the cluster view from both workers").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> {
				DocumentContext cluster = app.cluster();
				if (cluster.<List<String>>read("$.workers[*].health").equals(List.of("UP", "UP"))) {
					byServingPid.put(cluster.read("$.servedBy.pid", Long.class), cluster);
				}
				return byServingPid.keySet().equals(workers);
			});
		for (DocumentContext cluster : byServingPid.values()) {
			assertThat(cluster.read("$.master.pid", Long.class)).isEqualTo(app.pid());
			assertThat(cluster.<String>read("$.master.name")).isEqualTo("sample-app");
			assertThat(cluster.<Integer>read("$.master.port")).isEqualTo(app.port());
			assertThat(cluster.<Integer>read("$.master.configuredWorkers")).isEqualTo(2);
			assertThat(cluster.<Integer>read("$.master.liveWorkers")).isEqualTo(2);
			assertThat(cluster.<List<Integer>>read("$.workers[*].id")).containsExactly(1, 2);
			assertThat(cluster.<List<Number>>read("$.workers[*].pid")).map(Number::longValue)
				.containsExactlyInAnyOrderElementsOf(workers);
			assertThat(cluster.<List<String>>read("$.workers[*].state")).containsOnly("ready");
			assertThat(cluster.<List<Boolean>>read("$.workers[*].ready")).containsOnly(true);
			assertThat(cluster.<List<Integer>>read("$.workers[*].restarts")).containsOnly(0);
			assertThat(cluster.<List<Object>>read("$.workers[*].heap.used")).hasSize(2);
		}
		List<List<Map<String, Object>>> workerLists = byServingPid.values().stream().map(this::workersAtRest).toList();
		assertThat(workerLists.get(0)).as("workers as seen from both workers").isEqualTo(workerLists.get(1));
		// Without management.endpoint.supervisor.access=unrestricted the write operation is not mapped at all
		Response reload = app.post("/actuator/supervisor", "{\"action\":\"reload\"}");
		assertThat(reload.status()).as("%s", reload).isEqualTo(405);
		assertThat(app.workerPids()).as("no worker was reloaded").isEqualTo(workers);
		assertThat(app.output()).doesNotContain("Rolling reload of");
	}

	@Test
	void supervisorEndpointShowsTheRestartOfAKilledWorker() throws Exception {
		// a backoff long enough to see the slot wait for its restart, whatever the machine's load
		SupervisedProcess app = this.processes.start("--supervisor.workers=2", "--supervisor.run-dir=" + this.runDir,
				"--supervisor.restart.backoff-initial=2s");
		app.awaitReady(2);
		long victim = app.cluster().read("$.workers[0].pid", Long.class);
		SupervisedProcess.signal(victim, "KILL");
		await("death of worker " + victim).atMost(Duration.ofSeconds(10))
			.until(() -> !SupervisedProcess.isAlive(victim));
		List<String> states = new ArrayList<>();
		DocumentContext waiting = await("worker 1 restarting in the cluster view").atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(50))
			.until(app::cluster, (view) -> states.add(view.read("$.workers[0].state", String.class))
					&& "restarting".equals(view.read("$.workers[0].state", String.class)));
		assertThat(waiting.<Number>read("$.workers[0].pid").longValue()).isEqualTo(victim);
		assertThat(waiting.<String>read("$.workers[0].restartAt")).as("when it restarts").isNotBlank();
		DocumentContext cluster = await("the restart of worker 1 in the cluster view").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(app::cluster, (view) -> states.add(view.read("$.workers[0].state", String.class))
					&& view.read("$.workers[0].ready", Boolean.class)
					&& view.read("$.workers[0].pid", Long.class) != victim);
		assertThat(states).as("states of slot 1 after a single crash").doesNotContain("failed");
		assertThat(cluster.<Map<String, Object>>read("$.workers[0]")).doesNotContainKey("restartAt");
		assertThat(cluster.<Integer>read("$.workers[0].id")).isEqualTo(1);
		assertThat(cluster.<Integer>read("$.workers[0].restarts")).isEqualTo(1);
		assertThat(cluster.<Integer>read("$.workers[0].generation")).isEqualTo(2);
		assertThat(cluster.<String>read("$.workers[0].lastExit.signal")).isEqualTo("KILL");
		assertThat(cluster.<String>read("$.workers[0].lastExit.at")).isNotBlank();
		assertThat(cluster.<String>read("$.workers[0].lastExit.reason")).isNotBlank();
		assertThat(cluster.<Integer>read("$.master.restarts.crash")).isEqualTo(1);
		assertThat(cluster.<Integer>read("$.workers[1].restarts")).isZero();
		assertThat(cluster.<Map<String, Object>>read("$.workers[1]")).doesNotContainKey("lastExit");
		assertThat(app.workerPids()).contains(cluster.read("$.workers[0].pid", Long.class));
	}

	@Test
	void readinessStaysUpWhileOneOfTwoWorkersRestarts() throws Exception {
		SupervisedProcess app = start();
		app.awaitReady(2);
		Set<Long> workers = app.workerPids();
		long victim = workers.iterator().next();
		SupervisedProcess.signal(victim, "KILL");
		await("death of worker " + victim).atMost(Duration.ofSeconds(10))
			.until(() -> !SupervisedProcess.isAlive(victim));
		List<Response> readiness = new ArrayList<>();
		await("a replacement worker ready").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> {
				readiness.add(app.get("/actuator/health/readiness"));
				return app.workerPids().size() == 2 && !app.workerPids().contains(victim)
						&& app.cluster().<List<Boolean>>read("$.workers[*].ready").equals(List.of(true, true));
			});
		assertThat(readiness).as("readiness responses while a worker restarted").hasSizeGreaterThan(5)
			.allSatisfy((response) -> {
				assertThat(response.status()).as("%s", response).isEqualTo(200);
				assertThat(response.body()).contains("\"UP\"");
			});
		Response liveness = app.get("/actuator/health/liveness");
		assertThat(liveness.status()).isEqualTo(200);
		assertThat(liveness.body()).doesNotContain("supervisor");
	}

	@Test
	void drainingWorkerAnswersReadinessOutOfService() throws Exception {
		SupervisedProcess app = start();
		app.awaitReady(2);
		try (Socket socket = new Socket("127.0.0.1", app.port())) {
			socket.setSoTimeout(30_000);
			RawResponse first = exchange(socket, "/");
			assertThat(first.status()).isEqualTo(200);
			long pid = Long.parseLong(first.field("pid"));
			SupervisedProcess.signal(pid, "TERM");
			app.awaitOutput("Worker \\d+ \\(pid " + pid + ".*draining", Duration.ofSeconds(10));
			// The same connection, still open: this worker keeps serving it while it drains
			RawResponse readiness = exchange(socket, "/actuator/health/readiness");
			assertThat(readiness.status()).isEqualTo(503);
			assertThat(readiness.body()).contains("\"OUT_OF_SERVICE\"");
		}
	}

	/**
	 * Start 2 workers, with a run directory of their own, so that this test runs beside other runs of the app.
	 */
	private SupervisedProcess start() throws IOException {
		return this.processes.start("--supervisor.workers=2", "--supervisor.run-dir=" + this.runDir);
	}

	private List<Map<String, Object>> workersAtRest(DocumentContext cluster) {
		List<Map<String, Object>> workers = new ArrayList<>();
		for (Map<String, Object> worker : cluster.<List<Map<String, Object>>>read("$.workers")) {
			Map<String, Object> copy = new LinkedHashMap<>(worker);
			copy.keySet().removeAll(MOVING_FIELDS);
			workers.add(copy);
		}
		return workers;
	}


	/**
	 * Send a GET on an open keep-alive connection and read its response.
	 */
	private static RawResponse exchange(Socket socket, String path) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		out.flush();
		InputStream in = socket.getInputStream();
		String head = readHead(in);
		int status = Integer.parseInt(head.substring(9, 12));
		Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
		String body;
		if (length.find()) {
			body = new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
		}
		else if (head.toLowerCase().contains("transfer-encoding: chunked")) {
			body = readChunked(in);
		}
		else {
			body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		return new RawResponse(status, body);
	}

	private static String readHead(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("Connection closed after " + head);
			}
			head.append((char) b);
		}
		return head.toString();
	}

	private static String readChunked(InputStream in) throws IOException {
		StringBuilder body = new StringBuilder();
		while (true) {
			StringBuilder line = new StringBuilder();
			int b;
			while ((b = in.read()) != '\n') {
				if (b < 0) {
					throw new IOException("Connection closed in a chunk header");
				}
				line.append((char) b);
			}
			int size = Integer.parseInt(line.toString().trim(), 16);
			byte[] chunk = in.readNBytes(size + 2);
			if (size == 0) {
				return body.toString();
			}
			body.append(new String(chunk, 0, size, StandardCharsets.UTF_8));
		}
	}

	/**
	 * A response read from a raw connection.
	 */
	private record RawResponse(int status, String body) {

		String field(String name) {
			Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(this.body);
			assertThat(matcher.find()).as("field %s in %s", name, this.body).isTrue();
			return matcher.group(1);
		}

	}

}
