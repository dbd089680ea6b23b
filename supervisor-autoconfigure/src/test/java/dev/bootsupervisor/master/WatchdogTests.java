package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WatchdogSettings;
import dev.bootsupervisor.master.MasterTests.FakeFactory;
import dev.bootsupervisor.master.MasterTests.FakeProcess;
import dev.bootsupervisor.master.MasterTests.MutableClock;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.WorkerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the master's watchdog and recycling decisions, with a fake clock, fake processes and a fake
 * {@code /proc}.
 */
class WatchdogTests {

	private static final WatchdogSettings HANGS = new WatchdogSettings(Duration.ofSeconds(5), 0, 0, 0, Duration.ZERO);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final FakeFactory factory = new FakeFactory();

	/** What {@code /proc/PID/stat} says, by pid: state and CPU time; absent means state S and no CPU used. */
	private final Map<Long, ProcessSample> proc = new HashMap<>();

	private final Map<Long, RecordingConnection> connections = new HashMap<>();

	private Master master;

	@Test
	void aSilentWorkerIsHungAfterTheTimeoutAndEndedWithAThreadDumpThenTermThenKill() {
		running(HANGS);
		heartbeat(1, 0, 0);
		heartbeat(2, 0, 0);
		FakeProcess hung = process(1);
		this.clock.advance(Duration.ofMillis(4900));
		heartbeat(2, 0, 0);
		step();
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		this.clock.advance(Duration.ofMillis(200));
		step();
		WorkerHandle worker = this.master.worker(1);
		assertThat(worker.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(worker.reason()).startsWith("hung: no heartbeat for 5.1 s").contains("state S");
		assertThat(hung.dumped).isTrue();
		assertThat(hung.resumed).isFalse();
		assertThat(hung.terminated).isFalse();
		assertThat(this.connections.get(hung.pid()).sent).extracting(Frame::type)
			.containsExactly(MessageType.STOP_ACCEPTING);
		assertThat(this.master.worker(2).state()).isEqualTo(WorkerState.READY);
		this.clock.advance(Duration.ofSeconds(1));
		step();
		assertThat(hung.terminated).isTrue();
		assertThat(this.factory.started).hasSize(3);
		assertThat(this.master.worker(1).pid()).isNotEqualTo(hung.pid());
		this.clock.advance(Duration.ofSeconds(2));
		step();
		assertThat(hung.killed).isTrue();
		hung.exit(137);
		step();
		assertThat(this.master.slot(1).lastExit().reason()).startsWith("hung: no heartbeat");
		assertThat(this.master.view().restartsByReason()).containsEntry("hung", 1);
		assertThat(this.factory.started).hasSize(3);
	}

	@Test
	void aStoppedWorkerIsContinuedSoItCanDumpItsThreads() {
		running(HANGS);
		FakeProcess stopped = process(1);
		this.proc.put(stopped.pid(), new ProcessSample('T', Duration.ZERO));
		this.clock.advance(Duration.ofSeconds(5));
		heartbeat(2, 0, 0);
		step();
		assertThat(this.master.worker(1).reason()).contains("the process is stopped (state T");
		assertThat(stopped.resumed).isTrue();
		assertThat(stopped.dumped).isTrue();
	}

	@Test
	void aSilentWorkerBusyOnTheCpuIsPausedNotHungAndGetsOneMoreTimeout() {
		running(HANGS);
		heartbeat(1, 0, 0);
		FakeProcess busy = process(1);
		this.proc.put(busy.pid(), new ProcessSample('R', Duration.ofMillis(5500)));
		pass(Duration.ofSeconds(6));
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		this.proc.put(busy.pid(), new ProcessSample('R', Duration.ofMillis(9500)));
		pass(Duration.ofSeconds(4));
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.master.worker(1).reason()).startsWith("hung: no heartbeat for 10 s").contains("9.50s of CPU");
	}

	@Test
	void aWorkerThatHeartbeatsAgainAfterAPauseIsNotHung() {
		running(HANGS);
		heartbeat(1, 0, 0);
		FakeProcess paused = process(1);
		this.proc.put(paused.pid(), new ProcessSample('R', Duration.ofSeconds(6)));
		pass(Duration.ofSeconds(6));
		heartbeat(1, 0, 6_000_000_000L);
		pass(Duration.ofSeconds(4));
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		assertThat(paused.dumped).isFalse();
	}

