package dev.bootsupervisor.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LeaderElection}.
 */
class LeaderElectionTests {

	private static final Instant NOW = Instant.parse("2026-12-02T20:00:00Z");

	private final List<Frame> sent = new CopyOnWriteArrayList<>();

	private final List<String> steps = new CopyOnWriteArrayList<>();

	private final LeaderState state = new LeaderState();

	private final LeaderElection election = new LeaderElection(2, this.state, (frame) -> {
		this.steps.add("sent " + frame.type());
		this.sent.add(frame);
	}, Clock.fixed(NOW, ZoneOffset.UTC));

	LeaderElectionTests() {
		this.election.listener(new LeadershipListener() {

			@Override
			public void granted(long epoch) {
				LeaderElectionTests.this.steps.add("granted " + epoch + " leader=" + LeaderElectionTests.this.state.isLeader()
						+ " on " + Thread.currentThread().getName());
			}

			@Override
			public void revoked(long epoch) {
				LeaderElectionTests.this.steps.add("revoked " + epoch + " leader=" + LeaderElectionTests.this.state.isLeader()
						+ " running=" + LeaderElectionTests.this.state.running());
			}

		});
	}

	@AfterEach
	void close() {
		this.election.close(Duration.ZERO);
	}

	@Test
	void aGrantSetsTheFlagThenTellsTheListenerOnTheLeadershipThread() {
		this.election.accept(Frame.of(MessageType.GRANT, "epoch", 7));
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.steps.isEmpty());
		assertThat(this.steps).containsExactly("granted 7 leader=true on supervisor-leadership");
		assertThat(this.state.epoch()).isEqualTo(7);
		assertThat(this.state.grantedAt()).isEqualTo(NOW);
	}

	@Test
	void aRevocationClearsTheFlagStopsTheWorkThenConfirms() {
		this.election.accept(Frame.of(MessageType.GRANT, "epoch", 3));
		this.election.accept(Frame.of(MessageType.REVOKE, "epoch", 3, "timeout", 5000));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.steps.size() == 3);
		assertThat(this.steps.subList(1, 3)).containsExactly("revoked 3 leader=false running=0", "sent REVOKED");
		assertThat(this.sent.get(0).fields()).containsEntry("epoch", "3");
		assertThat(this.state.isLeader()).isFalse();
		assertThat(this.state.grantedAt()).isNull();
	}

	@Test
	void aRevocationWaitsForTheLeaderOnlyCallStillRunning() {
		this.election.accept(Frame.of(MessageType.GRANT, "epoch", 4));
		await().atMost(Duration.ofSeconds(5)).until(this.state::isLeader);
		assertThat(this.state.enter()).isTrue();
		this.election.accept(Frame.of(MessageType.REVOKE, "epoch", 4, "timeout", 30000));
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.state.isLeader());
		assertThat(this.state.enter()).as("no new call once revoked").isFalse();
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(this.sent::isEmpty);
		this.state.exit();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.sent.size() == 1);
		assertThat(this.steps).contains("revoked 4 leader=false running=0");
	}

	@Test
	void aRevocationConfirmsOnceItsTimeoutPassedWithACallStillRunning() {
		this.election.accept(Frame.of(MessageType.GRANT, "epoch", 5));
		await().atMost(Duration.ofSeconds(5)).until(this.state::isLeader);
		this.state.enter();
		this.election.accept(Frame.of(MessageType.REVOKE, "epoch", 5, "timeout", 100));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.sent.size() == 1);
		assertThat(this.steps).contains("revoked 5 leader=false running=1");
		this.state.exit();
	}

	@Test
	void aRevocationOfAnEpochNotHeldIsConfirmedWithoutStoppingAnything() {
		this.election.accept(Frame.of(MessageType.REVOKE, "epoch", 9, "timeout", 100));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.sent.size() == 1);
		assertThat(this.steps).containsExactly("sent REVOKED");
	}

	@Test
	void closingWhileLeaderGivesLeadershipUpUnasked() {
		this.election.accept(Frame.of(MessageType.GRANT, "epoch", 6));
		await().atMost(Duration.ofSeconds(5)).until(this.state::isLeader);
		this.election.close(Duration.ofSeconds(1));
		assertThat(this.steps).endsWith("revoked 6 leader=false running=0", "sent REVOKED");
		assertThat(this.sent.get(0).fields()).containsEntry("epoch", "6");
	}

	@Test
	void closingWhenNotLeaderSendsNothing() {
		this.election.close(Duration.ofSeconds(1));
		assertThat(this.sent).isEmpty();
	}

	@Test
	void aLeaderYieldsWithItsEpochAndAFollowerDoesNot() {
		this.election.yieldLeadership();
		assertThat(this.sent).isEmpty();
		this.election.accept(Frame.of(MessageType.GRANT, "epoch", 8));
		await().atMost(Duration.ofSeconds(5)).until(this.state::isLeader);
		this.election.yieldLeadership();
		assertThat(this.sent).singleElement().satisfies((frame) -> {
			assertThat(frame.type()).isEqualTo(MessageType.YIELD);
			assertThat(frame.fields()).containsEntry("epoch", "8");
		});
	}

}
