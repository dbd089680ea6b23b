package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;

import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.WorkerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the master's leadership decisions: one ready leader, a growing epoch, and a new leader only once the
 * old one gave leadership up.
 */
class LeadershipTests {

	@Test
	void theFirstReadyWorkerLeadsAndAWorkerReadyLaterDoesNotTakeLeadershipFromIt() {
		FakeCluster cluster = new FakeCluster(3, EpochStore.MEMORY);
		cluster.master.start();
		assertThat(cluster.leader()).isNull();
		WorkerHandle first = cluster.master.worker(2);
		cluster.ready(first);
		assertThat(cluster.leader()).isSameAs(first);
		assertThat(cluster.sent(first.pid(), MessageType.GRANT)).extracting((f) -> f.fields().get("epoch"))
			.containsExactly("1");
		cluster.ready(cluster.master.worker(1));
		cluster.ready(cluster.master.worker(3));
		assertThat(cluster.leader()).isSameAs(first);
		assertThat(cluster.master.view().leaderEpoch()).isEqualTo(1);
		assertThat(cluster.master.view().leaderChanges()).isEqualTo(1);
		assertThat(cluster.master.view().workers()).filteredOn((w) -> w.leader()).hasSize(1);
	}

	@Test
	void aLeaderThatDiesIsReplacedAtOnceByTheMostRecentlyReadyWorker() {
		FakeCluster cluster = new FakeCluster(3, EpochStore.MEMORY).running();
		WorkerHandle leader = cluster.leader();
		assertThat(leader.workerId()).isEqualTo(1);
		cluster.process(leader.pid()).exit(137);
		WorkerHandle next = cluster.leader();
		assertThat(next.workerId()).isEqualTo(3);
		assertThat(cluster.sent(next.pid(), MessageType.GRANT)).extracting((f) -> f.fields().get("epoch"))
			.containsExactly("2");
		assertThat(cluster.sent(leader.pid(), MessageType.REVOKE)).isEmpty();
	}

