package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for reopening a daemon's log files through the {@link Master}: the master's own files, then every worker's.
 */
class LogReopenerTests {

	private static final Path OUT = Path.of("/logs/master-stdout.log");

	private static final Path ERR = Path.of("/logs/master-stderr.log");

	private final List<String> reopened = new ArrayList<>();

	@Test
	void usr1ReopensTheMastersFilesAndTellsEveryWorker() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY).running();
		cluster.master.logFiles(OUT, ERR, (out, err) -> this.reopened.add(out + " " + err));
		cluster.master.signal("USR1");
		cluster.step();
		assertThat(this.reopened).containsExactly(OUT + " " + ERR);
		for (FakeCluster.Process process : cluster.started) {
			assertThat(cluster.sent(process.pid, MessageType.REOPEN_LOGS)).singleElement()
				.satisfies((frame) -> assertThat(frame.fields()).containsEntry("stdout", OUT.toString())
					.containsEntry("stderr", ERR.toString()));
		}
	}

	@Test
	void aWorkerStartedBeforeTheReopenButConnectedAfterIsToldWhenItConnects() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY);
		cluster.master.logFiles(OUT, ERR, (out, err) -> this.reopened.add(out.toString()));
		cluster.master.start();
		cluster.ready(cluster.master.worker(1));
		cluster.clock.advance(Duration.ofSeconds(1));
		LogReopener.Outcome outcome = cluster.master.reopenLogs("test");
		assertThat(outcome.ok()).isTrue();
		assertThat(outcome.message()).contains("told 1 of 2 workers");
		FakeCluster.Connection late = cluster.ready(cluster.master.worker(2));
		assertThat(late.sent).extracting(Frame::type).contains(MessageType.REOPEN_LOGS);
	}

	@Test
	void aWorkerStartedAfterTheReopenIsNotTold() {
		FakeCluster cluster = new FakeCluster(1, EpochStore.MEMORY).running();
		cluster.master.logFiles(OUT, ERR, (out, err) -> this.reopened.add(out.toString()));
		cluster.master.reopenLogs("test");
		cluster.clock.advance(Duration.ofSeconds(1));
		cluster.started.get(0).exit(1);
		cluster.pass(Duration.ofSeconds(2));
		assertThat(cluster.started).hasSize(2);
		FakeCluster.Connection replacement = cluster.ready(cluster.master.worker(1));
		assertThat(replacement.sent).extracting(Frame::type).doesNotContain(MessageType.REOPEN_LOGS);
	}

	@Test
	void aMasterInTheForegroundHasNoFilesToReopen() {
		FakeCluster cluster = new FakeCluster(1, EpochStore.MEMORY).running();
		LogReopener.Outcome outcome = cluster.master.reopenLogs("reopen-logs command");
		assertThat(outcome.ok()).isFalse();
		assertThat(outcome.message()).startsWith("no log files to reopen: this master runs in the foreground");
		assertThat(cluster.sent(cluster.started.get(0).pid, MessageType.REOPEN_LOGS)).isEmpty();
	}

}
