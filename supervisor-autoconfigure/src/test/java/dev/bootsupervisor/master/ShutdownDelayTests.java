package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;

import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WatchdogSettings;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.MessageType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the shutdown delay of {@link Master}: readiness down at once, the drain only after the delay.
 */
class ShutdownDelayTests {

	private static final Duration DELAY = Duration.ofSeconds(5);

	@Test
	void termTellsEveryWorkerToRefuseTrafficAndDrainsOnlyAfterTheDelay() {
		FakeCluster cluster = new FakeCluster(settings(DELAY), EpochStore.MEMORY).running();
		cluster.log.clear();
		cluster.master.signal("TERM");
		cluster.step();
		assertThat(cluster.master.phase()).isEqualTo(ClusterPhase.STOPPING);
		assertThat(cluster.master.view().state()).isEqualTo(ClusterPhase.STOPPING);
		for (FakeCluster.Process process : cluster.started) {
			assertThat(cluster.sent(process.pid, MessageType.REFUSE_TRAFFIC)).hasSize(1);
		}
		cluster.pass(DELAY.minusMillis(200));
		assertThat(cluster.log).noneMatch((line) -> line.endsWith(" TERM"));
		cluster.pass(Duration.ofMillis(300));
		assertThat(cluster.log).filteredOn((line) -> line.endsWith(" TERM")).hasSize(2);
		cluster.started.forEach((process) -> process.exit(0));
		assertThat(cluster.master.phase()).isEqualTo(ClusterPhase.STOPPED);
		assertThat(cluster.master.exitCode()).isZero();
	}

	@Test
	void aWorkerThatExitsDuringTheDelayIsNotRestarted() {
		FakeCluster cluster = new FakeCluster(settings(DELAY), EpochStore.MEMORY).running();
		cluster.master.signal("TERM");
		cluster.step();
		cluster.started.get(0).exit(1);
		cluster.pass(Duration.ofSeconds(2));
		assertThat(cluster.started).hasSize(2);
		assertThat(cluster.log).noneMatch((line) -> line.endsWith(" TERM"));
	}

	@Test
	void aSecondTermEndsTheDelayAndStartsTheDrainAtOnce() {
		FakeCluster cluster = new FakeCluster(settings(DELAY), EpochStore.MEMORY).running();
		cluster.master.signal("TERM");
		cluster.step();
		cluster.pass(Duration.ofSeconds(1));
		cluster.master.signal("INT");
		cluster.step();
		assertThat(cluster.log).filteredOn((line) -> line.endsWith(" TERM")).hasSize(2);
	}

	@Test
	void withoutADelayTermDrainsAtOnceAndNoWorkerIsToldToRefuseTraffic() {
		FakeCluster cluster = new FakeCluster(settings(Duration.ZERO), EpochStore.MEMORY).running();
		cluster.master.signal("TERM");
		cluster.step();
		assertThat(cluster.log).filteredOn((line) -> line.endsWith(" TERM")).hasSize(2);
		assertThat(cluster.log).noneMatch((line) -> line.contains("REFUSE_TRAFFIC"));
	}

	@Test
	void aFailureStopDoesNotWaitForTheDelay() {
		FakeCluster cluster = new FakeCluster(settings(DELAY), EpochStore.MEMORY);
		cluster.master.start();
		cluster.started.get(0).exit(1);
		assertThat(cluster.master.phase()).isEqualTo(ClusterPhase.STOPPING);
		assertThat(cluster.log).noneMatch((line) -> line.contains("REFUSE_TRAFFIC"));
	}

	private static SupervisorSettings settings(Duration delay) {
		return new SupervisorSettings("test", 2, null, 8080, 100, Duration.ofSeconds(1), Duration.ofSeconds(30),
				Duration.ofMinutes(1), 3, Duration.ofSeconds(60 * 5), Duration.ofMinutes(5), Duration.ofSeconds(30),
				Duration.ofMinutes(2), Path.of("/nonexistent"), WatchdogSettings.OFF, Duration.ofSeconds(5), delay);
	}

}
