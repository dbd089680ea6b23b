package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.bootsupervisor.sample.RawConnection.RawResponse;
import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of leadership and cluster messaging on a cluster of three workers that every test shares, in
 * this order: request/reply, a broadcast that reaches a starting worker, five {@code kill -9} of the leader, three
 * rolling reloads, and a scale down that removes the leader's slot. The sample's leader-only task appends a line a
 * second to a tick file; after every step the whole file must show one leader at a time: at most one line per
 * second, each epoch from one pid, epochs that never go back.
 * <p>
 * A worker keeps the master's cluster view for up to a second, and successive requests reach different workers:
 * after each change the tests make (a kill, a reload, a scale), a view taken before it is not trusted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(2)
class LeaderIntegrationTests {

	/** What the issue promises after a {@code kill -9} of the leader: the next tick within 2 s. */
	private static final Duration FAILOVER_TICK = Duration.ofSeconds(2);

	/** A deadline, not a wait: for a tick that a failed failover would never write, so the failure reads well. */
	private static final Duration TICK_TIMEOUT = Duration.ofSeconds(15);

	/** A deadline, not a wait: a crashed worker's replacement starts on a machine shared with other tests. */
	private static final Duration REPLACE_TIMEOUT = Duration.ofSeconds(90);

	/** A deadline, not a wait: a rolling reload of three workers takes about 15 s on an idle machine. */
	private static final Duration RELOAD_TIMEOUT = Duration.ofMinutes(3);

	/** {@code <epoch> <worker id> <pid> <ISO-8601 instant>}. */
	private static final Pattern TICK = Pattern.compile("(\\d+) (\\d+) (\\d+) (\\S+)");

	/** The answer of {@code GET /ask}: {@code <worker id> <pid> <text>}. */
	private static final Pattern ANSWER = Pattern.compile("(\\d+) (\\d+) (.*)");

	@RegisterExtension
	static final ProcessFixture shared = ProcessFixture.perClass();

	private static SupervisedProcess cluster;

	private static Path runDir;

	private static Path tickFile;

	/** When the tests last changed the cluster: the views taken before are ignored. */
	private static Instant changedAt = Instant.EPOCH;

	@Test
	@Order(1)
	void requestReplyToTheLeaderAnswersAndARequestToAMissingWorkerFails() throws Exception {
		SupervisedProcess app = leaderCluster();
		Leader leader = awaitTickingLeader(app);
		Response toLeader = app.get("/ask?to=leader&text=ping");
		assertThat(toLeader.status()).as("GET /ask?to=leader: %s", toLeader).isEqualTo(200);
		assertThat(answer(toLeader)).as("answer of the leader").isEqualTo(leader.id() + " " + leader.pid() + " ping");
		DocumentContext view = app.cluster();
		int other = view.<List<Integer>>read("$.workers[?(@.leader == false && @.state == 'ready')].id").get(0);
		long otherPid = SupervisedProcess.readyPid(view, other);
		Response toWorker = app.get("/ask?to=" + other + "&text=hello");
		assertThat(toWorker.status()).as("GET /ask?to=%d: %s", other, toWorker).isEqualTo(200);
		assertThat(answer(toWorker)).isEqualTo(other + " " + otherPid + " hello");
		Response toAny = app.get("/ask?to=any&text=anyone");
		assertThat(toAny.status()).as("GET /ask?to=any: %s", toAny).isEqualTo(200);
		Matcher any = ANSWER.matcher(answer(toAny));
		assertThat(any.matches()).as("answer %s", answer(toAny)).isTrue();
		int answering = Integer.parseInt(any.group(1));
		assertThat(SupervisedProcess.readyPid(app.cluster(), answering)).as("pid of worker %d", answering)
			.isEqualTo(Long.parseLong(any.group(2)));
		assertThat(any.group(3)).isEqualTo("anyone");
		Response toMissing = app.get("/ask?to=99&text=nobody");
		assertThat(toMissing.status()).as("GET /ask?to=99: %s", toMissing).isEqualTo(502);
		assertThat(JsonPath.<String>read(toMissing.body(), "$.error")).as("error of %s", toMissing).contains("99");
		assertThat(leader(app.cluster())).as("the leader after the requests").isEqualTo(leader);
		assertOneLeaderAtATime();
	}

