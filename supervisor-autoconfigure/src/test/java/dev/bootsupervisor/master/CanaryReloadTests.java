package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.bootsupervisor.base.CanarySettings;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WatchdogSettings;
import dev.bootsupervisor.master.MasterTests.FakeFactory;
import dev.bootsupervisor.master.MasterTests.FakeProcess;
import dev.bootsupervisor.master.MasterTests.MutableClock;
import dev.bootsupervisor.master.MasterTests.RecordingConnection;
import dev.bootsupervisor.protocol.CanaryResult;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ReloadRecord;
import dev.bootsupervisor.protocol.RequestFigures;
import dev.bootsupervisor.protocol.WorkerState;
import dev.bootsupervisor.protocol.WorkerView;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for a reload's canary, with a fake clock, fake processes and the request figures of heartbeats.
 */
class CanaryReloadTests {

	private static final CanarySettings CANARY = new CanarySettings(Duration.ofSeconds(10), 50, 1.0, 2.0,
			Duration.ofMillis(20));

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final FakeFactory factory = new FakeFactory();

	private Master master;

	private WatchdogSettings watchdog = WatchdogSettings.OFF;

	private int workers;

	private CanarySettings canary = CANARY;

	private final Map<Long, ChannelConnection> connections = new LinkedHashMap<>();

	private final Map<Long, long[]> served = new LinkedHashMap<>();

	@Test
	void aCanaryWithMoreServerErrorsIsDrainedAndTheReloadRolledBack() {
		RecordingConnection control = reloadWithCanary(2);
		FakeProcess canary = this.factory.started.get(2);
		period(60, 40, 5);
		assertThat(canary.terminated).as("the canary drains").isTrue();
		assertThat(this.factory.started.get(0).terminated).as("the old worker of its slot").isFalse();
		assertThat(this.factory.started.get(1).terminated).isFalse();
		assertThat(control.sent).as("answered once the canary stopped accepting").isEmpty();
		draining(canary.pid);
		assertThat(control.sent).hasSize(1);
		assertThat(control.sent.get(0).get("ok")).contains("false");
		assertThat(control.sent.get(0).get("message").orElseThrow())
			.contains("canary worker 1: 40.0% 5xx against 0.0% on the old workers over 10 s (100 requests)");
		canary.exit(0);
		step();
		assertThat(this.master.reloading()).isFalse();
		assertThat(this.factory.started).as("no other slot was touched").hasSize(3);
		assertThat(this.master.worker(1).pid()).isEqualTo(this.factory.started.get(0).pid);
		ReloadRecord reload = onlyReload();
		assertThat(reload.outcome()).isEqualTo("canary-failed");
		assertThat(reload.trigger()).isEqualTo("reload command");
		CanaryResult result = reload.canary();
		assertThat(result.passed()).isFalse();
		assertThat(result.requests()).isEqualTo(100);
		assertThat(result.errorPercent()).isEqualTo(40.0);
		assertThat(result.oldRequests()).isEqualTo(400);
		assertThat(this.master.view().reloadsByOutcome()).containsEntry("failure", 1);
	}

	@Test
	void aPassingCanaryTakesItsSlotAndTheReloadGoesOn() {
		RecordingConnection control = reloadWithCanary(2);
		FakeProcess canary = this.factory.started.get(2);
		serve(canary.pid, 50, 0, 6);
		this.clock.advance(Duration.ofSeconds(5));
		step();
		serve(canary.pid, 50, 0, 6);
		serve(this.factory.started.get(0).pid, 200, 0, 5);
		serve(this.factory.started.get(1).pid, 200, 0, 5);
		this.clock.advance(Duration.ofSeconds(4));
		step();
		assertThat(this.factory.started.get(0).terminated).as("before its period is over").isFalse();
		this.clock.advance(Duration.ofSeconds(1));
		step();
		assertThat(this.factory.started.get(0).terminated).as("the old worker of the canary's slot drains").isTrue();
		assertThat(this.master.worker(1).pid()).isEqualTo(canary.pid);
		this.factory.started.get(0).exit(0);
		step();
		assertThat(this.factory.started).as("the next slot's replacement").hasSize(4);
		connectAndReady(this.factory.started.get(3).pid);
		assertThat(this.factory.started.get(1).terminated).as("no canary for the next slots").isTrue();
		draining(this.factory.started.get(1).pid);
		assertThat(control.sent.get(0).get("ok")).contains("true");
		ReloadRecord reload = onlyReloadAfter(this.factory.started.get(1));
		assertThat(reload.outcome()).isEqualTo("succeeded");
		assertThat(reload.canary().passed()).isTrue();
		assertThat(reload.canary().verdict())
			.startsWith("canary worker 1: passed: 0.0% 5xx against 0.0% on the old workers, p99");
	}