	@Test
	void aReloadRevokesTheLeaderBeforeSignallingItAndGrantsTheReplacementOnlyOnceTheOldLeaderConfirmed() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY).running();
		WorkerHandle old = cluster.leader();
		assertThat(old.workerId()).isEqualTo(1);
		cluster.master.signal("HUP");
		cluster.step();
		WorkerHandle replacement = cluster.master.byPid(cluster.started.get(2).pid);
		cluster.log.clear();
		cluster.ready(replacement);
		assertThat(cluster.log).containsSubsequence(old.pid() + " REVOKE {epoch=1, timeout=5000}", old.pid() + " TERM");
		assertThat(cluster.leader()).isNull();
		cluster.pass(Duration.ofSeconds(1));
		assertThat(cluster.sent(replacement.pid(), MessageType.GRANT)).isEmpty();
		assertThat(cluster.sent(cluster.master.worker(2).pid(), MessageType.GRANT)).isEmpty();
		cluster.post(cluster.connections.get(old.pid()), Frame.of(MessageType.REVOKED, "epoch", 1));
		assertThat(cluster.leader()).isSameAs(replacement);
		assertThat(cluster.sent(replacement.pid(), MessageType.GRANT)).extracting((f) -> f.fields().get("epoch"))
			.containsExactly("2");
	}

	@Test
	void aScaleDownOfTheLeadersSlotWaitsForTheRevokeTimeoutWhenTheLeaderStaysSilent() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY).running();
		WorkerHandle first = cluster.leader();
		cluster.process(first.pid()).exit(137);
		WorkerHandle leader = cluster.leader();
		assertThat(leader.workerId()).isEqualTo(2);
		cluster.master.signal("TTOU");
		cluster.step();
		assertThat(leader.state()).isEqualTo(WorkerState.DRAINING);
		assertThat(cluster.sent(leader.pid(), MessageType.REVOKE)).hasSize(1);
		cluster.pass(Duration.ofSeconds(2));
		WorkerHandle restarted = cluster.master.worker(1);
		assertThat(restarted.state()).isEqualTo(WorkerState.STARTING);
		cluster.ready(restarted);
		cluster.pass(Duration.ofMillis(2800));
		assertThat(cluster.leader()).isNull();
		cluster.pass(Duration.ofMillis(300));
		assertThat(cluster.leader()).isSameAs(restarted);
		assertThat(cluster.master.view().leaderEpoch()).isEqualTo(3);
	}

	@Test
	void aLeaderWhoseApplicationClosesGivesLeadershipUpUnasked() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY).running();
		WorkerHandle old = cluster.leader();
		cluster.post(cluster.connections.get(old.pid()), Frame.of(MessageType.REVOKED, "epoch", 1));
		assertThat(cluster.leader()).isNotNull().isNotSameAs(old);
		assertThat(cluster.master.view().leaderEpoch()).isEqualTo(2);
	}

	@Test
	void aRevokedOfAnotherEpochIsIgnoredAndOneWithoutAnEpochClosesTheConnection() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY).running();
		WorkerHandle leader = cluster.leader();
		cluster.post(cluster.connections.get(leader.pid()), Frame.of(MessageType.REVOKED, "epoch", 7));
		WorkerHandle other = cluster.master.worker(2);
		cluster.post(cluster.connections.get(other.pid()), Frame.of(MessageType.REVOKED, "epoch", 1));
		assertThat(cluster.leader()).isSameAs(leader);
		cluster.post(cluster.connections.get(other.pid()), Frame.of(MessageType.REVOKED));
		assertThat(cluster.connections.get(other.pid()).closedFor).isEqualTo("REVOKED lacks field 'epoch'");
		assertThat(cluster.leader()).isSameAs(leader);
	}

	@Test
	void aLeaderThatYieldsHandsLeadershipToAnotherReadyWorker() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY).running();
		WorkerHandle old = cluster.leader();
		cluster.post(cluster.connections.get(old.pid()), Frame.of(MessageType.YIELD, "epoch", 1));
		assertThat(cluster.sent(old.pid(), MessageType.REVOKE)).hasSize(1);
		cluster.post(cluster.connections.get(old.pid()), Frame.of(MessageType.REVOKED, "epoch", 1));
		assertThat(cluster.leader()).isNotNull().isNotSameAs(old);
		assertThat(old.state()).isEqualTo(WorkerState.READY);
	}

	@Test
	void aLoneLeaderThatYieldsIsGrantedLeadershipAgainUnderANewEpoch() {
		FakeCluster cluster = new FakeCluster(1, EpochStore.MEMORY).running();
		WorkerHandle only = cluster.leader();
		cluster.post(cluster.connections.get(only.pid()), Frame.of(MessageType.YIELD, "epoch", 1));
		cluster.post(cluster.connections.get(only.pid()), Frame.of(MessageType.REVOKED, "epoch", 1));
		assertThat(cluster.leader()).isSameAs(only);
		assertThat(cluster.sent(only.pid(), MessageType.GRANT)).extracting((f) -> f.fields().get("epoch"))
			.containsExactly("1", "2");
	}

	@Test
	void aStopRevokesTheLeaderAndGrantsNobody() {
		FakeCluster cluster = new FakeCluster(2, EpochStore.MEMORY).running();
		WorkerHandle leader = cluster.leader();
		cluster.master.signal("TERM");
		cluster.step();
		assertThat(cluster.master.phase()).isEqualTo(ClusterPhase.STOPPING);
		assertThat(cluster.sent(leader.pid(), MessageType.REVOKE)).hasSize(1);
		cluster.post(cluster.connections.get(leader.pid()), Frame.of(MessageType.REVOKED, "epoch", 1));
		cluster.pass(Duration.ofSeconds(6));
		assertThat(cluster.leader()).isNull();
		assertThat(cluster.master.view().leaderChanges()).isEqualTo(1);
	}

	@Test
	void epochsKeepGrowingAcrossMastersThroughTheRunDirectory(@TempDir Path runDir) {
		EpochStore store = EpochStore.file(runDir.resolve("leader-epoch"));
		FakeCluster first = new FakeCluster(2, store).running();
		first.process(first.leader().pid()).exit(137);
		assertThat(first.master.view().leaderEpoch()).isEqualTo(2);
		FakeCluster second = new FakeCluster(2, EpochStore.file(runDir.resolve("leader-epoch"))).running();
		assertThat(second.master.view().leaderEpoch()).isEqualTo(3);
		assertThat(runDir.resolve("leader-epoch")).hasContent("3");
	}

}