	@Test
	@Order(2)
	void aBroadcastThroughOneWorkerReachesAllThreeIncludingOneThatWasStarting() throws Exception {
		SupervisedProcess app = leaderCluster();
		DocumentContext before = awaitSettled(app, 3);
		Leader leader = leader(before);
		int slot = before.<List<Integer>>read("$.workers[?(@.leader == false)].id")
			.stream()
			.max(Integer::compare)
			.orElseThrow();
		long victim = SupervisedProcess.readyPid(before, slot);
		changedAt = Instant.now();
		SupervisedProcess.signal(victim, "KILL");
		long replacement = await("a replacement of worker " + victim + " starting in slot " + slot)
			.atMost(REPLACE_TIMEOUT)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> startingPid(freshView(app), slot, victim), (pid) -> pid != 0);
		List<String> texts = List.of("first-" + victim, "second-" + victim, "third-" + victim);
		// One connection to one worker, the leader, so one sender: delivery is in order per sender.
		try (RawConnection connection = RawConnection.to(app.port(), leader.pid(), 100)) {
			for (String text : texts) {
				RawResponse sent = connection.post("/broadcast?text=" + text);
				assertThat(sent.status()).as("POST /broadcast: %s", sent).isEqualTo(200);
				DocumentContext outcome = JsonPath.parse(sent.body());
				assertThat(outcome.<Integer>read("$.held")).as("held for the starting worker %d: %s", replacement,
						sent.body())
					.isEqualTo(1);
				assertThat(outcome.<Integer>read("$.delivered")).as("delivered: %s", sent.body()).isEqualTo(2);
			}
		}
		await("worker " + replacement + " ready in slot " + slot).atMost(REPLACE_TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> freshView(app),
					(view) -> view != null && SupervisedProcess.readyPid(view, slot) == replacement);
		Set<Long> workers = new HashSet<>(SupervisedProcess.pids(awaitFreshView(app)));
		assertThat(workers).as("workers").hasSize(3).contains(replacement, leader.pid()).doesNotContain(victim);
		for (long pid : workers) {
			List<String> received = await("the broadcasts received by worker " + pid).atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> messages(app, pid), (list) -> list.containsAll(texts));
			assertThat(received).as("messages of worker %d", pid).containsSubsequence(texts);
			for (String text : texts) {
				assertThat(Collections.frequency(received, text)).as("copies of %s at worker %d", text, pid)
					.isEqualTo(1);
			}
		}
		assertThat(leader(awaitFreshView(app))).as("the leader after a follower's kill -9").isEqualTo(leader);
		assertOneLeaderAtATime();
	}

	@Test
	@Order(3)
	void afterEachOfFiveKillsOfTheLeaderTheNextTickComesWithinTwoSeconds() throws Exception {
		SupervisedProcess app = leaderCluster();
		List<String> failovers = new ArrayList<>();
		for (int i = 1; i <= 5; i++) {
			Leader leader = awaitTickingLeaderWithReadyFollower(app);
			Failover failover = killLeader(app, leader);
			failovers.add(failover.toString());
			assertThat(failover.tickAfter()).as("kill -9 %d of leader %s: next tick %s", i, leader, failover.tick())
				.isLessThanOrEqualTo(FAILOVER_TICK);
			assertOneLeaderAtATime();
		}
		System.out.println("Failovers after kill -9 of the leader: " + failovers);
	}

	@Test
	@Order(4)
	void threeRollingReloadsHandLeadershipOverWithOneLeaderAtATime() throws Exception {
		SupervisedProcess app = leaderCluster();
		awaitSettled(app, 3);
		List<String> handovers = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			Leader before = awaitTickingLeader(app);
			Set<Long> old = app.workerPids();
			int mark = app.output().length();
			changedAt = Instant.now();
			app.signal("HUP");
			MatchResult outcome = app.awaitOutput("Rolling reload \\(SIGHUP\\): (.*)", RELOAD_TIMEOUT, mark);
			assertThat(outcome.group(1)).as("outcome of reload %d", i).startsWith("reloaded 3 workers");
			SupervisedProcess.awaitExited(old, REPLACE_TIMEOUT);
			Leader after = awaitLeader(app, "a leader among the new workers, after reload " + i,
					(leader) -> leader.epoch() > before.epoch() && !old.contains(leader.pid()));
			Tick first = awaitTick("a tick of " + after, (tick) -> tick.epoch() == after.epoch());
			assertThat(first.pid()).isEqualTo(after.pid());
			handovers.add(handover(before, first));
			assertOneLeaderAtATime();
		}
		System.out.println("Leadership handovers during rolling reloads: " + handovers);
	}

	@Test
	@Order(5)
	void aScaleDownThatRemovesTheLeadersSlotHandsLeadershipOver() throws Exception {
		SupervisedProcess app = leaderCluster();
		Leader leader = awaitTickingLeaderWithReadyFollower(app);
		if (leader.id() == 1) {
			// Scaling removes the highest slots. After the reloads the leader is in slot 1 (replaced first, its
			// replacement took over): move leadership off it the way a crash does.
			Failover failover = killLeader(app, leader);
			assertThat(failover.tickAfter()).as("next tick after kill -9 of %s: %s", leader, failover.tick())
				.isLessThanOrEqualTo(FAILOVER_TICK);
			leader = awaitTickingLeader(app);
		}
		Leader removed = leader;
		int target = removed.id() - 1;
		changedAt = Instant.now();
		CommandResult scale = shared.command("--supervisor.run-dir=" + runDir, "--supervisor.command=scale",
				"--supervisor.workers=" + target);
		assertThat(scale.exitCode()).as("exit code of %s", scale).isZero();
		assertThat(scale.output()).contains("Scaled sample-app to " + target + " workers");
		SupervisedProcess.awaitExited(Set.of(removed.pid()), REPLACE_TIMEOUT);
		Leader after = awaitLeader(app, "a leader in slots 1 to " + target,
				(next) -> next.epoch() > removed.epoch() && next.id() <= target);
		Tick first = awaitTick("a tick of " + after, (tick) -> tick.epoch() == after.epoch());
		assertThat(first.pid()).isEqualTo(after.pid());
		System.out.println("Leadership handover in a scale down to " + target + ": " + handover(removed, first));
		DocumentContext view = awaitSettled(app, target);
		assertThat(view.<List<Integer>>read("$.workers[*].id")).hasSize(target).allSatisfy((id) ->
				assertThat(id).isLessThanOrEqualTo(target));
		assertThat(view.<List<Boolean>>read("$.workers[?(@.leader == true)].leader")).as("leaders in %s",
				view.jsonString())
			.hasSize(1);
		assertOneLeaderAtATime();
	}

	/**
	 * The shared cluster: started by the first test, and again (with a new run directory, so epochs start over, and
	 * a new tick file) when an earlier test left it not running.
	 */
	private static SupervisedProcess leaderCluster() throws IOException {
		if (cluster != null) {
			if (SupervisedProcess.isAlive(cluster.pid())) {
				return cluster;
			}
			System.err.println("The shared cluster is gone: starting a new one");
			shared.kill(cluster);
		}
		Path directory = shared.tempDirectory();
		runDir = directory.resolve("run");
		tickFile = directory.resolve("ticks.txt");
		// Short restart delays: the same slot may be killed several times in a row.
		cluster = shared.start("--supervisor.workers=3", "--supervisor.run-dir=" + runDir,
				"--sample.tick-file=" + tickFile, "--supervisor.restart.backoff-initial=200ms",
				"--supervisor.restart.backoff-max=1s");
		cluster.awaitReady(3);
		return cluster;
	}

	/**
	 * Kill the leader with {@code kill -9} and wait for the next tick, which must come from another worker under a
	 * newer epoch, and for the cluster view to name that worker as the leader.
	 */
	private static Failover killLeader(SupervisedProcess app, Leader leader) throws Exception {
		// Taken before the signal: the figures can only be longer than the truth.
		Instant killedAt = Instant.now();
		changedAt = killedAt;
		SupervisedProcess.signal(leader.pid(), "KILL");
		Leader next = awaitLeader(app, "a new leader after kill -9 of " + leader,
				(candidate) -> candidate.epoch() > leader.epoch());
		Duration granted = Duration.between(killedAt, Instant.now());
		Tick tick = awaitTick("a tick after kill -9 of " + leader, (candidate) -> candidate.epoch() > leader.epoch());
		assertThat(tick.pid()).as("pid of %s", tick).isNotEqualTo(leader.pid());
		assertThat(tick.epoch()).as("epoch of %s, the new leader being %s", tick, next).isEqualTo(next.epoch());
		assertThat(tick.pid()).as("pid of %s, the new leader being %s", tick, next).isEqualTo(next.pid());
		return new Failover(leader, next, granted, tick, Duration.between(killedAt, tick.at()));
	}

	/**
	 * Wait until the cluster view has a leader that is alive, whose epoch is the newest of the tick file, and that
	 * has ticked under it.
	 */
	private static Leader awaitTickingLeader(SupervisedProcess app) {
		Leader leader = awaitLeader(app, "a live leader of the newest epoch",
				(candidate) -> SupervisedProcess.isAlive(candidate.pid()) && candidate.epoch() >= newestEpoch());
		awaitTick("a tick of " + leader, (tick) -> tick.epoch() == leader.epoch() && tick.pid() == leader.pid());
		return leader;
	}

	/** Wait until a ticking leader has at least one other ready worker, which can take over at once. */
	private static Leader awaitTickingLeaderWithReadyFollower(SupervisedProcess app) {
		await("a leader and another ready worker").atMost(REPLACE_TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> freshView(app), (view) -> view != null
					&& !view.<List<Object>>read("$.workers[?(@.leader == false && @.state == 'ready')]").isEmpty());
		return awaitTickingLeader(app);
	}

	private static Leader awaitLeader(SupervisedProcess app, String description,
			Predicate<Leader> condition) {
		try {
			return await(description).atMost(REPLACE_TIMEOUT)
				.pollInterval(Duration.ofMillis(20))
				.until(() -> leader(freshView(app)), (leader) -> leader != null && condition.test(leader));
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(ex.getMessage() + "\n" + app.describe(), ex);
		}
	}

	private static Tick awaitTick(String description, Predicate<Tick> condition) {
		try {
			return await(description).atMost(TICK_TIMEOUT)
				.pollInterval(Duration.ofMillis(20))
				.until(() -> ticks().stream().filter(condition).findFirst().orElse(null), (tick) -> tick != null);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(ex.getMessage() + ", last ticks: " + lastTicks(5) + "\n" + cluster.describe(),
					ex);
		}
	}

	/**
	 * The whole tick file so far shows one leader at a time: at most one line per wall-clock second, lines in time
	 * order, each epoch from one worker and pid, and epochs that never go back.
	 */
	private static void assertOneLeaderAtATime() throws IOException {
		List<Tick> ticks = ticks();
		assertThat(ticks).as("ticks in %s", tickFile).isNotEmpty();
		Map<Instant, List<Tick>> bySecond = new TreeMap<>();
		Map<Long, Set<Long>> pidsByEpoch = new TreeMap<>();
		for (Tick tick : ticks) {
			Instant second = tick.at().truncatedTo(ChronoUnit.SECONDS);
			bySecond.computeIfAbsent(second, (key) -> new ArrayList<>()).add(tick);
			pidsByEpoch.computeIfAbsent(tick.epoch(), (epoch) -> new HashSet<>()).add(tick.pid());
		}
		assertThat(bySecond.values().stream().filter((second) -> second.size() > 1).toList())
			.as("wall-clock seconds with more than one tick").isEmpty();
		assertThat(pidsByEpoch.entrySet().stream().filter((epoch) -> epoch.getValue().size() > 1).toList())
			.as("epochs ticked by more than one pid").isEmpty();
		for (int i = 1; i < ticks.size(); i++) {
			Tick previous = ticks.get(i - 1);
			Tick tick = ticks.get(i);
			assertThat(tick.epoch()).as("epoch of line %d, %s, after %s", i + 1, tick, previous)
				.isGreaterThanOrEqualTo(previous.epoch());
			assertThat(tick.at()).as("instant of line %d, %s, after %s", i + 1, tick, previous)
				.isAfter(previous.at());
		}
	}

	/** The complete lines of the tick file (the last one may be being written). */
	private static List<Tick> ticks() throws IOException {
		if (!Files.exists(tickFile)) {
			return List.of();
		}
		String text = Files.readString(tickFile);
		String complete = text.substring(0, text.lastIndexOf('\n') + 1);
		List<Tick> ticks = new ArrayList<>();
		for (String line : complete.lines().toList()) {
			Matcher tick = TICK.matcher(line.strip());
			assertThat(tick.matches()).as("line %d of %s: %s", ticks.size() + 1, tickFile, line).isTrue();
			ticks.add(new Tick(Long.parseLong(tick.group(1)), Integer.parseInt(tick.group(2)),
					Long.parseLong(tick.group(3)), Instant.parse(tick.group(4))));
		}
		return ticks;
	}

	private static String lastTicks(int count) {
		try {
			List<Tick> ticks = ticks();
			return ticks.subList(Math.max(0, ticks.size() - count), ticks.size()).toString();
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	/** From the last tick of the old leader's epoch to the first of the new one. */
	private static String handover(Leader old, Tick first) throws IOException {
		Instant last = ticks().stream()
			.filter((tick) -> tick.epoch() == old.epoch())
			.map(Tick::at)
			.reduce((a, b) -> b)
			.orElse(null);
		return "epoch " + old.epoch() + " -> " + first.epoch() + ": "
				+ ((last != null) ? Duration.between(last, first.at()).toMillis() + " ms between ticks" : "no tick");
	}

	/**
	 * Wait until a view taken after the latest change lists exactly this many workers, all ready.
	 * @return that view
	 */
	private static DocumentContext awaitSettled(SupervisedProcess app, int workers) {
		return await("a cluster view of " + workers + " ready workers").atMost(REPLACE_TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> freshView(app), (view) -> view != null
					&& view.<List<String>>read("$.workers[*].state").size() == workers
					&& view.<List<String>>read("$.workers[*].state").stream().allMatch("ready"::equals));
	}

	/** The cluster view of whichever worker answers, {@code null} when the master took it before the latest change. */
	private static DocumentContext freshView(SupervisedProcess app) throws IOException, InterruptedException {
		DocumentContext view = app.cluster();
		return Instant.parse(view.read("$.at", String.class)).isBefore(changedAt) ? null : view;
	}

	/** Wait for a view taken after the latest change: a worker's kept view is at most a second old. */
	private static DocumentContext awaitFreshView(SupervisedProcess app) {
		return await("a cluster view taken after " + changedAt).atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> freshView(app), (view) -> view != null);
	}

	private static long newestEpoch() {
		try {
			return ticks().stream().mapToLong(Tick::epoch).max().orElse(0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The leader the view names, {@code null} when none (or no view); two would fail the test. */
	private static Leader leader(DocumentContext view) {
		if (view == null) {
			return null;
		}
		List<Map<String, Object>> leaders = view.read("$.workers[?(@.leader == true)]");
		assertThat(leaders).as("leaders in %s", view.jsonString()).hasSizeLessThanOrEqualTo(1);
		if (leaders.isEmpty()) {
			return null;
		}
		Map<String, Object> leader = leaders.get(0);
		return new Leader(((Number) leader.get("id")).intValue(), ((Number) leader.get("pid")).longValue(),
				view.read("$.master.leaderEpoch", Long.class));
	}

	/** The pid of a starting worker of the slot other than {@code old}, 0 when it has none (or there is no view). */
	private static long startingPid(DocumentContext view, int slot, long old) {
		if (view == null) {
			return 0;
		}
		List<Number> starting = view.read("$.workers[?(@.id == " + slot + " && @.state == 'starting')].pid");
		return starting.stream().mapToLong(Number::longValue).filter((pid) -> pid != old).findFirst().orElse(0);
	}

	private static String answer(Response response) {
		return JsonPath.read(response.body(), "$.answer");
	}

	/** What {@code GET /messages} answers on a connection to this worker. */
	private static List<String> messages(SupervisedProcess app, long pid) throws IOException {
		try (RawConnection connection = RawConnection.to(app.port(), pid, 100)) {
			RawResponse messages = connection.get("/messages");
			assertThat(messages.status()).as("GET /messages of worker %d: %s", pid, messages).isEqualTo(200);
			return JsonPath.read(messages.body(), "$");
		}
	}

	/**
	 * The leader as a cluster view names it.
	 *
	 * @param id its worker id
	 * @param pid its pid
	 * @param epoch the view's {@code master.leaderEpoch}
	 */
	private record Leader(int id, long pid, long epoch) {
	}

	/**
	 * One line of the tick file.
	 *
	 * @param epoch the leader's epoch
	 * @param worker its worker id
	 * @param pid its pid
	 * @param at when it ticked
	 */
	private record Tick(long epoch, int worker, long pid, Instant at) {

		@Override
		public String toString() {
			return this.epoch + " " + this.worker + " " + this.pid + " " + this.at;
		}

	}

	/**
	 * A failover after {@code kill -9} of a leader.
	 *
	 * @param killed the killed leader
	 * @param next the leader the view named next
	 * @param granted how long after the kill a view (up to a second old) named it
	 * @param tick the next tick
	 * @param tickAfter how long after the kill the tick's instant is
	 */
	private record Failover(Leader killed, Leader next, Duration granted, Tick tick, Duration tickAfter) {

		@Override
		public String toString() {
			return "epoch " + this.killed.epoch() + " -> " + this.next.epoch() + ": in the view after "
					+ this.granted.toMillis() + " ms, next tick after " + this.tickAfter.toMillis() + " ms";
		}

	}

}