	@Test
	void aSlowerCanaryIsCaughtByTheLatencyRule() {
		RecordingConnection control = reloadWithCanary(2);
		FakeProcess canary = this.factory.started.get(2);
		period(100, 0, 250);
		draining(canary.pid);
		assertThat(control.sent.get(0).get("message").orElseThrow())
			.contains("canary worker 1: p99 ")
			.contains("against 5.7 ms on the old workers in the second half over 10 s (100 requests), more than "
					+ "canary-max-latency-ratio=2 times theirs and 20 ms slower");
	}

	@Test
	void aCanaryWithTooFewRequestsPassesOnItsHealthAloneAndSaysSo() {
		reloadWithCanary(2);
		FakeProcess canary = this.factory.started.get(2);
		period(3, 2, 5);
		assertThat(this.factory.started.get(0).terminated).isTrue();
		assertThat(this.master.worker(1).pid()).isEqualTo(canary.pid);
	}

	@Test
	void aPeriodTooShortForAJvmToWarmUpJudgesNoLatency() {
		this.canary = new CanarySettings(Duration.ofSeconds(1), 50, 1.0, 2.0, Duration.ofMillis(20));
		RecordingConnection control = reloadWithCanary(2);
		FakeProcess canary = this.factory.started.get(2);
		serve(canary.pid, 100, 0, 250);
		serve(this.factory.started.get(0).pid, 100, 0, 5);
		this.clock.advance(Duration.ofSeconds(1));
		step();
		assertThat(this.master.worker(1).pid()).isEqualTo(canary.pid);
		draining(this.factory.started.get(0).pid);
		this.factory.started.get(0).exit(0);
		step();
		connectAndReady(this.factory.started.get(3).pid);
		draining(this.factory.started.get(1).pid);
		assertThat(control.sent.get(0).get("message").orElseThrow()).contains("latency not compared, a canary period "
				+ "of 1 s leaves no time after the first 2 s of a JVM that just started");
	}

	@Test
	void aCanaryThatCrashesDuringItsPeriodRollsTheReloadBack() {
		RecordingConnection control = reloadWithCanary(2);
		FakeProcess canary = this.factory.started.get(2);
		this.clock.advance(Duration.ofSeconds(3));
		canary.exit(1);
		step();
		assertThat(this.master.reloading()).isFalse();
		assertThat(control.sent.get(0).get("ok")).contains("false");
		assertThat(control.sent.get(0).get("message").orElseThrow())
			.contains("canary worker 1 exited with exit code 1 3 s into its canary period");
		assertThat(this.factory.started.get(0).terminated).isFalse();
		this.clock.advance(Duration.ofMinutes(1));
		step();
		assertThat(this.factory.started).as("no restart of a failed canary").hasSize(3);
		assertThat(onlyReload().outcome()).isEqualTo("canary-failed");
	}

	@Test
	void aCanaryFoundHungDuringItsPeriodIsEndedAndTheReloadRolledBack() {
		this.watchdog = new WatchdogSettings(Duration.ofSeconds(5), 0, 0, 0, Duration.ZERO);
		RecordingConnection control = reloadWithCanary(2);
		FakeProcess canary = this.factory.started.get(2);
		for (int second = 0; second < 6; second++) {
			this.clock.advance(Duration.ofSeconds(1));
			// the old workers keep their heartbeats, the canary has gone silent
			serve(this.factory.started.get(0).pid, 1, 0, 5);
			serve(this.factory.started.get(1).pid, 1, 0, 5);
		}
		assertThat(canary.dumped).as("its threads dumped, as any hung worker's").isTrue();
		this.clock.advance(Duration.ofSeconds(15));
		step();
		assertThat(canary.terminated || canary.killed).isTrue();
		canary.exit(137);
		step();
		assertThat(control.sent.get(0).get("ok")).contains("false");
		assertThat(control.sent.get(0).get("message").orElseThrow())
			.contains("canary worker 1 was ended (hung");
		assertThat(this.factory.started.get(0).terminated).isFalse();
		assertThat(this.master.reloading()).isFalse();
	}

	@Test
	void aReloadOfOneWorkerJudgesItsOnlyReplacementBeforeTheOldWorkerIsRetired() {
		reloadWithCanary(1);
		FakeProcess old = this.factory.started.get(0);
		FakeProcess canary = this.factory.started.get(1);
		assertThat(old.terminated).as("the old worker serves beside the canary").isFalse();
		ClusterView view = this.master.view();
		assertThat(view.workers()).extracting(WorkerView::pid).containsExactly(old.pid, canary.pid);
		assertThat(view.worker(1).state()).isEqualTo(WorkerState.READY);
		period(50, 50, 5);
		assertThat(old.terminated).isFalse();
		assertThat(canary.terminated).isTrue();
	}

