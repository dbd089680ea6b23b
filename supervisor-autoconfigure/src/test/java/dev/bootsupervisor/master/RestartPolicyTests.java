package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import dev.bootsupervisor.base.SupervisorSettings;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RestartPolicy}.
 */
class RestartPolicyTests {

	private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	private final RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30),
			Duration.ofMinutes(1), 100, Duration.ofMinutes(5));

	private final RestartPolicy.History history = new RestartPolicy.History();

	@Test
	void backoffStartsAtOneSecondAndDoublesUpToTheMaximum() {
		Instant now = START;
		StringBuilder delays = new StringBuilder();
		for (int i = 0; i < 8; i++) {
			Duration delay = this.policy.onCrash(this.history, Duration.ZERO, now);
			delays.append(delay.toSeconds()).append(' ');
			now = now.plus(delay).plusMillis(100);
		}
		assertThat(delays.toString().trim()).isEqualTo("1 2 4 8 16 30 30 30");
		assertThat(this.history.consecutiveRestarts()).isEqualTo(8);
	}

	@Test
	void backoffCapIsNotExceededWhenInitialIsNotAPowerOfTwoOfIt() {
		RestartPolicy policy = new RestartPolicy(Duration.ofMillis(700), Duration.ofSeconds(2), Duration.ofMinutes(1),
				100, Duration.ofMinutes(5));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isEqualTo(Duration.ofMillis(700));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isEqualTo(Duration.ofMillis(1400));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isEqualTo(Duration.ofSeconds(2));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void backoffStartsOverAfterTheWorkerWasReadyLongEnough() {
		this.policy.onCrash(this.history, Duration.ZERO, START);
		this.policy.onCrash(this.history, Duration.ZERO, START.plusSeconds(2));
		assertThat(this.policy.onCrash(this.history, Duration.ofSeconds(59), START.plusSeconds(70)))
			.isEqualTo(Duration.ofSeconds(4));
		assertThat(this.policy.onCrash(this.history, Duration.ofMinutes(1), START.plusSeconds(140)))
			.isEqualTo(Duration.ofSeconds(1));
		assertThat(this.policy.onCrash(this.history, Duration.ZERO, START.plusSeconds(142)))
			.isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void slotFailsWhenTheLimitIsReachedWithinTheWindow() {
		RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
				3, Duration.ofSeconds(60));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ZERO, START.plusSeconds(10))).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ZERO, START.plusSeconds(20))).isNotNull();
		assertThat(this.history.consecutiveRestarts()).isEqualTo(3);
		assertThat(policy.onCrash(this.history, Duration.ZERO, START.plusSeconds(30))).isNull();
		assertThat(this.history.consecutiveRestarts()).isEqualTo(3);
	}

	@Test
	void aWorkerReadyForTheWindowEndsTheCrashLoop() {
		RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
				3, Duration.ofSeconds(60));
		policy.onCrash(this.history, Duration.ZERO, START);
		policy.onCrash(this.history, Duration.ofSeconds(59), START.plusSeconds(70));
		policy.onCrash(this.history, Duration.ZERO, START.plusSeconds(200));
		assertThat(this.history.consecutiveRestarts()).isEqualTo(3);
		assertThat(policy.onCrash(this.history, Duration.ofSeconds(60), START.plusSeconds(300))).isNotNull();
		assertThat(this.history.consecutiveRestarts()).isEqualTo(1);
	}

	@Test
	void shortLivedWorkersCountHoweverFarApartTheirRestartsAre() {
		// the backoff spaces restarts out; a loop of workers that never stay up is still a loop
		RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
				3, Duration.ofSeconds(60));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ofSeconds(10), START.plusSeconds(100))).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ZERO, START.plusSeconds(1000))).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ZERO, START.plusSeconds(10000))).isNull();
	}

	@Test
	void noRestartAtAllWhenMaxRestartsIsZero() {
		RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
				0, Duration.ofSeconds(60));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isNull();
	}

	@Test
	void usesTheSettingsValues() {
		SupervisorSettings settings = new SupervisorSettings("app", 2, null, 8080, 100, Duration.ofMillis(250),
				Duration.ofMillis(600), Duration.ofMinutes(1), 2, Duration.ofSeconds(60), Duration.ofMinutes(5),
				Duration.ofSeconds(30), Duration.ofMinutes(5), Path.of("/nonexistent"));
		RestartPolicy policy = new RestartPolicy(settings);
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isEqualTo(Duration.ofMillis(250));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isEqualTo(Duration.ofMillis(500));
		assertThat(policy.onCrash(this.history, Duration.ZERO, START)).isNull();
	}

}
