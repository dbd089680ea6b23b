package dev.bootsupervisor.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.DocumentContext;
import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The changes an operator makes to a running cluster, one after the other on one cluster per web server: a reload
 * command, a SIGHUP reload, a scale up and a scale down by command, then TTIN and TTOU. Whatever replaces or removes
 * workers runs under a client load (a new connection per request, and a keep-alive connection) and no request may
 * fail. Each step checks that the cluster is in the state the previous one left; the subclasses pick the server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RuntimeChanges {

	/** A reload of two workers takes about 10 s on an idle machine; leave room for a slow, shared one. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

	/** A status line of {@code --supervisor.command=status}: worker, pid, generation, state. */
	private static final Pattern STATUS_LINE = Pattern.compile("(?m)^(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\w+)\\s");

	/** The cluster the steps share, started by the first step that needs it. */
	private SupervisedProcess cluster;

	/** The fixture of the subclass: a {@link ProcessFixture#perClass()} on a static field. */
	abstract ProcessFixture fixture();

	/** {@code tomcat} or {@code jetty}. */
	abstract String server();

	/** The run directory of the shared cluster. */
	abstract Path runDir();

	/** What the cluster's {@code java} is started under: nothing, or a command such as {@code nohup}. */
	List<String> launchPrefix() {
		return List.of();
	}

	@Test
	@Order(1)
	void reloadCommandReplacesEveryWorkerWhileEveryRequestSucceeds() throws Exception {
		SupervisedProcess app = cluster(2);
		Set<Long> before = app.workerPids();
		int generation = generation(app.awaitSettled(2));
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			CommandResult reload = command("--supervisor.command=reload");
			assertThat(reload.exitCode()).as("exit code of %s", reload).isZero();
			assertThat(reload.output()).contains("Reload succeeded: reloaded 2 workers");
			// The outcome is reported once the last replacement is ready: its old worker may still be draining.
			awaitExited(before);
			load = running.stop();
		}
		load.assertNoFailedRequest(app);
		assertThat(load.generations()).as("generations that answered during the reload")
			.contains(generation, generation + 1);
		Set<Long> after = app.workerPids();
		assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
		DocumentContext view = app.awaitSettled(2);
		assertThat(SupervisedProcess.pids(view)).containsExactlyInAnyOrderElementsOf(after);
		assertThat(SupervisedProcess.generations(view)).containsOnly(generation + 1);
		Map<Long, Integer> status = statusGenerations(command("--supervisor.command=status"));
		assertThat(status).containsOnlyKeys(after)
			.allSatisfy((pid, each) -> assertThat(each).isEqualTo(generation + 1));
		for (long pid : before) {
			app.awaitStoppedCleanly(pid);
		}
	}

	@Test
	@Order(2)
	void sighupReloadsLikeTheCommand() throws Exception {
		SupervisedProcess app = cluster(2);
		Set<Long> before = app.workerPids();
		int generation = generation(app.awaitSettled(2));
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			int from = app.output().length();
			app.signal("HUP");
			app.awaitOutput("Rolling reload \\(SIGHUP\\): reloaded 2 workers", COMMAND_TIMEOUT, from);
			awaitExited(before);
			load = running.stop();
		}
		load.assertNoFailedRequest(app);
		Set<Long> after = app.workerPids();
		assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
		DocumentContext view = app.awaitSettled(2);
		assertThat(SupervisedProcess.pids(view)).containsExactlyInAnyOrderElementsOf(after);
		assertThat(SupervisedProcess.generations(view)).containsOnly(generation + 1);
		assertThat(app.serveUntilSeen(after)).containsOnlyKeys(after);
	}

	@Test
	@Order(3)
	void scaleCommandAddsWorkersThatServe() throws Exception {
		SupervisedProcess app = cluster(2);
		Set<Long> before = app.workerPids();
		CommandResult scale = command("--supervisor.command=scale", "--supervisor.workers=3");
		assertThat(scale.exitCode()).as("exit code of %s", scale).isZero();
		assertThat(scale.output()).contains("Scaled sample-app to 3 workers");
		Set<Long> after = app.workerPids();
		assertThat(after).hasSize(3).containsAll(before);
		Map<Long, Integer> served = app.serveUntilSeen(after);
		assertThat(served.values()).containsExactlyInAnyOrder(1, 2, 3);
		DocumentContext view = app.awaitSettled(3);
		assertThat(view.<Integer>read("$.master.configuredWorkers")).isEqualTo(3);
		assertThat(SupervisedProcess.pids(view)).containsExactlyInAnyOrderElementsOf(after);
	}

	@Test
	@Order(4)
	void scaleCommandRemovesWorkersByDrainingThem() throws Exception {
		SupervisedProcess app = cluster(3);
		Set<Long> before = app.workerPids();
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			CommandResult scale = command("--supervisor.command=scale", "--supervisor.workers=1");
			assertThat(scale.exitCode()).as("exit code of %s", scale).isZero();
			assertThat(scale.output()).contains("Scaled sample-app to 1 workers");
			await("two workers gone").atMost(DRAIN_TIMEOUT).until(() -> app.workerPids().size() == 1);
			load = running.stop();
		}
		load.assertNoFailedRequest(app);
		Set<Long> after = app.workerPids();
		assertThat(before).containsAll(after);
		DocumentContext view = app.awaitSettled(1);
		assertThat(view.<List<Integer>>read("$.workers[*].id")).containsExactly(1);
		for (long pid : before) {
			if (!after.contains(pid)) {
				app.awaitStoppedCleanly(pid);
			}
		}
		assertThat(app.serveUntilSeen(after)).containsOnlyKeys(after);
	}

	@Test
	@Order(5)
	void ttinAddsAWorkerAndTtouDrainsOne() throws Exception {
		SupervisedProcess app = cluster(1);
		Set<Long> first = app.workerPids();
		ClientLoad.Result load;
		try (ClientLoad running = ClientLoad.start(app)) {
			app.signal("TTIN");
			DocumentContext two = app.awaitSettled(2);
			assertThat(two.<Integer>read("$.master.configuredWorkers")).isEqualTo(2);
			Set<Long> grown = app.workerPids();
			assertThat(grown).hasSize(2).containsAll(first);
			assertThat(app.serveUntilSeen(grown).values()).containsExactlyInAnyOrder(1, 2);
			long added = grown.stream().filter((pid) -> !first.contains(pid)).findFirst().orElseThrow();
			app.signal("TTOU");
			awaitExited(Set.of(added));
			load = running.stop();
			app.awaitStoppedCleanly(added);
		}
		load.assertNoFailedRequest(app);
		assertThat(load.pids()).as("workers that answered").hasSize(2);
		assertThat(app.workerPids()).isEqualTo(first);
		assertThat(app.awaitSettled(1).<Integer>read("$.master.configuredWorkers")).isEqualTo(1);
	}

	/**
	 * The shared cluster, in the state a step starts from: started with this many workers by the first step, and
	 * left with this many by the step before.
	 */
	private SupervisedProcess cluster(int workers) throws IOException {
		if (this.cluster == null) {
			ProcessFixture fixture = fixture();
			fixture.onServer(server());
			this.cluster = fixture.startUnder(launchPrefix(), SupervisedProcess.JVM_OPTIONS,
					"--supervisor.workers=" + workers, "--supervisor.run-dir=" + runDir());
			this.cluster.awaitReady(workers);
		}
		assertThat(this.cluster.awaitSettled(workers).<Integer>read("$.master.configuredWorkers"))
			.as("workers the previous step left").isEqualTo(workers);
		assertThat(this.cluster.workerPids()).hasSize(workers);
		return this.cluster;
	}

	/** Run a control command for the shared cluster in its own JVM and wait for it. */
	private CommandResult command(String... args) throws IOException, InterruptedException {
		List<String> all = new ArrayList<>(List.of("--supervisor.run-dir=" + runDir()));
		all.addAll(Arrays.asList(args));
		return fixture().startCommand(all.toArray(String[]::new)).finish(COMMAND_TIMEOUT);
	}

	/** The one generation of every worker in the view. */
	private static int generation(DocumentContext view) {
		List<Integer> generations = SupervisedProcess.generations(view);
		assertThat(Set.copyOf(generations)).as("one generation in %s", generations).hasSize(1);
		return generations.get(0);
	}

	/** The generation by pid of the workers a status command printed. */
	private static Map<Long, Integer> statusGenerations(CommandResult status) {
		assertThat(status.exitCode()).as("exit code of %s", status).isZero();
		Map<Long, Integer> generations = new HashMap<>();
		Matcher line = STATUS_LINE.matcher(status.output());
		while (line.find()) {
			generations.put(Long.parseLong(line.group(2)), Integer.parseInt(line.group(3)));
		}
		return generations;
	}

	private static void awaitExited(Set<Long> pids) {
		SupervisedProcess.awaitExited(pids, DRAIN_TIMEOUT);
	}

}
