package dev.bootsupervisor.actuate;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import dev.bootsupervisor.actuate.SupervisorEndpoint.ClusterDescriptor;
import dev.bootsupervisor.actuate.SupervisorEndpoint.MasterUnavailableException;
import dev.bootsupervisor.actuate.SupervisorEndpoint.WorkerDescriptor;
import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerView;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests for {@link SupervisorEndpoint} and {@link SupervisorEndpointWebExtension}.
 */
class SupervisorEndpointTests {

	@Test
	void describesTheMasterAndEveryWorker() {
		SupervisorEndpoint endpoint = new SupervisorEndpoint(() -> ClusterViews.of(Map.of("crash", 1),
				ClusterViews.ready(1, 11), ClusterViews.restarted(2, 22)), 2);
		ClusterDescriptor cluster = endpoint.cluster();
		assertThat(cluster.master().pid()).isEqualTo(100);
		assertThat(cluster.master().uptime()).isEqualTo(Duration.ofMinutes(1));
		assertThat(cluster.master().restarts()).containsExactly(Map.entry("crash", 1));
		assertThat(cluster.master().configuredWorkers()).isEqualTo(2);
		assertThat(cluster.workers()).extracting(WorkerDescriptor::id, WorkerDescriptor::pid, WorkerDescriptor::health)
			.containsExactly(tuple(1, 11L, "UP"),
					tuple(2, 22L, "UNKNOWN"));
		WorkerDescriptor first = cluster.workers().get(0);
		assertThat(first.uptime()).isEqualTo(Duration.ofSeconds(30));
		assertThat(first.lastExit()).isNull();
		assertThat(first.heap().used()).isEqualTo(50_000_000);
		WorkerDescriptor restarted = cluster.workers().get(1);
		assertThat(restarted.restarts()).isEqualTo(1);
		assertThat(restarted.lastExit().signal()).isEqualTo("KILL");
		assertThat(restarted.lastExit().code()).isEqualTo(137);
		assertThat(restarted.heap()).as("no heartbeat yet").isNull();
		assertThat(cluster.servedBy().id()).isEqualTo(2);
		assertThat(cluster.servedBy().pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(cluster.at()).isEqualTo(ClusterViews.AT);
	}

	@Test
	void describesARestartingWorkerAndWhenItsSlotRestarts() {
		SupervisorEndpoint endpoint = new SupervisorEndpoint(() -> ClusterViews.of(Map.of("crash", 1),
				ClusterViews.restarting(1, 11), ClusterViews.ready(2, 22)), 2);
		ClusterDescriptor cluster = endpoint.cluster();
		WorkerDescriptor restarting = cluster.workers().get(0);
		assertThat(restarting.state()).isEqualTo("restarting");
		assertThat(restarting.ready()).isFalse();
		assertThat(restarting.restartAt()).isEqualTo(ClusterViews.AT.plusSeconds(2));
		assertThat(restarting.reason()).isEqualTo("crashed, signal KILL (exit code 137)");
		assertThat(cluster.workers().get(1).restartAt()).isNull();
	}

	@Test
	void showsWhichWorkerLeadsAndTheEpoch() {
		WorkerView follower = ClusterViews.ready(1, 11);
		WorkerView leader = ClusterViews.ready(2, 22);
		WorkerView leading = new WorkerView(leader.id(), leader.pid(), leader.generation(), leader.state(),
				leader.stateSince(), leader.reason(), leader.startedAt(), leader.restarts(), null, leader.heap(),
				leader.health(), true);
		ClusterView base = ClusterViews.of(Map.of(), follower, leading);
		SupervisorEndpoint endpoint = new SupervisorEndpoint(() -> new ClusterView(base.name(), base.masterPid(),
				base.masterStartedAt(), base.state(), base.configuredWorkers(), base.liveWorkers(), base.port(),
				base.sharing(), base.at(), base.workers(), Map.of(), Map.of(), 12, 3), 1);
		ClusterDescriptor cluster = endpoint.cluster();
		assertThat(cluster.master().leaderEpoch()).isEqualTo(12);
		assertThat(cluster.master().leaderChanges()).isEqualTo(3);
		assertThat(cluster.workers()).extracting(WorkerDescriptor::id, WorkerDescriptor::leader)
			.containsExactly(tuple(1, false), tuple(2, true));
	}

	@Test
	void failsWhenTheMasterDoesNotAnswer() {
		SupervisorEndpoint endpoint = new SupervisorEndpoint(unavailable(), 1);
		assertThatExceptionOfType(MasterUnavailableException.class).isThrownBy(endpoint::cluster)
			.withMessage("no answer in 2 s");
	}

	@Test
	void webExtensionAnswersTheView() {
		SupervisorEndpointWebExtension extension = new SupervisorEndpointWebExtension(
				new SupervisorEndpoint(() -> ClusterViews.of(Map.of(), ClusterViews.ready(1, 11)), 1));
		WebEndpointResponse<Object> response = extension.cluster();
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getBody()).isInstanceOf(ClusterDescriptor.class);
	}

	@Test
	void webExtensionAnswersServiceUnavailableWhenTheMasterDoesNotAnswer() {
		SupervisorEndpointWebExtension extension = new SupervisorEndpointWebExtension(
				new SupervisorEndpoint(unavailable(), 1));
		WebEndpointResponse<Object> response = extension.cluster();
		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getBody()).isEqualTo(Map.of("error", "Service Unavailable", "message", "no answer in 2 s"));
	}

	private static ClusterViewSource unavailable() {
		return () -> {
			throw new IOException("no answer in 2 s");
		};
	}

}
