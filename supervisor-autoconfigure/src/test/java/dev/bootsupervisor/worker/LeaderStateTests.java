package dev.bootsupervisor.worker;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeaderState}.
 */
class LeaderStateTests {

	private final LeaderState state = new LeaderState();

	@Test
	void callsEnterOnlyWhileLeading() {
		assertThat(this.state.enter()).isFalse();
		this.state.grant(1, Instant.EPOCH);
		assertThat(this.state.enter()).isTrue();
		assertThat(this.state.running()).isEqualTo(1);
		this.state.exit();
		assertThat(this.state.running()).isZero();
	}

	@Test
	void aRevocationWithNothingRunningEndsAtOnceAndKeepsTheEpoch() throws InterruptedException {
		this.state.grant(4, Instant.EPOCH);
		assertThat(this.state.revoke(Duration.ofSeconds(30))).isTrue();
		assertThat(this.state.isLeader()).isFalse();
		assertThat(this.state.epoch()).isEqualTo(4);
	}

	@Test
	void aRevocationGivesUpOnACallRunningPastTheTimeout() throws InterruptedException {
		this.state.grant(4, Instant.EPOCH);
		this.state.enter();
		assertThat(this.state.revoke(Duration.ofMillis(20))).isFalse();
		assertThat(this.state.enter()).isFalse();
	}

}
