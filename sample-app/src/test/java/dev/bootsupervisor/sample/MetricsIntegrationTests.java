package dev.bootsupervisor.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.DocumentContext;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of monitoring a cluster as a team would, one cluster per web server: every scrape of
 * {@code /actuator/prometheus} holds every worker's series under its {@code worker} tag, whichever worker answers,
 * in Prometheus text and OpenMetrics; per-worker counters never go back; a scrape right after a {@code kill -9}
 * holds the survivor and says a worker is missing; a single crash never reads {@code failed}; the supervisor
 * endpoint's write operation is refused by default (Jetty's cluster) and allowed with
 * {@code management.endpoint.supervisor.access=unrestricted} (Tomcat's cluster, which then scales to 3 workers).
 */
@Order(6)
class MetricsIntegrationTests {

	/** A sample of {@code GET /}'s request counter, with the worker that reported it. */
	private static final Pattern ROOT_REQUESTS = Pattern.compile(
			"(?m)^http_server_requests_seconds_count\\{[^}]*uri=\"/\"[^}]*worker=\"(\\d+)\"[^}]*} ([0-9.]+)$");

	private static final Pattern CRASH_RESTARTS = Pattern.compile(
			"(?m)^supervisor_worker_restarts_total\\{reason=\"crash\",worker=\"(\\d+)\"} ([0-9.]+)$");

	private static final Pattern SCRAPE_WORKERS = Pattern
		.compile("(?m)^supervisor_scrape_workers\\{outcome=\"([a-z-]+)\"} ([0-9.]+)$");

	private static final Pattern FAILED_WORKERS = Pattern
		.compile("(?m)^supervisor_workers\\{state=\"failed\"[^}]*} ([0-9.]+)$");

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.bootsupervisor.sample.ProcessFixture#servers")
	void everyScrapeShowsTheWholeCluster(String server) throws Exception {
		this.processes.onServer(server);
		boolean granted = server.equals("tomcat");
		List<String> args = new ArrayList<>(List.of("--supervisor.workers=2"));
		if (granted) {
			args.add("--management.endpoint.supervisor.access=unrestricted");
		}
		SupervisedProcess app = this.processes.start(args.toArray(String[]::new));
		app.awaitReady(2);
		app.serveUntilSeen(app.workerPids());

		Map<Integer, Double> last = new TreeMap<>();
		for (int scrape = 0; scrape < 10; scrape++) {
			app.get("/");
			Response response = app.get("/actuator/prometheus");
			assertThat(response.status()).isEqualTo(200);
			Map<Integer, Double> counts = samples(ROOT_REQUESTS, response.body());
			assertThat(counts).as("GET / counts by worker in scrape %d", scrape).containsOnlyKeys(1, 2);
			last.forEach((worker, count) -> assertThat(counts.get(worker))
				.as("worker %d's counter in scrape %d", worker, counts.get(worker))
				.isGreaterThanOrEqualTo(count));
			last.putAll(counts);
			assertWellFormed(response.body());
			assertThat(outcomes(response.body())).containsEntry("answered", 2.0).containsEntry("missing", 0.0);
			if (scrape == 9) {
				assertThat(response.body()).contains("# HELP supervisor_workers ")
					.containsPattern("(?m)^supervisor_workers\\{state=\"ready\",worker=\"[12]\"} 2\\.0$")
					.containsPattern("(?m)^supervisor_worker_restarts_total\\{.*reason=\"crash\".*} 0\\.0$")
					.containsPattern("(?m)^supervisor_worker_uptime_seconds\\{worker=\"1\"} \\d")
					.containsPattern("(?m)^supervisor_worker_uptime_seconds\\{worker=\"2\"} \\d")
					.containsPattern("(?m)^supervisor_master_uptime_seconds\\{worker=\"[12]\"} \\d");
			}
		}
		Response metric = app.get("/actuator/metrics/supervisor.workers?tag=state:ready");
		assertThat(metric.status()).isEqualTo(200);
		assertThat(metric.body()).contains("\"baseUnit\":\"workers\"");

		// A client of its own, made once the harness (which allows the Connection header) is loaded
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		HttpResponse<String> openMetrics = client.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/actuator/prometheus"))
			.header("Accept", "application/openmetrics-text; version=1.0.0")
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(openMetrics.statusCode()).isEqualTo(200);
		assertThat(openMetrics.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/openmetrics-text"));
		assertThat(openMetrics.body()).endsWith("# EOF\n").containsOnlyOnce("# EOF");
		assertThat(samples(ROOT_REQUESTS, openMetrics.body())).containsOnlyKeys(1, 2);
		assertWellFormed(openMetrics.body().replace("# EOF\n", ""));

		int workers = 2;
		if (granted) {
			Response outOfRange = app.post("/actuator/supervisor", "{\"action\":\"scale\",\"workers\":0}");
			assertThat(outOfRange.status()).as("%s", outOfRange).isEqualTo(400);
			Response scale = app.post("/actuator/supervisor", "{\"action\":\"scale\",\"workers\":3}");
			assertThat(scale.status()).as("%s", scale).isEqualTo(200);
			workers = 3;
			app.awaitSettled(3);
			await("a scrape of 3 workers").atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> {
					app.get("/");
					return samples(ROOT_REQUESTS, app.get("/actuator/prometheus").body()).keySet()
						.equals(Set.of(1, 2, 3));
				});
		}
		else {
			Set<Long> before = app.workerPids();
			Response reload = app.post("/actuator/supervisor", "{\"action\":\"reload\"}");
			assertThat(reload.status()).as("anonymous POST, by default: %s", reload).isIn(404, 405);
			assertThat(app.workerPids()).as("workers after a refused reload").isEqualTo(before);
		}

		DocumentContext settled = app.awaitSettled(workers);
		long victim = SupervisedProcess.readyPid(settled, 1);
		SupervisedProcess.signal(victim, "KILL");
		await("death of worker " + victim).atMost(Duration.ofSeconds(10))
			.until(() -> !SupervisedProcess.isAlive(victim));
		Response afterKill = app.get("/actuator/prometheus");
		assertThat(afterKill.status()).isEqualTo(200);
		assertThat(samples(ROOT_REQUESTS, afterKill.body())).as("series right after the kill").containsKey(2);
		Map<String, Double> outcomes = outcomes(afterKill.body());
		assertThat(outcomes.get("missing") + outcomes.get("not-ready")).as("workers left out: %s", outcomes)
			.isGreaterThanOrEqualTo(1.0);

		List<String> states = new ArrayList<>();
		List<Double> failedGauges = new ArrayList<>();
		int expected = workers;
		await("the replacement of worker 1").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> {
				DocumentContext view = app.cluster();
				states.addAll(view.read("$.workers[*].state"));
				failedGauges.addAll(samplesOf(FAILED_WORKERS, app.get("/actuator/prometheus").body()));
				long replacement = SupervisedProcess.readyPid(view, 1);
				return replacement != 0 && replacement != victim
						&& view.<List<String>>read("$.workers[*].state").size() == expected;
			});
		assertThat(states).as("states seen while worker 1 restarted").doesNotContain("failed").contains("ready");
		assertThat(failedGauges).as("supervisor_workers{state=failed}").isNotEmpty().containsOnly(0.0);

		// A replacement may take a while to win its first connection from a warm worker (seen on Jetty while the
		// class-data archive trains): send until it answered one, counting what was sent
		AtomicInteger sent = new AtomicInteger();
		await("a response from the new worker 1").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> {
				sent.incrementAndGet();
				return app.get("/").worker() == 1;
			});
		Map<Integer, Double> afterRestart = await("worker 1's series back").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> samples(ROOT_REQUESTS, app.get("/actuator/prometheus").body()),
					(counts) -> counts.containsKey(1) && counts.size() == expected);
		assertThat(afterRestart.get(1)).as("the new worker 1 counts from 0, under the same tag")
			.isLessThanOrEqualTo(sent.get());
		assertThat(afterRestart.get(2)).as("worker 2 kept counting").isGreaterThanOrEqualTo(last.get(2));
		// The cluster's own counters are the master's: the new worker 1 reports the crash too, from its first scrape
		Map<Integer, Double> crashes = await("the crash counted by every worker").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> samples(CRASH_RESTARTS, app.get("/actuator/prometheus").body()),
					(counts) -> counts.size() == expected && counts.values().stream().allMatch((count) -> count >= 1));
		assertThat(crashes.values()).as("supervisor_worker_restarts_total{reason=crash} by worker").containsOnly(1.0);

		app.signal("TERM");
		assertThat(app.awaitExit(Duration.ofSeconds(60))).isZero();
	}

	private static Map<Integer, Double> samples(Pattern pattern, String body) {
		Map<Integer, Double> samples = new HashMap<>();
		Matcher matcher = pattern.matcher(body);
		while (matcher.find()) {
			samples.put(Integer.parseInt(matcher.group(1)), Double.parseDouble(matcher.group(2)));
		}
		return samples;
	}

	private static List<Double> samplesOf(Pattern pattern, String body) {
		List<Double> samples = new ArrayList<>();
		Matcher matcher = pattern.matcher(body);
		while (matcher.find()) {
			samples.add(Double.parseDouble(matcher.group(1)));
		}
		return samples;
	}

	private static Map<String, Double> outcomes(String body) {
		Map<String, Double> outcomes = new HashMap<>();
		Matcher matcher = SCRAPE_WORKERS.matcher(body);
		while (matcher.find()) {
			outcomes.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
		}
		assertThat(outcomes).as("supervisor_scrape_workers").containsOnlyKeys("answered", "missing", "not-ready");
		return outcomes;
	}

	/** One {@code # TYPE} per family, its samples right after it, and no series twice. */
	private static void assertWellFormed(String body) {
		List<String> families = new ArrayList<>();
		List<String> series = new ArrayList<>();
		String family = null;
		for (String line : body.split("\n")) {
			if (line.startsWith("# TYPE ")) {
				family = line.split(" ")[2];
				assertThat(families).as("families").doesNotContain(family);
				families.add(family);
			}
			else if (!line.startsWith("#") && !line.isEmpty()) {
				assertThat(line).as("a sample of family %s", family).startsWith(family);
				int labels = line.lastIndexOf('}');
				series.add((labels >= 0) ? line.substring(0, labels + 1) : line.substring(0, line.indexOf(' ')));
			}
		}
		assertThat(series).as("series").doesNotHaveDuplicates();
	}

}
