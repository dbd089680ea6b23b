package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;

import dev.bootsupervisor.base.SupervisorSettings;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RestartPolicy}.
 */
class RestartPolicyTests {

	private final RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30),
			Duration.ofMinutes(1), 100, Duration.ofMinutes(5));

	private final RestartPolicy.History history = new RestartPolicy.History();

	@Test
	void backoffStartsAtOneSecondAndDoublesUpToTheMaximum() {
		StringBuilder delays = new StringBuilder();
		for (int i = 0; i < 8; i++) {
			Duration delay = this.policy.onCrash(this.history, Duration.ZERO);
			delays.append(delay.toSeconds()).append(' ');
		}
		assertThat(delays.toString().trim()).isEqualTo("1 2 4 8 16 30 30 30");
		assertThat(this.history.consecutiveRestarts()).isEqualTo(8);
	}

	@Test
	void backoffCapIsNotExceededWhenInitialIsNotAPowerOfTwoOfIt() {
		RestartPolicy policy = new RestartPolicy(Duration.ofMillis(700), Duration.ofSeconds(2), Duration.ofMinutes(1),
				100, Duration.ofMinutes(5));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isEqualTo(Duration.ofMillis(700));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isEqualTo(Duration.ofMillis(1400));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void backoffStartsOverAfterTheWorkerWasReadyLongEnough() {
		this.policy.onCrash(this.history, Duration.ZERO);
		this.policy.onCrash(this.history, Duration.ZERO);
		assertThat(this.policy.onCrash(this.history, Duration.ofSeconds(59)))
			.isEqualTo(Duration.ofSeconds(4));
		assertThat(this.policy.onCrash(this.history, Duration.ofMinutes(1)))
			.isEqualTo(Duration.ofSeconds(1));
		assertThat(this.policy.onCrash(this.history, Duration.ZERO))
			.isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void slotFailsWhenTheLimitIsReachedWithinTheWindow() {
		RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
				3, Duration.ofSeconds(60));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNotNull();
		assertThat(this.history.consecutiveRestarts()).isEqualTo(3);
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNull();
		assertThat(this.history.consecutiveRestarts()).isEqualTo(3);
	}

	@Test
	void aWorkerReadyForTheWindowEndsTheCrashLoop() {
		RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
				3, Duration.ofSeconds(60));
		policy.onCrash(this.history, Duration.ZERO);
		policy.onCrash(this.history, Duration.ofSeconds(59));
		policy.onCrash(this.history, Duration.ZERO);
		assertThat(this.history.consecutiveRestarts()).isEqualTo(3);
		assertThat(policy.onCrash(this.history, Duration.ofSeconds(60))).isNotNull();
		assertThat(this.history.consecutiveRestarts()).isEqualTo(1);
	}

	@Test
	void shortLivedWorkersCountHoweverFarApartTheirRestartsAre() {
		// the backoff spaces restarts out; a loop of workers that never stay up is still a loop
		RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
				3, Duration.ofSeconds(60));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ofSeconds(10))).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNotNull();
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNull();
	}

	@Test
	void noRestartAtAllWhenMaxRestartsIsZero() {
		RestartPolicy policy = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1),
				0, Duration.ofSeconds(60));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNull();
	}

	@Test
	void usesTheSettingsValues() {
		SupervisorSettings settings = new SupervisorSettings("app", 2, null, 8080, 100, Duration.ofMillis(250),
				Duration.ofMillis(600), Duration.ofMinutes(1), 2, Duration.ofSeconds(60), Duration.ofMinutes(5),
				Duration.ofSeconds(30), Duration.ofMinutes(5), Path.of("/nonexistent"));
		RestartPolicy policy = new RestartPolicy(settings);
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
		assertThat(policy.onCrash(this.history, Duration.ZERO)).isNull();
	}

}
