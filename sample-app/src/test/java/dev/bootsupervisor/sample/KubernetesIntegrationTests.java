package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.convert.DurationStyle;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kubernetes manifests of {@code sample-app/k8s/}, read with SnakeYAML and checked against the app: the probes
 * and ports match what the app serves, and the app started with the manifest's environment answers the probes,
 * then, on TERM, fails readiness at once while it serves for the shutdown delay before it drains.
 */
@Order(15)
class KubernetesIntegrationTests {

	private static final Path MANIFEST = Path.of("k8s", "sample-app.yaml");

	@RegisterExtension
	static final ProcessFixture fixture = ProcessFixture.perClass();

	private static Map<String, Object> deployment;

	private static Map<String, Object> service;

	@BeforeAll
	static void readManifest() throws IOException {
		try (Reader reader = Files.newBufferedReader(MANIFEST)) {
			for (Object document : new Yaml().loadAll(reader)) {
				Map<String, Object> resource = map(document);
				switch ((String) resource.get("kind")) {
					case "Deployment" -> deployment = resource;
					case "Service" -> service = resource;
					default -> throw new AssertionError("Unexpected kind in " + MANIFEST + ": " + resource.get("kind"));
				}
			}
		}
		assertThat(deployment).as("a Deployment in %s", MANIFEST).isNotNull();
		assertThat(service).as("a Service in %s", MANIFEST).isNotNull();
	}

	@Test
	void probesPortsGracePeriodAndResourcesMatchTheApp() {
		Map<String, Object> container = container();
		Map<String, String> env = environment();
		Map<String, Object> port = map(list(container.get("ports")).get(0));
		assertThat(String.valueOf(port.get("containerPort"))).as("container port = the port the app binds")
			.isEqualTo(env.get("SERVER_PORT"));
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			Object probePort = httpGet(probe).get("port");
			assertThat(probePort).as("%s port", probe).isIn(port.get("name"), port.get("containerPort"));
		}
		assertThat(httpGet("readinessProbe").get("path")).isEqualTo("/actuator/health/readiness");
		assertThat(httpGet("livenessProbe").get("path")).isEqualTo("/actuator/health/liveness");
		assertThat(httpGet("startupProbe").get("path")).isEqualTo("/actuator/health/liveness");
		Map<String, Object> servicePort = map(list(map(service.get("spec")).get("ports")).get(0));
		assertThat(servicePort.get("targetPort")).as("Service targetPort").isIn(port.get("name"),
				port.get("containerPort"));
		assertThat(map(map(service.get("spec")).get("selector")))
			.isEqualTo(map(map(map(deployment.get("spec")).get("selector")).get("matchLabels")));

		Duration delay = DurationStyle.detectAndParse(env.get("SUPERVISOR_SHUTDOWN_DELAY"));
		Duration timeout = DurationStyle.detectAndParse(env.get("SUPERVISOR_SHUTDOWN_TIMEOUT"));
		assertThat(delay).as("shutdown delay").isPositive();
		int grace = (Integer) podSpec().get("terminationGracePeriodSeconds");
		assertThat(Duration.ofSeconds(grace)).as("terminationGracePeriodSeconds above delay + shutdown timeout")
			.isGreaterThan(delay.plus(timeout));
		assertThat(container).as("no preStop hook: shell-less images cannot run one")
			.doesNotContainKey("lifecycle");

		Map<String, Object> resources = map(container.get("resources"));
		for (String kind : List.of("requests", "limits")) {
			assertThat(map(resources.get(kind))).as("resources.%s", kind).containsKeys("cpu", "memory");
		}
	}

	@Test
	void theAppStartedWithTheManifestsEnvironmentAnswersTheProbesAndFailsReadinessForTheDelayAfterTerm()
			throws Exception {
		Map<String, String> env = environment();
		Duration delay = DurationStyle.detectAndParse(env.get("SUPERVISOR_SHUTDOWN_DELAY"));
		// The manifest's port is replaced by a free one (the harness's --server.port wins over SERVER_PORT), and
		// one worker instead of the manifest's two keeps the test cheap: the delay is the master's, not a worker's
		SupervisedProcess app = fixture.start(env, ProcessFixture.freePort(), "--supervisor.workers=1");
		app.awaitReady(1);
		String readiness = (String) httpGet("readinessProbe").get("path");
		String liveness = (String) httpGet("livenessProbe").get("path");
		assertThat(app.get(readiness).status()).as("GET %s", readiness).isEqualTo(200);
		assertThat(app.get(liveness).status()).as("GET %s", liveness).isEqualTo(200);

		Instant term = Instant.now();
		SupervisedProcess.signal(app.pid(), "TERM");
		// at once: the deadline only leaves room for a loaded machine, well inside the delay
		await("readiness DOWN after TERM").atMost(Duration.ofSeconds(3))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> app.get(readiness).status() == 503);
		// the master's view, as status prints it (a status command's JVM may take longer than the delay to start here)
		// a worker's view of the master is up to 1 s old
		await("the cluster stopping during the delay").atMost(Duration.ofSeconds(3))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> "stopping".equals(app.cluster().<String>read("$.master.state")));
		assertThat(app.cluster().<List<String>>read("$.workers[*].state")).containsOnly("ready");
		List<Integer> served = new ArrayList<>();
		while (Duration.between(term, Instant.now()).compareTo(delay.minusMillis(500)) < 0) {
			served.add(app.get("/").status());
			assertThat(app.get(liveness).status()).as("liveness during the delay").isEqualTo(200);
		}
		assertThat(served).as("requests during the shutdown delay").isNotEmpty().containsOnly(200);

		assertThat(app.awaitExit(delay.plusSeconds(30))).as("exit code").isZero();
		Duration stop = Duration.between(term, Instant.now());
		assertThat(stop).as("the stop took the delay at least").isGreaterThanOrEqualTo(delay);
		assertThat(app.output()).contains("readiness is now REFUSING_TRAFFIC");
		// The master's own clock: the drain began once the delay was over, however slowly the requests above ran
		Instant readinessDown = logTime(app, "readiness is down on 1 workers, which keep serving for the shutdown delay");
		Instant draining = logTime(app, "ready -> draining");
		assertThat(Duration.between(readinessDown, draining)).as("from readiness down to the drain")
			.isGreaterThanOrEqualTo(delay.minusMillis(50));
	}

	/** When the master or a worker logged the first line containing this text, by its own timestamp. */
	private static Instant logTime(SupervisedProcess app, String text) {
		Matcher line = Pattern.compile("(?m)^(\\S+)\\s.*" + Pattern.quote(text)).matcher(app.output());
		assertThat(line.find()).as("a line with '%s'", text).isTrue();
		return OffsetDateTime.parse(line.group(1)).toInstant();
	}

	private static Map<String, Object> podSpec() {
		return map(map(map(deployment.get("spec")).get("template")).get("spec"));
	}

	private static Map<String, Object> container() {
		List<Object> containers = list(podSpec().get("containers"));
		assertThat(containers).hasSize(1);
		return map(containers.get(0));
	}

	private static Map<String, Object> httpGet(String probe) {
		return map(map(container().get(probe)).get("httpGet"));
	}

	private static Map<String, String> environment() {
		Map<String, String> env = new LinkedHashMap<>();
		for (Object variable : list(container().get("env"))) {
			Map<String, Object> entry = map(variable);
			env.put((String) entry.get("name"), (String) entry.get("value"));
		}
		return env;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Object value) {
		assertThat(value).isInstanceOf(List.class);
		return (List<Object>) value;
	}

}
