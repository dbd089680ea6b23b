package dev.bootsupervisor.boot;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ShutdownTimeouts}.
 */
class ShutdownTimeoutsTests {

	@Test
	void withTheDefaultsAWorkerGetsAPhaseTimeoutThatFitsInTheShutdownTimeout() {
		assertThat(ShutdownTimeouts.workerPhaseTimeout(new MockEnvironment())).contains(Duration.ofSeconds(15));
		assertThat(ShutdownTimeouts.warning(new MockEnvironment())).isEmpty();
	}

	@Test
	void theWorkersPhaseTimeoutFollowsTheSupervisorsTimeouts() {
		MockEnvironment environment = new MockEnvironment().withProperty("supervisor.shutdown-timeout", "2m")
			.withProperty("supervisor.drain-timeout", "20s");
		assertThat(ShutdownTimeouts.workerPhaseTimeout(environment)).contains(Duration.ofSeconds(95));
		MockEnvironment tight = new MockEnvironment().withProperty("supervisor.shutdown-timeout", "10s");
		assertThat(ShutdownTimeouts.workerPhaseTimeout(tight)).contains(Duration.ofSeconds(1));
	}

	@Test
	void aPhaseTimeoutTheUserSetIsKept() {
		MockEnvironment environment = new MockEnvironment()
			.withProperty("spring.lifecycle.timeout-per-shutdown-phase", "20s");
		assertThat(ShutdownTimeouts.workerPhaseTimeout(environment)).isEmpty();
	}

	@Test
	void timeoutsThatCannotAddUpGetOneLineSayingWhatToSet() {
		MockEnvironment environment = new MockEnvironment()
			.withProperty("spring.lifecycle.timeout-per-shutdown-phase", "30s");
		assertThat(ShutdownTimeouts.warning(environment)).contains("supervisor.shutdown-timeout=30 s is shorter "
				+ "than supervisor.drain-timeout=10 s plus spring.lifecycle.timeout-per-shutdown-phase=30 s plus 5 s "
				+ "for the context to close: a worker still finishing requests is killed before Spring Boot's graceful "
				+ "shutdown ends. Set supervisor.shutdown-timeout=45s, or spring.lifecycle.timeout-per-shutdown-phase=15s "
				+ "(or leave spring.lifecycle.timeout-per-shutdown-phase unset: workers then get what is left)");
		environment.setProperty("spring.lifecycle.timeout-per-shutdown-phase", "15s");
		assertThat(ShutdownTimeouts.warning(environment)).isEmpty();
	}

}