	@Test
	void theHistoryKeepsTheLatestTenReloads() throws Exception {
		start(1, CanarySettings.OFF);
		for (int i = 0; i < 12; i++) {
			this.master.signal("HUP");
			step();
			FakeProcess replacement = this.factory.started.get(this.factory.started.size() - 1);
			connectAndReady(replacement.pid);
			this.factory.started.get(this.factory.started.size() - 2).exit(0);
			step();
		}
		List<ReloadRecord> history = this.master.view().reloadHistory();
		assertThat(history).hasSize(10).allSatisfy((reload) -> {
			assertThat(reload.outcome()).isEqualTo("succeeded");
			assertThat(reload.trigger()).isEqualTo("SIGHUP");
			assertThat(reload.canary()).isNull();
		});
		assertThat(ClusterView.fromFrame(ClusterView.toFrame(this.master.view())).reloadHistory())
			.isEqualTo(history);
	}

	private RecordingConnection reloadWithCanary(int workers) {
		start(workers, this.canary);
		for (int i = 0; i < workers; i++) {
			serve(this.factory.started.get(i).pid, 0, 0, 5);
		}
		RecordingConnection control = new RecordingConnection();
		control.role("control");
		this.master.post(new MasterEvent.Message(control, Frame.of(MessageType.REQUEST, "command", "reload")));
		step();
		FakeProcess canary = this.factory.started.get(workers);
		connectAndReady(canary.pid);
		serve(canary.pid, 0, 0, 5);
		assertThat(this.factory.started.get(0).terminated).as("the old worker serves beside the canary").isFalse();
		this.workers = workers;
		return control;
	}

	private void start(int workers, CanarySettings canary) {
		this.master = new Master(settings(workers).withCanary(canary).withWatchdog(this.watchdog), this.factory,
				this.clock, this.clock.instant(), 8080, (pid) -> new ProcessSample('S', Duration.ZERO),
				new SplittableRandom(7));
		this.master.start();
		for (int i = 0; i < workers; i++) {
			connectAndReady(this.factory.started.get(i).pid);
		}
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.RUNNING);
	}

	private void connectAndReady(long pid) {
		for (WorkerView view : this.master.view().workers()) {
			if (view.pid() == pid) {
				ChannelConnection connection = new ChannelConnection((int) pid, null);
				connection.role("worker");
				this.master.post(new MasterEvent.WorkerConnected(connection, view.id(), view.generation(), pid));
				this.master.post(new MasterEvent.Message(connection, Frame.of(MessageType.READY)));
				this.master.drain();
				this.connections.put(pid, connection);
				return;
			}
		}
		throw new AssertionError("no worker with pid " + pid);
	}

	/**
	 * The canary's period goes by: in each half, the canary answers half the given requests and every old worker
	 * 100, fine and fast.
	 */
	private void period(long ok, long errors, long millis) {
		for (int half = 0; half < 2; half++) {
			serve(this.factory.started.get(this.workers).pid, ok / 2 + half * (ok % 2), errors / 2 + half * (errors % 2),
					millis);
			for (int i = 0; i < this.workers; i++) {
				serve(this.factory.started.get(i).pid, 100, 0, 5);
			}
			this.clock.advance(Duration.ofSeconds(5));
			step();
		}
	}

	/** The worker answers more requests (its heartbeat carries every request since it started). */
	private void serve(long pid, long ok, long errors, long millis) {
		long[] total = this.served.computeIfAbsent(pid, (p) -> new long[RequestFigures.BUCKETS + 5]);
		total[1] += ok;
		total[4] += errors;
		total[5 + RequestFigures.bucket(millis * 1_000_000)] += ok + errors;
		long[] statuses = new long[5];
		System.arraycopy(total, 0, statuses, 0, 5);
		long[] latencies = new long[RequestFigures.BUCKETS];
		System.arraycopy(total, 5, latencies, 0, RequestFigures.BUCKETS);
		Map<String, String> fields = new LinkedHashMap<>(Map.of("heapUsed", "1", "heapMax", "100", "health", "UP"));
		fields.putAll(new RequestFigures(statuses, latencies).fields());
		this.master.post(new MasterEvent.Message(this.connections.get(pid), new Frame(MessageType.HEARTBEAT, fields)));
		step();
	}

	private void draining(long pid) {
		this.master.post(new MasterEvent.Message(this.connections.get(pid),
				Frame.of(MessageType.DRAINING, "reason", "worker is shutting down")));
		step();
	}

	private ReloadRecord onlyReload() {
		List<ReloadRecord> history = this.master.view().reloadHistory();
		assertThat(history).hasSize(1);
		return history.get(0);
	}

	private ReloadRecord onlyReloadAfter(FakeProcess lastOld) {
		lastOld.exit(0);
		step();
		assertThat(this.master.reloading()).isFalse();
		return onlyReload();
	}

	private void step() {
		this.master.drain();
		this.master.tick();
	}

	private static SupervisorSettings settings(int workers) {
		return new SupervisorSettings("test", workers, null, 8080, 100, Duration.ofSeconds(1), Duration.ofSeconds(30),
				Duration.ofMinutes(1), 3, Duration.ofSeconds(60 * 5), Duration.ofMinutes(5), Duration.ofSeconds(30),
				Duration.ofMinutes(2), java.nio.file.Path.of("/nonexistent"));
	}

}
