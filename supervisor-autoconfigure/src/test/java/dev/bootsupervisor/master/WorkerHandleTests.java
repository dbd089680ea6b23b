package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import dev.bootsupervisor.protocol.ExitReason;
import dev.bootsupervisor.protocol.WorkerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerHandle}'s own deadlines: killed when not ready in time, TERM then KILL when stopping.
 */
class WorkerHandleTests {

	private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	private final Process process = new Process();

	private final WorkerHandle worker = new WorkerHandle(1, 1, this.process, START, Duration.ofSeconds(10),
			ExitReason.KILLED_NOT_READY);

	@Test
	void isKilledOnceWhenNotReadyByItsBootDeadline() {
		this.worker.checkBoot(START.plusSeconds(10));
		assertThat(this.process.kills).isZero();
		this.worker.checkBoot(START.plusSeconds(11));
		this.worker.checkBoot(START.plusSeconds(12));
		assertThat(this.process.kills).isOne();
		assertThat(this.worker.state()).isEqualTo(WorkerState.STARTING);
		assertThat(this.worker.killedFor()).isEqualTo(ExitReason.KILLED_NOT_READY);
		assertThat(this.worker.reason()).isEqualTo("killed: not ready within 10 s");
	}

	@Test
	void aReadyWorkerHasNoBootDeadline() {
		this.worker.transition(WorkerState.READY, "ready", START.plusSeconds(1));
		this.worker.checkBoot(START.plusSeconds(60));
		assertThat(this.process.kills).isZero();
	}

	@Test
	void isTerminatedThenKilledAfterItsStopDeadline() {
		Instant stop = START.plusSeconds(5);
		this.worker.terminate("stop command", stop);
		this.worker.stopWithin(Duration.ofSeconds(30), stop);
		assertThat(this.process.terminates).isOne();
		assertThat(this.worker.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.worker.escalate(stop.plusSeconds(30))).isFalse();
		assertThat(this.worker.escalate(stop.plusSeconds(31))).isTrue();
		assertThat(this.worker.escalate(stop.plusSeconds(32))).as("killed once").isFalse();
		assertThat(this.process.kills).isOne();
		assertThat(this.worker.reason()).isEqualTo("killed after the shutdown timeout");
	}

	@Test
	void withoutAStopDeadlineItIsNeverKilled() {
		this.worker.terminate("scaled down to 1 workers", START);
		assertThat(this.worker.escalate(START.plusSeconds(3600))).isFalse();
		assertThat(this.process.kills).isZero();
	}

	@Test
	void aLaterTransitionClearsTheKill() {
		this.worker.checkBoot(START.plusSeconds(11));
		this.worker.terminate("SIGTERM received", START.plusSeconds(12));
		assertThat(this.worker.killed()).isFalse();
	}

	@Test
	void aCondemnedWorkerDumpsItsThreadsThenIsTerminatedThenKilled() {
		this.worker.transition(WorkerState.READY, "application ready", START);
		this.worker.condemn(ExitReason.KILLED_HUNG, "no heartbeat for 5s", false, START.plusSeconds(20),
				Duration.ofSeconds(1), Duration.ofSeconds(2));
		assertThat(this.worker.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(this.worker.reason()).isEqualTo("hung: no heartbeat for 5s");
		assertThat(this.worker.killedFor()).isEqualTo(ExitReason.KILLED_HUNG);
		assertThat(this.worker.acceptsConnections()).isFalse();
		assertThat(this.process.dumps).isEqualTo(1);
		assertThat(this.process.resumes).isZero();
		this.worker.checkCondemned(START.plusMillis(20_900));
		assertThat(this.process.terminates).isZero();
		this.worker.checkCondemned(START.plusSeconds(21));
		assertThat(this.process.terminates).isEqualTo(1);
		this.worker.checkCondemned(START.plusMillis(22_900));
		assertThat(this.process.kills).isZero();
		this.worker.checkCondemned(START.plusSeconds(23));
		this.worker.checkCondemned(START.plusSeconds(30));
		assertThat(this.process.kills).isEqualTo(1);
		assertThat(this.process.terminates).isEqualTo(1);
	}

	@Test
	void aStoppedWorkerIsContinuedSoItCanDumpItsThreads() {
		this.worker.transition(WorkerState.READY, "application ready", START);
		this.worker.condemn(ExitReason.KILLED_HUNG, "stopped", true, START.plusSeconds(20), Duration.ofSeconds(1),
				Duration.ofSeconds(2));
		assertThat(this.process.resumes).isEqualTo(1);
		assertThat(this.process.dumps).isEqualTo(1);
	}

	private static final class Process implements WorkerProcess {

		private int terminates;

		private int kills;

		private int dumps;

		private int resumes;

		@Override
		public long pid() {
			return 4242;
		}

		@Override
		public CompletableFuture<Integer> onExit() {
			return new CompletableFuture<>();
		}

		@Override
		public void terminate() {
			this.terminates++;
		}

		@Override
		public void kill() {
			this.kills++;
		}

		@Override
		public void dumpThreads() {
			this.dumps++;
		}

		@Override
		public void resume() {
			this.resumes++;
		}

	}

}
