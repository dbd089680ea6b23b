package dev.bootsupervisor.health;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.actuate.ClusterViews;
import dev.bootsupervisor.protocol.WorkerState;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorHealthIndicator}.
 */
class SupervisorHealthIndicatorTests {

	@Test
	void upWhileEnoughWorkersAreReady() {
		SupervisorHealthIndicator indicator = new SupervisorHealthIndicator(() -> ClusterViews.of(Map.of(),
				ClusterViews.ready(1, 11), ClusterViews.worker(2, 22, WorkerState.STARTING)), 1);
		Health health = indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("readyWorkers", 1L)
			.containsEntry("minReadyWorkers", 1)
			.containsEntry("configuredWorkers", 2);
		assertThat(health.getDetails().get("workers")).isEqualTo(
				List.of(Map.of("id", 1, "pid", 11L, "state", "ready", "health", "UP"),
						Map.of("id", 2, "pid", 22L, "state", "starting", "health", "UP")));
	}

	@Test
	void downBelowTheMinimumOfReadyWorkers() {
		SupervisorHealthIndicator indicator = new SupervisorHealthIndicator(() -> ClusterViews.of(Map.of(),
				ClusterViews.ready(1, 11), ClusterViews.worker(2, 22, WorkerState.DRAINING)), 2);
		Health health = indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("readyWorkers", 1L).containsEntry("minReadyWorkers", 2);
	}

	@Test
	void aRestartingWorkerIsOneFewerReadyWorkerWithItsRestartTime() {
		SupervisorHealthIndicator indicator = new SupervisorHealthIndicator(() -> ClusterViews.of(Map.of(),
				ClusterViews.restarting(1, 11), ClusterViews.ready(2, 22)), 1);
		Health health = indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("readyWorkers", 1L);
		assertThat(health.getDetails().get("workers")).isEqualTo(List.of(
				Map.of("id", 1, "pid", 11L, "state", "restarting", "health", "UNKNOWN", "restartAt",
						ClusterViews.AT.plusSeconds(2)),
				Map.of("id", 2, "pid", 22L, "state", "ready", "health", "UP")));
	}

	@Test
	void downWithTheErrorWhenTheMasterDoesNotAnswer() {
		SupervisorHealthIndicator indicator = new SupervisorHealthIndicator(() -> {
			throw new IOException("no answer in 2 s");
		}, 1);
		Health health = indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("error", "java.io.IOException: no answer in 2 s");
	}

}
