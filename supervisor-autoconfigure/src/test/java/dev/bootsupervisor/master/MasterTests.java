package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.bootsupervisor.autoconfigure.SupervisorProperties;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.WorkerState;
import dev.bootsupervisor.protocol.WorkerView;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Master}'s decisions, with a fake clock and fake processes.
 */
class MasterTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final FakeFactory factory = new FakeFactory();

	private final Master master = new Master(settings(2), this.factory, this.clock, this.clock.instant(), 8080);

	@Test
	void startsEveryWorkerAndIsReadyWhenAllReportReady() {
		this.master.start();
		assertThat(this.factory.started).hasSize(2);
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STARTING);
		ready(1);
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STARTING);
		ready(2);
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.RUNNING);
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.READY);
	}

	@Test
	void aWorkerWithoutAWebServerIsReadyWithNoWebServerNotAcceptingConnections() {
		Master noPort = new Master(settings(1), this.factory, this.clock, this.clock.instant(), -1);
		noPort.start();
		connectAndReady(noPort, 1);
		assertThat(noPort.view().worker(1).reason()).isEqualTo("application ready (no web server)");
		this.master.start();
		ready(1);
		assertThat(this.master.view().worker(1).reason()).isEqualTo("application ready, accepting connections");
	}

	@Test
	void workerExitBeforeReadyStopsEverythingWithoutRestartWithExitCodeThree() {
		this.master.start();
		ready(1);
		this.factory.started.get(1).exit(1);
		step();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STOPPING);
		assertThat(this.factory.started.get(0).terminated).isTrue();
		this.factory.started.get(0).exit(0);
		this.clock.advance(Duration.ofSeconds(5));
		step();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STOPPED);
		assertThat(this.master.exitCode()).isEqualTo(3);
		assertThat(this.factory.started).hasSize(2);
	}

	@Test
	void aStartFailureOnAnEmbeddedDatabaseInUseNamesItsRootCauseAndTheWaysOut() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY);
		cluster.master.start();
		cluster.ready(cluster.master.worker(1));
		cluster.connect(cluster.master.worker(2));
		cluster.from(2, Frame.of(MessageType.FAILED, "error", "JdbcSQLNonTransientConnectionException: Database may "
				+ "be already in use: \"/tmp/db.mv.db\" (the root cause of BeanCreationException: Error creating bean "
				+ "with name 'entityManagerFactory')"));
		cluster.process(cluster.master.worker(2).pid()).exit(1);
		assertThat(cluster.master.exitCode()).isEqualTo(3);
		assertThat(cluster.master.failure())
			.startsWith("worker 2 (pid 2001) exited with exit code 1 before the cluster was ready: "
					+ "JdbcSQLNonTransientConnectionException: Database may be already in use")
			.contains("AUTO_SERVER=TRUE", "an external database", "supervisor.workers=1");
	}

	@Test
	void aStartFailureOnAnotherCauseGetsNoDatabaseAdvice() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY);
		cluster.master.start();
		cluster.connect(cluster.master.worker(1));
		cluster.from(1, Frame.of(MessageType.FAILED, "error", "IllegalStateException: no key"));
		cluster.process(cluster.master.worker(1).pid()).exit(1);
		assertThat(cluster.master.failure()).endsWith("before the cluster was ready: IllegalStateException: no key");
	}

	@Test
	void theWaysOutOfAResourceOneProcessHolds() {
		assertThat(ExclusiveResources.advice("JdbcSQLNonTransientConnectionException: The file is locked: nio:/d"))
			.contains("AUTO_SERVER=TRUE");
		assertThat(ExclusiveResources.advice("HsqlException: Database lock acquisition failure: lockFile: "
				+ "org.hsqldb.persist.LockFile@1 [file =/d.lck, exists=true, locked=false]")).contains("external");
		assertThat(ExclusiveResources.advice("StandardException: Another instance of Derby may have already booted "
				+ "the database /d.")).contains("supervisor.workers=1");
		assertThat(ExclusiveResources.advice("OverlappingFileLockException: null")).contains("its own file");
		assertThat(ExclusiveResources.advice("LockObtainFailedException: Lock held by another program: /i/write.lock"))
			.contains("its own file");
		assertThat(ExclusiveResources.advice("HibernateException: Unable to determine Dialect")).isEmpty();
	}

	@Test
	void crashedWorkerIsRestartedAfterABackoffThatDoubles() {
		runningCluster();
		this.factory.started.get(0).exit(137);
		step();
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.RESTARTING);
		assertThat(this.master.worker(1).exit().signal()).isEqualTo("KILL");
		this.clock.advance(Duration.ofMillis(900));
		step();
		assertThat(this.factory.started).hasSize(2);
		this.clock.advance(Duration.ofMillis(200));
		step();
		assertThat(this.factory.started).hasSize(3);
		assertThat(this.master.worker(1).generation()).isEqualTo(2);
		assertThat(this.master.worker(1).pid()).isNotEqualTo(this.factory.started.get(0).pid());
		this.factory.started.get(2).exit(1);
		step();
		this.clock.advance(Duration.ofMillis(1900));
		step();
		assertThat(this.factory.started).hasSize(3);
		this.clock.advance(Duration.ofMillis(200));
		step();
		assertThat(this.factory.started).hasSize(4);
		assertThat(this.master.slot(1).restarts()).isEqualTo(2);
	}

	@Test
	void aCrashedWorkerReadsRestartingUntilItsBackoffIsOverNeverFailed() {
		runningCluster();
		this.clock.advance(Duration.ofSeconds(10));
		Instant crash = this.clock.instant();
		this.factory.started.get(0).exit(1);
		step();
		WorkerView waiting = this.master.view().worker(1);
		assertThat(waiting.state()).isEqualTo(WorkerState.RESTARTING);
		assertThat(waiting.restartAt()).as("the backoff's decision").isEqualTo(crash.plusSeconds(1))
			.isEqualTo(this.master.slot(1).restartAt());
		assertThat(waiting.reason()).isEqualTo("crashed, exit code 1");
		assertThat(waiting.alive()).isFalse();
		assertThat(waiting.lastExitReason()).isEqualTo("crashed");
		this.clock.advance(Duration.ofMillis(900));
		step();
		assertThat(this.master.view().worker(1).state()).isEqualTo(WorkerState.RESTARTING);
		this.clock.advance(Duration.ofMillis(100));
		step();
		WorkerView restarted = this.master.view().worker(1);
		assertThat(restarted.state()).isEqualTo(WorkerState.STARTING);
		assertThat(restarted.restartAt()).isNull();
		// the second crash in a row waits twice as long
		this.factory.started.get(2).exit(1);
		step();
		assertThat(this.master.view().worker(1).restartAt()).isEqualTo(this.clock.instant().plusSeconds(2));
		assertThat(this.master.view().workers()).extracting(WorkerView::state)
			.containsExactly(WorkerState.RESTARTING, WorkerState.READY);
	}

	@Test
	void onlyASlotGivenUpAfterACrashLoopReadsFailed() {
		runningCluster();
		for (int restart = 1; restart <= 3; restart++) {
			lastWorkerOf(1).exit(1);
			step();
			assertThat(this.master.view().worker(1).state()).as("after crash %d", restart)
				.isEqualTo(WorkerState.RESTARTING);
			this.clock.advance(Duration.ofSeconds(31));
			step();
		}
		lastWorkerOf(1).exit(1);
		step();
		WorkerView failed = this.master.view().worker(1);
		assertThat(failed.state()).isEqualTo(WorkerState.FAILED);
		assertThat(failed.reason()).isEqualTo("failed to start, exit code 1; crash loop, not restarted");
		assertThat(failed.restartAt()).isNull();
		assertThat(this.master.slot(1).failed()).isTrue();
		assertThat(this.master.view().worker(2).state()).isEqualTo(WorkerState.READY);
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.RUNNING);
	}

	@Test
	void aSlotWaitingForItsRestartIsStoppedWhenTheMasterStops() {
		runningCluster();
		this.factory.started.get(0).exit(1);
		step();
		this.master.stop("stop command", 0);
		WorkerView stopped = this.master.view().worker(1);
		assertThat(stopped.state()).isEqualTo(WorkerState.STOPPED);
		assertThat(stopped.reason()).endsWith("not restarted: the master is stopping (stop command)");
		assertThat(stopped.restartAt()).isNull();
	}

	@Test
	void aWorkerKilledForItsStartupTimeoutIsRestartedForThatReason() {
		runningCluster();
		this.factory.started.get(0).exit(1);
		step();
		this.clock.advance(Duration.ofSeconds(1));
		step();
		this.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
		step();
		assertThat(this.factory.started.get(2).killed).isTrue();
		this.factory.started.get(2).exit(137);
		step();
		assertThat(this.master.view().worker(1).state()).isEqualTo(WorkerState.RESTARTING);
		this.clock.advance(Duration.ofSeconds(2));
		step();
		assertThat(this.master.view().restartsByReason()).containsEntry("crash", 1)
			.containsEntry("startup-timeout", 1);
	}

	@Test
	void backoffStartsOverAfterAWorkerWasReadyLongEnough() {
		runningCluster();
		this.factory.started.get(0).exit(1);
		step();
		this.clock.advance(Duration.ofSeconds(1));
		step();
		ready(1);
		this.clock.advance(Duration.ofMinutes(2));
		this.factory.started.get(2).exit(1);
		step();
		this.clock.advance(Duration.ofSeconds(1));
		step();
		assertThat(this.factory.started).hasSize(4);
	}

	@Test
	void slotIsFailedAfterTooManyRestartsAndMasterExitsWhenNoneIsLeft() {
		Master single = new Master(settings(1), this.factory, this.clock, this.clock.instant(), 8080);
		single.start();
		connectAndReady(single, 1);
		for (int i = 0; i < 4; i++) {
			this.factory.started.get(this.factory.started.size() - 1).exit(1);
			single.drain();
			single.tick();
			this.clock.advance(Duration.ofSeconds(31));
			single.tick();
		}
		assertThat(this.factory.started).hasSize(4);
		assertThat(single.slot(1).failed()).isTrue();
		assertThat(single.phase()).isEqualTo(ClusterPhase.STOPPED);
		assertThat(single.exitCode()).isEqualTo(1);
	}

	@Test
	void crashLoopIsDetectedWithTheDefaultSettings() {
		SupervisorProperties defaults = new SupervisorProperties();
		SupervisorProperties.Restart restart = defaults.getRestart();
		SupervisorSettings settings = new SupervisorSettings("test", 1, null, 8080, 100, restart.getBackoffInitial(),
				restart.getBackoffMax(), restart.getBackoffReset(), restart.getMaxRestarts(), restart.getWindow(),
				defaults.getStartupTimeout(), defaults.getShutdownTimeout(), defaults.getStartupTimeout(),
				Path.of("/nonexistent"));
		Master single = new Master(settings, this.factory, this.clock, this.clock.instant(), 8080);
		single.start();
		connectAndReady(single, 1);
		this.clock.advance(Duration.ofMinutes(5));
		// every replacement fails to boot after 3 s: the backoff grows to its maximum, the loop must still end
		for (int i = 0; i < 40 && !single.slot(1).failed(); i++) {
			this.factory.started.get(this.factory.started.size() - 1).exit(1);
			single.drain();
			single.tick();
			while (single.slot(1).restartAt() != null) {
				this.clock.advance(Duration.ofMillis(500));
				single.tick();
			}
			this.clock.advance(Duration.ofSeconds(3));
		}
		assertThat(single.slot(1).failed()).isTrue();
		assertThat(single.slot(1).restarts()).isEqualTo(restart.getMaxRestarts());
		assertThat(single.phase()).isEqualTo(ClusterPhase.STOPPED);
		assertThat(single.exitCode()).isEqualTo(1);
	}

	@Test
	void termStopsWorkersGracefullyAndExitsZeroWhenAllStopCleanly() {
		runningCluster();
		this.master.signal("TERM");
		step();
		assertThat(this.factory.started).allMatch((p) -> p.terminated && !p.killed);
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.DRAINING);
		this.factory.started.forEach((p) -> p.exit(0));
		step();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STOPPED);
		assertThat(this.master.exitCode()).isZero();
		assertThat(this.master.worker(2).state()).isEqualTo(WorkerState.STOPPED);
	}

	@Test
	void workersStillRunningAfterTheShutdownTimeoutAreKilled() {
		runningCluster();
		this.master.signal("INT");
		step();
		this.factory.started.get(0).exit(0);
		this.clock.advance(Duration.ofSeconds(29));
		step();
		assertThat(this.factory.started.get(1).killed).isFalse();
		this.clock.advance(Duration.ofSeconds(2));
		step();
		assertThat(this.factory.started.get(1).killed).isTrue();
		this.factory.started.get(1).exit(137);
		step();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STOPPED);
		assertThat(this.master.exitCode()).isEqualTo(1);
		assertThat(this.master.worker(2).exit().reason()).startsWith("killed");
	}

	@Test
	void notReadyWithinTheStartupTimeoutStopsWithExitCodeThree() {
		this.master.start();
		ready(1);
		this.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
		step();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STOPPING);
		this.factory.started.forEach((p) -> p.exit(0));
		step();
		assertThat(this.master.exitCode()).isEqualTo(3);
	}

	@Test
	void hangupReloadsOneSlotAtATimeStartingTheReplacementBeforeStoppingTheOldWorker() {
		runningCluster();
		this.master.signal("HUP");
		step();
		assertThat(this.factory.started).hasSize(3);
		assertThat(this.factory.started.get(0).terminated).isFalse();
		readyByPid(this.factory.started.get(2).pid());
		assertThat(this.factory.started.get(0).terminated).isTrue();
		assertThat(this.master.worker(1).generation()).isEqualTo(2);
		assertThat(this.factory.started).as("at most one extra worker").hasSize(3);
		this.factory.started.get(0).exit(0);
		step();
		assertThat(this.factory.started).hasSize(4);
		assertThat(this.factory.started.get(1).terminated).isFalse();
		readyByPid(this.factory.started.get(3).pid());
		this.factory.started.get(1).exit(0);
		step();
		assertThat(this.master.reloading()).isFalse();
		assertThat(this.master.view().reloadsByOutcome()).containsEntry("success", 1);
		assertThat(this.master.view().workers()).extracting((w) -> w.generation()).containsExactly(2, 2);
	}

	@Test
	void reloadWhoseReplacementFailsIsRolledBackAndTheOldWorkersKeepServing() {
		runningCluster();
		this.master.signal("HUP");
		step();
		this.master.signal("HUP");
		step();
		assertThat(this.factory.started).as("a second reload is not queued").hasSize(3);
		this.factory.started.get(2).exit(1);
		step();
		assertThat(this.master.reloading()).isFalse();
		assertThat(this.factory.started.get(0).terminated).isFalse();
		assertThat(this.master.worker(1).pid()).isEqualTo(this.factory.started.get(0).pid());
		assertThat(this.master.view().reloadsByOutcome()).containsEntry("failure", 1);
		this.clock.advance(Duration.ofMinutes(1));
		step();
		assertThat(this.factory.started).as("no restart of a failed replacement").hasSize(3);
	}

	@Test
	void replacementNotReadyWithinTheReloadTimeoutIsKilled() {
		runningCluster();
		this.master.signal("HUP");
		step();
		this.clock.advance(Duration.ofMinutes(2).plusSeconds(1));
		step();
		assertThat(this.factory.started.get(2).killed).isTrue();
		assertThat(this.factory.started.get(0).terminated).isFalse();
	}

	@Test
	void ttinAddsAWorkerAndTtouDrainsTheHighestOne() {
		runningCluster();
		this.master.signal("TTIN");
		step();
		assertThat(this.factory.started).hasSize(3);
		assertThat(this.master.slotCount()).isEqualTo(3);
		this.master.signal("TTOU");
		step();
		assertThat(this.master.slotCount()).isEqualTo(2);
		assertThat(this.factory.started.get(2).terminated).isTrue();
		assertThat(this.factory.started.get(2).killed).isFalse();
		this.factory.started.get(2).exit(0);
		step();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.RUNNING);
		assertThat(this.factory.started).as("a scaled-down worker is not restarted").hasSize(3);
	}

	@Test
	void termDuringAReloadStopsEverything() {
		runningCluster();
		this.master.signal("HUP");
		step();
		this.master.signal("TERM");
		step();
		assertThat(this.factory.started).allMatch((p) -> p.terminated);
		this.factory.started.forEach((p) -> p.exit(0));
		step();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STOPPED);
		assertThat(this.master.exitCode()).isZero();
	}

	@Test
	void helloThatMatchesNoWorkerClosesTheConnection() {
		this.master.start();
		ChannelConnection stranger = new ChannelConnection(99, null);
		stranger.role("worker");
		this.master.post(new MasterEvent.WorkerConnected(stranger, 1, 1, 424242));
		step();
		assertThat(stranger.isClosed()).isTrue();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STARTING);
	}

	@Test
	void messageBeforeVerificationClosesOnlyThatConnection() {
		this.master.start();
		ChannelConnection unverified = new ChannelConnection(7, null);
		unverified.role("worker");
		this.master.post(new MasterEvent.Message(unverified, Frame.of(MessageType.READY)));
		step();
		assertThat(unverified.isClosed()).isTrue();
		assertThat(this.master.worker(1).state()).isEqualTo(WorkerState.STARTING);
	}

	@Test
	void scaleRequestIsAnsweredWithTheOutcomeOnceTheNewWorkerIsReady() {
		runningCluster();
		RecordingConnection control = control();
		request(control, "command", "scale", "workers", 3);
		assertThat(control.sent).as("no answer before the outcome").isEmpty();
		readyByPid(this.factory.started.get(2).pid());
		step();
		assertThat(control.sent).hasSize(1);
		assertThat(control.sent.get(0).get("ok")).contains("true");
		assertThat(control.sent.get(0).get("message").orElseThrow()).startsWith("scaled to 3 workers in");
	}

	@Test
	void scaleDownIsAnsweredWhenTheRetiredWorkerHasExited() {
		runningCluster();
		RecordingConnection control = control();
		request(control, "command", "scale", "workers", 1);
		assertThat(control.sent).isEmpty();
		this.factory.started.get(1).exit(0);
		step();
		assertThat(control.sent.get(0).get("message").orElseThrow()).startsWith("scaled to 1 workers");
	}

	@Test
	void scaleThatCannotCompleteIsAnsweredWithWhyAtItsDeadline() {
		runningCluster();
		RecordingConnection control = control();
		request(control, "command", "scale", "workers", 3);
		this.clock.advance(Duration.ofMinutes(6));
		step();
		assertThat(control.sent.get(0).get("ok")).contains("false");
		assertThat(control.sent.get(0).get("message").orElseThrow()).as("%s", control.sent)
			.contains("did not complete within 330 s: 2 of 3 workers ready");
	}

	@Test
	void aReloadIsAnsweredOnlyOnceItsLastOldWorkerStoppedAccepting() {
		runningCluster();
		ChannelConnection lastOld = connectionOf(2);
		RecordingConnection control = control();
		request(control, "command", "reload");
		readyByPid(this.factory.started.get(2).pid());
		this.factory.started.get(0).exit(0);
		step();
		readyByPid(this.factory.started.get(3).pid());
		step();
		assertThat(this.factory.started.get(1).terminated).isTrue();
		assertThat(control.sent).as("the last old worker may still accept").isEmpty();
		draining(lastOld);
		assertThat(control.sent).hasSize(1);
		assertThat(control.sent.get(0).get("ok")).contains("true");
		assertThat(this.master.reloading()).as("the last old worker still drains").isTrue();
	}

	@Test
	void aReloadAskedThroughAWorkerIsAnsweredThroughItOnceItStoppedAccepting() {
		runningCluster();
		ChannelConnection first = connectionOf(1);
		RecordingConnection recording = new RecordingConnection();
		recording.role("worker");
		recording.worker(first.worker());
		this.master.post(new MasterEvent.Message(recording, Frame.of(MessageType.REQUEST, "command", "reload")));
		step();
		readyByPid(this.factory.started.get(2).pid());
		assertThat(this.factory.started.get(1).terminated).as("the requester's slot is reloaded last").isTrue();
		this.factory.started.get(1).exit(0);
		step();
		readyByPid(this.factory.started.get(3).pid());
		assertThat(this.factory.started.get(0).terminated).isTrue();
		assertThat(recording.sent).isEmpty();
		// the worker answers DRAINING as its gate closes, while the request it carries is still open
		draining(first);
		assertThat(recording.sent).hasSize(1);
		assertThat(recording.sent.get(0).get("ok")).contains("true");
	}

	@Test
	void aReloadWhoseLastOldWorkerNeverConfirmsIsAnsweredAfterTheBound() {
		runningCluster();
		RecordingConnection control = control();
		request(control, "command", "reload");
		readyByPid(this.factory.started.get(2).pid());
		this.factory.started.get(0).exit(0);
		step();
		readyByPid(this.factory.started.get(3).pid());
		this.clock.advance(Reloads.STOP_ACCEPTING_BOUND.minusMillis(100));
		step();
		assertThat(control.sent).isEmpty();
		this.clock.advance(Duration.ofMillis(100));
		step();
		assertThat(control.sent).hasSize(1);
		assertThat(control.sent.get(0).get("ok")).contains("true");
	}

	@Test
	void onceAReloadHasAnsweredAScaleOrAnotherReloadIsNotRefused() {
		runningCluster();
		ChannelConnection lastOld = connectionOf(2);
		RecordingConnection control = control();
		request(control, "command", "reload");
		readyByPid(this.factory.started.get(2).pid());
		this.factory.started.get(0).exit(0);
		step();
		readyByPid(this.factory.started.get(3).pid());
		draining(lastOld);
		assertThat(control.sent).as("answered while the last old worker still drains").hasSize(1);
		assertThat(control.sent.get(0).get("ok")).contains("true");
		RecordingConnection second = control();
		request(second, "command", "reload");
		assertThat(second.sent).as("a second reload waits for the first to end, it is not refused").isEmpty();
		this.factory.started.get(1).exit(0);
		step();
		assertThat(this.master.reloading()).as("the second reload started").isTrue();
		assertThat(this.factory.started).hasSize(5);
	}

	@Test
	void aScaleRightAfterAReloadAnsweredIsAccepted() {
		runningCluster();
		ChannelConnection lastOld = connectionOf(2);
		RecordingConnection control = control();
		request(control, "command", "reload");
		readyByPid(this.factory.started.get(2).pid());
		this.factory.started.get(0).exit(0);
		step();
		readyByPid(this.factory.started.get(3).pid());
		draining(lastOld);
		request(control, "command", "scale", "workers", 3);
		assertThat(this.factory.started).as("the scale was accepted").hasSize(5);
		readyByPid(this.factory.started.get(4).pid());
		step();
		// the reload's last old worker may be the one that carries this request: the scale does not wait for it
		assertThat(control.sent).hasSize(2);
		assertThat(control.sent.get(1).get("message").orElseThrow()).startsWith("scaled to 3 workers");
	}

	@Test
	void scaleDownAskedThroughTheWorkerItRetiresIsAnsweredBeforeThatWorkerExits() {
		runningCluster();
		ChannelConnection second = connectionOf(2);
		RecordingConnection recording = new RecordingConnection();
		recording.role("worker");
		recording.worker(second.worker());
		this.master.post(new MasterEvent.Message(recording, Frame.of(MessageType.REQUEST, "command", "scale",
				"workers", 1)));
		step();
		assertThat(this.factory.started.get(1).terminated).isTrue();
		assertThat(recording.sent).as("answered while worker 2 still drains, so it can deliver the answer")
			.hasSize(1);
		assertThat(recording.sent.get(0).get("message").orElseThrow()).startsWith("scaled to 1 workers");
	}

	@Test
	void stopRequestIsToldTheOutcomeNamingAWorkerKilledAfterTheShutdownTimeout() {
		runningCluster();
		RecordingConnection control = control();
		request(control, "command", "stop");
		assertThat(control.sent.get(0).get("message")).contains("stopping");
		assertThat(control.sent.get(0).get("shutdownTimeout")).contains("30000");
		this.factory.started.get(0).exit(0);
		this.clock.advance(Duration.ofSeconds(31));
		step();
		this.factory.started.get(1).exit(137);
		step();
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.STOPPED);
		Frame outcome = control.sent.get(1);
		assertThat(outcome.get("final")).contains("true");
		assertThat(outcome.get("ok")).contains("false");
		assertThat(outcome.get("exitCode")).contains("1");
		assertThat(outcome.get("message").orElseThrow()).as("%s", control.sent).contains("worker 2 (pid " + this.factory.started.get(1).pid()
				+ ") was killed after the shutdown timeout of 30 s");
	}

	@Test
	void requestWhoseClientGaveUpIsNotActedOn() {
		runningCluster();
		RecordingConnection control = control();
		request(control, "command", "reload", "deadline", this.clock.instant().minusSeconds(1).toEpochMilli());
		assertThat(this.master.reloading()).isFalse();
		assertThat(this.factory.started).hasSize(2);
		request(control, "command", "reload", "deadline", this.clock.instant().plusSeconds(60).toEpochMilli());
		assertThat(this.master.reloading()).isTrue();
	}

	@Test
	void listeningSocketIsClosedOnceNoWorkerAcceptsDuringAStop() {
		int[] closed = new int[1];
		this.master.listeningSocket(ListeningSocket.of(() -> closed[0]++));
		runningCluster();
		ChannelConnection first = connectionOf(1);
		this.master.signal("TERM");
		step();
		assertThat(closed[0]).as("both workers may still accept").isZero();
		this.master.post(new MasterEvent.Message(first, Frame.of(MessageType.DRAINING)));
		step();
		assertThat(closed[0]).as("worker 2 may still accept").isZero();
		this.factory.started.get(1).exit(0);
		step();
		assertThat(closed[0]).isEqualTo(1);
		this.factory.started.get(0).exit(0);
		step();
		assertThat(closed[0]).as("closed once").isEqualTo(1);
	}

	@Test
	void aStopFirstRefusesNewConnectionsAndDrainsOnlyOnceTheWorkersTookTheQueue() {
		List<String> socket = new ArrayList<>();
		int[] queued = { 3 };
		this.master.listeningSocket(new ListeningSocket() {

			@Override
			public boolean refuseNewConnections() {
				socket.add("refuse");
				return true;
			}

			@Override
			public int queuedConnections() {
				return queued[0];
			}

			@Override
			public void close() {
				socket.add("close");
			}

		});
		runningCluster();
		this.master.signal("TERM");
		step();
		assertThat(socket).containsExactly("refuse");
		assertThat(this.factory.started).as("still accepting the queue").noneMatch((worker) -> worker.terminated);
		queued[0] = 0;
		this.clock.advance(Duration.ofMillis(100));
		step();
		assertThat(this.factory.started).as("an empty queue must stay empty for a round trip")
			.noneMatch((worker) -> worker.terminated);
		this.clock.advance(Shutdown.QUEUE_SETTLE);
		step();
		assertThat(this.factory.started).allMatch((worker) -> worker.terminated);
		assertThat(socket).containsExactly("refuse");
		this.factory.started.forEach((worker) -> worker.exit(0));
		step();
		assertThat(socket).containsExactly("refuse", "close");
		assertThat(this.master.exitCode()).isZero();
	}

	@Test
	void aQueueTheWorkersDoNotTakeDelaysTheDrainAtMostItsTimeout() {
		this.master.listeningSocket(new ListeningSocket() {

			@Override
			public boolean refuseNewConnections() {
				return true;
			}

			@Override
			public int queuedConnections() {
				return 5;
			}

			@Override
			public void close() {
			}

		});
		runningCluster();
		this.master.signal("TERM");
		step();
		this.clock.advance(Shutdown.QUEUE_TIMEOUT.minusMillis(100));
		step();
		assertThat(this.factory.started).noneMatch((worker) -> worker.terminated);
		this.clock.advance(Duration.ofMillis(100));
		step();
		assertThat(this.factory.started).allMatch((worker) -> worker.terminated);
	}

	@Test
	void ttouAtOneWorkerIsRefusedWithALogLine() {
		Master single = new Master(settings(1), this.factory, this.clock, this.clock.instant(), 8080);
		single.start();
		connectAndReady(single, 1);
		List<String> lines = new ArrayList<>();
		java.util.logging.Logger logger = java.util.logging.Logger.getLogger(Master.class.getName());
		java.util.logging.Handler handler = new java.util.logging.Handler() {
			@Override
			public void publish(java.util.logging.LogRecord record) {
				lines.add(java.text.MessageFormat.format(record.getMessage(), record.getParameters()));
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}
		};
		logger.addHandler(handler);
		try {
			single.signal("TTOU");
			single.drain();
		}
		finally {
			logger.removeHandler(handler);
		}
		assertThat(single.slotCount()).isEqualTo(1);
		assertThat(lines).contains("Scale (SIGTTOU): cannot scale to 0 workers: expected 1 to 1024");
	}

	private RecordingConnection control() {
		RecordingConnection connection = new RecordingConnection();
		connection.role("control");
		return connection;
	}

	private void request(RecordingConnection connection, Object... fields) {
		this.master.post(new MasterEvent.Message(connection, Frame.of(MessageType.REQUEST, fields)));
		step();
	}

	private ChannelConnection connectionOf(int id) {
		WorkerHandle worker = this.master.worker(id);
		ChannelConnection connection = new ChannelConnection(200 + id, null);
		connection.role("worker");
		this.master.post(new MasterEvent.WorkerConnected(connection, id, worker.generation(), worker.pid()));
		step();
		return connection;
	}

	/** A control connection that keeps what the master sends it. */
	static final class RecordingConnection extends ChannelConnection {

		final List<Frame> sent = new ArrayList<>();

		RecordingConnection() {
			super(500, null);
		}

		@Override
		synchronized void send(Frame frame) {
			this.sent.add(frame);
		}

	}

	@Test
	void systemdIsToldFromTheLoopReadyOnceEveryWorkerIsAndStoppingWhenTheStopStarts() {
		List<String> sent = new ArrayList<>();
		this.master.notifySystemd(new SystemdNotifier(sent::add, 42, null, Duration.ofMinutes(5),
				Duration.ofSeconds(30), () -> this.clock.millis() * 1_000));
		this.master.start();
		step();
		ready(1);
		step();
		ready(2);
		step();
		step();
		this.master.signal("TERM");
		step();
		assertThat(sent).containsExactly("STATUS=starting: 0/2 workers ready\nEXTEND_TIMEOUT_USEC=10000000",
				"STATUS=starting: 1/2 workers ready", "READY=1\nMAINPID=42\nSTATUS=2/2 workers ready",
				"STOPPING=1\nSTATUS=stopping: 2 workers draining\nEXTEND_TIMEOUT_USEC=10000000");
	}

	private void runningCluster() {
		this.master.start();
		ready(1);
		ready(2);
		assertThat(this.master.phase()).isEqualTo(ClusterPhase.RUNNING);
	}

	private FakeProcess lastWorkerOf(int id) {
		long pid = this.master.worker(id).pid();
		return this.factory.started.stream().filter((process) -> process.pid == pid).findFirst().orElseThrow();
	}

	private void ready(int id) {
		connectAndReady(this.master, id);
	}

	private void connectAndReady(Master target, int id) {
		WorkerHandle worker = target.worker(id);
		ChannelConnection connection = new ChannelConnection(id, null);
		connection.role("worker");
		target.post(new MasterEvent.WorkerConnected(connection, id, worker.generation(), worker.pid()));
		target.post(new MasterEvent.Message(connection, Frame.of(MessageType.READY)));
		target.drain();
	}

	private void readyByPid(long pid) {
		WorkerHandle worker = null;
		for (dev.bootsupervisor.protocol.WorkerView view : this.master.view().workers()) {
			if (view.pid() == pid) {
				ChannelConnection connection = new ChannelConnection(100, null);
				connection.role("worker");
				this.master.post(new MasterEvent.WorkerConnected(connection, view.id(), view.generation(), pid));
				this.master.post(new MasterEvent.Message(connection, Frame.of(MessageType.READY)));
				this.master.drain();
				return;
			}
		}
		throw new AssertionError("no worker with pid " + pid + " " + worker);
	}

	/** The worker of this connection says it closed its accept gate, as it does once TERM reaches it. */
	private void draining(ChannelConnection connection) {
		this.master.post(new MasterEvent.Message(connection, Frame.of(MessageType.DRAINING, "reason",
				"worker is shutting down")));
		step();
	}

	private void step() {
		this.master.drain();
		this.master.tick();
	}

	private static SupervisorSettings settings(int workers) {
		return new SupervisorSettings("test", workers, null, 8080, 100, Duration.ofSeconds(1), Duration.ofSeconds(30),
				Duration.ofMinutes(1), 3, Duration.ofSeconds(60 * 5), Duration.ofMinutes(5), Duration.ofSeconds(30),
				Duration.ofMinutes(2), Path.of("/nonexistent"));
	}

	static final class FakeFactory implements WorkerFactory {

		final List<FakeProcess> started = new ArrayList<>();

		private long nextPid = 1000;

		@Override
		public WorkerProcess start(int workerId, int generation) {
			FakeProcess process = new FakeProcess(this.nextPid++);
			this.started.add(process);
			return process;
		}

	}

	static final class FakeProcess implements WorkerProcess {

		final long pid;

		final CompletableFuture<Integer> exit = new CompletableFuture<>();

		boolean terminated;

		boolean killed;

		boolean dumped;

		boolean resumed;

		FakeProcess(long pid) {
			this.pid = pid;
		}

		void exit(int code) {
			this.exit.complete(code);
		}

		@Override
		public long pid() {
			return this.pid;
		}

		@Override
		public CompletableFuture<Integer> onExit() {
			return this.exit;
		}

		@Override
		public void terminate() {
			this.terminated = true;
		}

		@Override
		public void kill() {
			this.killed = true;
		}

		@Override
		public void dumpThreads() {
			this.dumped = true;
		}

		@Override
		public void resume() {
			this.resumed = true;
		}

	}

	static final class MutableClock extends Clock {

		private Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