	@Test
	void requestsInFlightWithNoneCompletedForTheTimeoutMeanHung() {
		running(HANGS);
		for (int i = 0; i < 5; i++) {
			heartbeat(1, 2, 40);
			heartbeat(2, 1, 100 + i);
			step();
			this.clock.advance(Duration.ofSeconds(1));
		}
		heartbeat(1, 2, 40);
		heartbeat(2, 1, 110);
		step();
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.master.worker(1).reason()).isEqualTo("hung: 2 request(s) in flight and none completed for 5 s");
		assertThat(this.master.worker(2).state()).isEqualTo(WorkerState.READY);
	}

	@Test
	void requestsInFlightWhileTheOldGenerationIsCollectedAreGarbageCollectionNotAHang() {
		running(HANGS);
		for (int i = 0; i < 12; i++) {
			heartbeat(1, 1, 40, 10 + i, "-", 0);
			heartbeat(2, 0, 100 + i);
			step();
			this.clock.advance(Duration.ofSeconds(1));
		}
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		// the collections stop, the request does not complete: hung after the timeout
		for (int i = 0; i < 6; i++) {
			heartbeat(1, 1, 40, 22, "-", 0);
			heartbeat(2, 0, 200 + i);
			step();
			this.clock.advance(Duration.ofSeconds(1));
		}
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.master.worker(1).reason()).startsWith("hung: 1 request(s) in flight and none completed");
	}

	@Test
	void stuckRequestsOfAStoppedProcessSaySo() {
		running(HANGS);
		this.proc.put(process(1).pid(), new ProcessSample('T', Duration.ZERO));
		for (int i = 0; i < 5; i++) {
			heartbeat(1, 1, 40);
			heartbeat(2, 0, 100 + i);
			step();
			this.clock.advance(Duration.ofSeconds(1));
		}
		heartbeat(1, 1, 40);
		step();
		assertThat(this.master.worker(1).reason())
			.isEqualTo("hung: 1 request(s) in flight and none completed for 5 s, the process is stopped (state T: "
					+ "SIGSTOP or a debugger)");
	}

	@Test
	void noHangIsDetectedWithATimeoutOfZero() {
		running(WatchdogSettings.OFF);
		this.clock.advance(Duration.ofMinutes(10));
		step();
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		assertThat(this.factory.started).hasSize(2);
	}

	@Test
	void aMasterThatDidNotRunForAWhileBlamesNoWorker() {
		running(HANGS);
		step();
		this.clock.advance(Duration.ofSeconds(20));
		step();
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		assertThat(this.master.worker(2).state()).isEqualTo(WorkerState.READY);
		for (int i = 0; i < 5; i++) {
			this.clock.advance(Duration.ofSeconds(1));
			heartbeat(2, 0, 0);
			step();
		}
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.master.worker(2).state()).isEqualTo(WorkerState.READY);
	}

	@Test
	void aBrokenWorkerIsEndedAtOnceWithItsCause() {
		running(HANGS);
		FakeProcess broken = process(2);
		message(2, Frame.of(MessageType.BROKEN, "cause", "deadlock", "detail", "threads a, b"));
		assertThat(this.master.worker(2).reason()).isEqualTo("broken: deadlock, threads a, b");
		assertThat(broken.dumped).isTrue();
		this.clock.advance(Duration.ofMillis(1100));
		step();
		assertThat(this.master.view().restartsByReason()).containsEntry("broken", 1);
		assertThat(this.master.worker(2).pid()).isNotEqualTo(broken.pid());
	}

	@Test
	void aBrokenWorkerThatExitsBeforeItsReplacementIsDueReadsRestartingNotFailed() {
		running(HANGS);
		FakeProcess broken = process(2);
		Instant reported = this.clock.instant();
		message(2, Frame.of(MessageType.BROKEN, "cause", "liveness", "detail", ""));
		assertThat(this.master.view().worker(2).state()).as("still ending").isEqualTo(WorkerState.DRAINING);
		assertThat(this.master.view().worker(2).restartAt()).as("only while restarting").isNull();
		broken.exit(1);
		step();
		assertThat(this.master.view().worker(2).state()).isEqualTo(WorkerState.RESTARTING);
		assertThat(this.master.view().worker(2).restartAt()).isEqualTo(reported.plusSeconds(1));
		this.clock.advance(Duration.ofMillis(1100));
		step();
		assertThat(this.master.view().worker(2).state()).isEqualTo(WorkerState.STARTING);
	}

	@Test
	void aBrokenReportWithAnUnknownCauseClosesTheConnectionAndChangesNothing() {
		running(HANGS);
		RecordingConnection connection = message(1, Frame.of(MessageType.BROKEN, "cause", "bored"));
		assertThat(connection.closedFor).contains("unknown BROKEN cause 'bored'");
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		assertThat(process(1).dumped).isFalse();
	}

	@Test
	void aMalformedHeartbeatClosesTheConnection() {
		running(HANGS);
		RecordingConnection connection = message(1, Frame.of(MessageType.HEARTBEAT, "heapUsed", 1, "heapMax", 2,
				"oldAfterGc", "12,abc"));
		assertThat(connection.closedFor).contains("malformed oldAfterGc");
	}

	@Test
	void hungWorkersThatHangAtEveryStartEndInTheCrashLoopLimit() {
		running(HANGS);
		for (int i = 0; i < 10 && !this.master.slot(1).failed(); i++) {
			ready(this.master.worker(1));
			this.clock.advance(Duration.ofSeconds(5));
			heartbeat(2, 0, 0);
			step();
			while (this.master.slot(1).restartAt() != null) {
				this.clock.advance(Duration.ofMillis(500));
				heartbeat(2, 0, 0);
				step();
			}
		}
		assertThat(this.master.slot(1).failed()).isTrue();
		assertThat(this.master.view().restartsByReason()).containsEntry("hung", 3);
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.RUNNING);
	}

	@Test
	void aLeakingWorkerIsRecycledReplacementFirst() {
		running(new WatchdogSettings(Duration.ZERO, 60, 0, 0, Duration.ZERO));
		oldGen(1, 3, "58.0,61.0,62.0");
		step();
		assertThat(this.factory.started).hasSize(2);
		oldGen(1, 4, "61.0,62.0,63.5");
		step();
		assertThat(this.factory.started).hasSize(3);
		FakeProcess old = process(1);
		assertThat(this.master.worker(1).pid()).isEqualTo(old.pid());
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		assertThat(old.terminated).isFalse();
		ready(this.factory.started.get(2));
		assertThat(this.master.worker(1).pid()).isEqualTo(this.factory.started.get(2).pid());
		assertThat(old.terminated).isTrue();
		assertThat(this.master.view().restartsByReason()).containsEntry("memory", 1);
		assertThat(this.master.view().workers()).anySatisfy((view) -> {
			assertThat(view.pid()).isEqualTo(old.pid());
			assertThat(view.reason()).startsWith("recycled (memory: old generation at 61.0%, 62.0%, 63.5%");
		});
	}

	@Test
	void workersAreRecycledOneAtATimeAfterMaxRequests() {
		running(new WatchdogSettings(Duration.ZERO, 0, 500, 100, Duration.ZERO));
		heartbeat(1, 0, 499);
		heartbeat(2, 0, 499);
		step();
		assertThat(this.factory.started).hasSize(2);
		heartbeat(1, 0, 600);
		heartbeat(2, 0, 600);
		step();
		assertThat(this.factory.started).hasSize(3);
		step();
		assertThat(this.factory.started).hasSize(3);
		ready(this.factory.started.get(2));
		step();
		// the first recycle's old worker still drains: a second recycle now would make two extra workers
		assertThat(this.factory.started).hasSize(3);
		this.factory.started.get(0).exit(0);
		step();
		assertThat(this.factory.started).hasSize(4);
		ready(this.factory.started.get(3));
		assertThat(this.master.view().restartsByReason()).containsEntry("max-requests", 2);
		assertThat(this.master.worker(1).generation()).isEqualTo(2);
		assertThat(this.master.worker(2).generation()).isEqualTo(2);
	}

	@Test
	void theJitterGivesEachWorkerItsOwnLimitWithinTheRange() {
		List<Long> limits = new ArrayList<>();
		for (int seed = 0; seed < 20; seed++) {
			Master master = new Master(settings(1, new WatchdogSettings(Duration.ZERO, 0, 500, 100, Duration.ZERO)),
					new FakeFactory(), this.clock, this.clock.instant(), 8080, this::sample, new SplittableRandom(seed));
			this.master = master;
			master.start();
			ready(this.master.worker(1));
			long completed = 499;
			while (this.master.view().restartsByReason().isEmpty()) {
				heartbeat(1, 0, ++completed);
				step();
			}
			limits.add(completed);
		}
		assertThat(limits).allMatch((limit) -> limit >= 500 && limit <= 600);
		assertThat(limits.stream().distinct().count()).isGreaterThan(5);
	}

	@Test
	void aWorkerIsRecycledAfterItsMaxLifetime() {
		running(new WatchdogSettings(Duration.ZERO, 0, 0, 0, Duration.ofHours(1)));
		this.clock.advance(Duration.ofMinutes(59));
		step();
		assertThat(this.factory.started).hasSize(2);
		this.clock.advance(Duration.ofMinutes(1));
		step();
		assertThat(this.factory.started).hasSize(3);
		assertThat(this.master.view().restartsByReason()).containsEntry("max-lifetime", 1);
	}

	@Test
	void aReloadCancelsTheRecycleInProgressAndReplacesEveryWorker() {
		running(new WatchdogSettings(Duration.ZERO, 0, 0, 0, Duration.ofHours(1)));
		this.clock.advance(Duration.ofHours(1));
		step();
		FakeProcess recycleReplacement = this.factory.started.get(2);
		this.master.signal("HUP");
		step();
		assertThat(recycleReplacement.terminated).isTrue();
		assertThat(this.master.reloading()).isTrue();
		assertThat(this.factory.started).hasSize(4);
	}

	@Test
	void aRecycleWhoseReplacementFailsLeavesTheOldWorkerServingAndIsRetriedLater() {
		running(new WatchdogSettings(Duration.ZERO, 0, 0, 0, Duration.ofHours(1)));
		this.clock.advance(Duration.ofHours(1));
		step();
		this.factory.started.get(2).exit(1);
		step();
		assertThat(this.master.worker(1).pid()).isEqualTo(process(1).pid());
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
		// the other worker's recycle goes first; then worker 1 waits out the longest backoff
		ready(this.factory.started.get(3));
		this.factory.started.get(1).exit(0);
		this.clock.advance(Duration.ofSeconds(29));
		step();
		assertThat(this.factory.started).hasSize(4);
		this.clock.advance(Duration.ofSeconds(2));
		step();
		assertThat(this.factory.started).hasSize(5);
	}

	private void running(WatchdogSettings watchdog) {
		this.master = new Master(settings(2, watchdog), this.factory, this.clock, this.clock.instant(), 8080,
				this::sample, new SplittableRandom(42));
		this.master.start();
		ready(this.factory.started.get(0));
		ready(this.factory.started.get(1));
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.RUNNING);
	}

	private ProcessSample sample(long pid) {
		return this.proc.getOrDefault(pid, new ProcessSample('S', Duration.ZERO));
	}

	private FakeProcess process(int id) {
		long pid = this.master.worker(id).pid();
		return this.factory.started.stream().filter((p) -> p.pid() == pid).findFirst().orElseThrow();
	}

	private void ready(FakeProcess process) {
		ready(this.master.byPid(process.pid()));
	}

	private void ready(WorkerHandle worker) {
		RecordingConnection connection = new RecordingConnection(this.connections.size() + 1);
		connection.role("worker");
		this.connections.put(worker.pid(), connection);
		this.master.post(new MasterEvent.WorkerConnected(connection, worker.workerId(), worker.generation(),
				worker.pid()));
		this.master.post(new MasterEvent.Message(connection, Frame.of(MessageType.READY)));
		this.master.drain();
	}

	private void heartbeat(int id, long inFlight, long completed) {
		heartbeat(id, inFlight, completed, 0, "-", 0);
	}

	private void heartbeat(int id, long inFlight, long completed, long cpu) {
		heartbeat(id, inFlight, completed, 0, "-", cpu);
	}

	private void oldGen(int id, long collections, String afterGc) {
		heartbeat(id, 0, 0, collections, afterGc, 0);
	}

	private void heartbeat(int id, long inFlight, long completed, long collections, String afterGc, long cpu) {
		message(id, Frame.of(MessageType.HEARTBEAT, "heapUsed", 1, "heapMax", 2, "health", "UP", "cpu", cpu,
				"inFlight", inFlight, "completed", completed, "oldCollections", collections, "oldAfterGc", afterGc));
	}

	private RecordingConnection message(int id, Frame frame) {
		RecordingConnection connection = this.connections.get(this.master.worker(id).pid());
		this.master.post(new MasterEvent.Message(connection, frame));
		this.master.drain();
		return connection;
	}

	private void step() {
		this.master.drain();
		this.master.tick();
	}

	/** Let time pass as the master's loop sees it, in half seconds, worker 2 sending its heartbeats. */
	private void pass(Duration duration) {
		for (long i = 0; i < duration.toMillis() / 500; i++) {
			this.clock.advance(Duration.ofMillis(500));
			heartbeat(2, 0, 0);
			step();
		}
	}

	private static SupervisorSettings settings(int workers, WatchdogSettings watchdog) {
		return new SupervisorSettings("test", workers, null, 8080, 100, Duration.ofSeconds(1), Duration.ofSeconds(30),
				Duration.ofMinutes(1), 3, Duration.ofSeconds(60 * 5), Duration.ofMinutes(5), Duration.ofSeconds(30),
				Duration.ofMinutes(2), Path.of("/nonexistent"), watchdog);
	}

	/** A connection that keeps what the master sends it and why it was closed. */
	private static final class RecordingConnection extends ChannelConnection {

		private final List<Frame> sent = new ArrayList<>();

		private String closedFor;

		RecordingConnection(int id) {
			super(id, null);
		}

		@Override
		synchronized void send(Frame frame) {
			this.sent.add(frame);
		}

		@Override
		void close(String reason) {
			this.closedFor = reason;
		}

	}

}
