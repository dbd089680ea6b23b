package dev.bootsupervisor.protocol;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ClusterView}'s wire form.
 */
class ClusterViewTests {

	private static final Instant LAUNCHED = Instant.parse("2026-01-01T10:00:00.123456789Z");

	private static final Instant NOW = Instant.parse("2026-01-01T10:05:00Z");

	@Test
	void roundTripsThroughTheCodec() throws Exception {
		WorkerView ready = worker(1, null, null, null, null);
		WorkerView restarted = worker(2, 137, "KILL", NOW.minusSeconds(30), "crashed with signal KILL (exit code 137)");
		WorkerView exitedCleanly = worker(3, 0, null, NOW.minusSeconds(10), "stopped");
		ClusterView view = view(List.of(ready, restarted, exitedCleanly), Map.of("crash", 2, "startup-timeout", 1),
				Map.of("success", 3, "failure", 1));
		ClusterView decoded = overTheWire(view);
		assertThat(decoded).isEqualTo(view);
		assertThat(decoded.worker(1).lastExitCode()).isNull();
		assertThat(decoded.worker(1).lastExitAt()).isNull();
		assertThat(decoded.worker(2).lastExitCode()).isEqualTo(137);
		assertThat(decoded.worker(2).lastExitSignal()).isEqualTo("KILL");
		assertThat(decoded.worker(2).lastExitReason()).isEqualTo("crashed with signal KILL (exit code 137)");
		assertThat(decoded.worker(3).lastExitCode()).isZero();
		assertThat(decoded.worker(3).lastExitSignal()).isNull();
		assertThat(decoded.restartsByReason()).containsExactly(Map.entry("crash", 2), Map.entry("startup-timeout", 1));
		assertThat(decoded.reloadsByOutcome()).containsExactly(Map.entry("failure", 1), Map.entry("success", 3));
		assertThat(decoded.masterStartedAt()).isEqualTo(LAUNCHED);
		assertThat(decoded.worker(4)).isNull();
	}

	@Test
	void roundTripsARestartingWorkerAndWhenItsSlotRestarts() throws Exception {
		Instant restartAt = NOW.plusMillis(1500);
		WorkerView restarting = new WorkerView(1, 5001, 1, WorkerState.RESTARTING, NOW.minusMillis(500),
				"crashed, exit code 1", NOW.minusSeconds(90), 0,
				new WorkerView.LastExit(1, null, NOW.minusMillis(500), "crashed"), null, "UNKNOWN", false, restartAt);
		ClusterView view = view(List.of(restarting, worker(2, null, null, null, null)), Map.of(), Map.of());
		Frame frame = ClusterView.toFrame(view);
		assertThat(frame.get("w0.state")).hasValue("restarting");
		assertThat(frame.get("w0.restartAt")).hasValue("2026-01-01T10:05:01.500Z");
		assertThat(frame.get("w1.restartAt")).as("only sent when set").isEmpty();
		ClusterView decoded = overTheWire(view);
		assertThat(decoded).isEqualTo(view);
		assertThat(decoded.worker(1).restartAt()).isEqualTo(restartAt);
		assertThat(decoded.worker(1).alive()).isFalse();
		assertThat(decoded.worker(2).restartAt()).isNull();
	}

	@Test
	void rejectsARestartTimeForAWorkerThatIsNotRestarting() {
		Frame frame = with(ClusterView.toFrame(view(List.of(worker(1, null, null, null, null)), Map.of(), Map.of())),
				"w0.restartAt", NOW.toString());
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(frame))
			.withMessageContaining("not restarting");
		Frame badTime = with(ClusterView.toFrame(view(List.of(worker(1, null, null, null, null)), Map.of(), Map.of())),
				"w0.restartAt", "soon");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(badTime))
			.withMessageStartingWith("malformed cluster view");
	}

	@Test
	void roundTripsTheClassDataArchive() throws Exception {
		CdsView cds = new CdsView("refused", "/run/app/cds/app-1/app.jsa",
				"the JVM refused the archive it wrote: A jar file is not the one used = x");
		ClusterView view = new ClusterView("app", 42, LAUNCHED, ClusterPhase.RUNNING, 1, 1, 8080, "inherited", NOW,
				List.of(worker(1, null, null, null, null)), Map.of(), Map.of(), 0, 0, cds);
		assertThat(overTheWire(view).cds()).isEqualTo(cds);
		ClusterView older = new ClusterView("app", 42, LAUNCHED, ClusterPhase.RUNNING, 1, 1, 8080, "inherited", NOW,
				List.of(), Map.of(), Map.of());
		assertThat(overTheWire(older).cds()).isEqualTo(CdsView.NONE);
	}

	@Test
	void roundTripsTheLeaderAndItsEpoch() throws Exception {
		WorkerView follower = worker(1, null, null, null, null);
		WorkerView leader = worker(2, null, null, null, null);
		leader = new WorkerView(leader.id(), leader.pid(), leader.generation(), leader.state(), leader.stateSince(),
				leader.reason(), leader.startedAt(), leader.restarts(), null, leader.heap(), leader.health(), true);
		ClusterView view = new ClusterView("app", 42, LAUNCHED, ClusterPhase.RUNNING, 2, 2, 8080, "inherited", NOW,
				List.of(follower, leader), Map.of(), Map.of(), 17, 5);
		ClusterView decoded = overTheWire(view);
		assertThat(decoded).isEqualTo(view);
		assertThat(decoded.worker(2).leader()).isTrue();
		assertThat(decoded.worker(1).leader()).isFalse();
		assertThat(decoded.leaderEpoch()).isEqualTo(17);
		assertThat(decoded.leaderChanges()).isEqualTo(5);
	}

	@Test
	void roundTripsAViewWithoutWorkersOrCounts() throws Exception {
		ClusterView view = new ClusterView("app", 42, LAUNCHED, ClusterPhase.STOPPED, 2, 0, -1, "none", NOW, List.of(), Map.of(),
				Map.of());
		assertThat(overTheWire(view)).isEqualTo(view);
	}

	@Test
	void roundTripsTheViewOfAFreshFiveWorkerCluster() throws Exception {
		List<WorkerView> workers = new ArrayList<>();
		for (int id = 1; id <= 5; id++) {
			workers.add(worker(id, null, null, null, null));
		}
		ClusterView view = view(workers, Map.of(), Map.of());
		assertThat(overTheWire(view)).isEqualTo(view);
	}

	@Test
	void roundTripsTheViewOfAnEightWorkerCluster() throws Exception {
		// supervisor.workers=auto on an 8-core host; every slot restarted once
		List<WorkerView> workers = new ArrayList<>();
		for (int id = 1; id <= 8; id++) {
			workers.add(worker(id, 137, "KILL", NOW.minusSeconds(id), "crashed"));
		}
		ClusterView view = view(workers, Map.of("crash", 8), Map.of());
		assertThat(overTheWire(view)).isEqualTo(view);
	}

	@Test
	void roundTripsTheViewOfASixtyFourWorkerCluster() throws Exception {
		List<WorkerView> workers = new ArrayList<>();
		for (int id = 1; id <= 64; id++) {
			workers.add(worker(id, 137, "KILL", NOW.minusSeconds(id), "crashed with signal KILL (exit code 137)"));
		}
		ClusterView view = view(workers, Map.of("crash", 64), Map.of("success", 1));
		assertThat(overTheWire(view)).isEqualTo(view);
	}

	@Test
	void viewIsImmutable() {
		List<WorkerView> workers = new ArrayList<>(List.of(worker(1, null, null, null, null)));
		Map<String, Integer> restarts = new LinkedHashMap<>(Map.of("crash", 1));
		ClusterView view = view(workers, restarts, Map.of());
		workers.clear();
		restarts.clear();
		assertThat(view.workers()).hasSize(1);
		assertThat(view.restartsByReason()).containsEntry("crash", 1);
	}

	@Test
	void rejectsAViewWithoutWorkerCount() {
		Frame frame = without(ClusterView.toFrame(view(List.of(worker(1, null, null, null, null)), Map.of(), Map.of())),
				"workers");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(frame))
			.withMessageContaining("workers");
	}

	@Test
	void rejectsAViewWithAMissingWorkerField() {
		Frame frame = without(ClusterView.toFrame(view(List.of(worker(1, null, null, null, null)), Map.of(), Map.of())),
				"w0.pid");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(frame))
			.withMessageContaining("w0.pid");
	}

	@Test
	void rejectsAViewWithAMissingTopLevelField() {
		Frame frame = without(ClusterView.toFrame(view(List.of(), Map.of(), Map.of())), "name");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(frame))
			.withMessageContaining("name");
	}

	@Test
	void rejectsAnOutOfRangeWorkerCount() {
		Frame negative = with(ClusterView.toFrame(view(List.of(), Map.of(), Map.of())), "workers", "-1");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(negative))
			.withMessageContaining("worker count out of range: -1");
		Frame huge = with(ClusterView.toFrame(view(List.of(), Map.of(), Map.of())), "workers", "100000");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(huge))
			.withMessageContaining("out of range");
	}

	@Test
	void rejectsABadTimestamp() {
		Frame frame = with(ClusterView.toFrame(view(List.of(), Map.of(), Map.of())), "at", "yesterday");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(frame))
			.withMessageStartingWith("malformed cluster view");
	}

	@Test
	void rejectsABadCountOrExitCode() {
		Frame count = with(ClusterView.toFrame(view(List.of(), Map.of(), Map.of())), "restarts.crash", "many");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(count))
			.withMessageStartingWith("malformed cluster view");
		Frame exit = with(ClusterView.toFrame(view(List.of(worker(1, null, null, null, null)), Map.of(), Map.of())),
				"w0.lastExitCode", "KILL");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(exit))
			.withMessageStartingWith("malformed cluster view");
	}

	@Test
	void rejectsANonNumericPid() {
		Frame frame = with(ClusterView.toFrame(view(List.of(), Map.of(), Map.of())), "masterPid", "self");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> ClusterView.fromFrame(frame))
			.withMessageContaining("masterPid");
	}

	private static ClusterView overTheWire(ClusterView view) throws Exception {
		Frame frame = ClusterView.toFrame(view);
		assertThat(frame.type()).isEqualTo(MessageType.REPLY);
		byte[] bytes = FrameCodec.encodeBytes(frame);
		return ClusterView.fromFrame(FrameCodec.readReply(new ByteArrayInputStream(bytes)));
	}

	private static ClusterView view(List<WorkerView> workers, Map<String, Integer> restarts,
			Map<String, Integer> reloads) {
		return new ClusterView("sample-app", 4242, LAUNCHED, ClusterPhase.RUNNING, workers.size(), workers.size(), 8080,
				"inherited listening socket", NOW, workers, restarts, reloads);
	}

	private static WorkerView worker(int id, Integer exitCode, String signal, Instant exitAt, String exitReason) {
		return new WorkerView(id, 5000 + id, (exitCode != null) ? 2 : 1, WorkerState.READY, NOW.minusSeconds(60),
				"application ready, accepting connections", NOW.minusSeconds(90), (exitCode != null) ? 1 : 0,
				(exitCode != null) ? new WorkerView.LastExit(exitCode, signal, exitAt, exitReason) : null,
				new WorkerView.Heap(123_456_789L, 1_073_741_824L), "UP");
	}

	private static Frame without(Frame frame, String key) {
		Map<String, String> fields = new LinkedHashMap<>(frame.fields());
		assertThat(fields.remove(key)).isNotNull();
		return new Frame(frame.type(), fields);
	}

	private static Frame with(Frame frame, String key, String value) {
		Map<String, String> fields = new LinkedHashMap<>(frame.fields());
		fields.put(key, value);
		return new Frame(frame.type(), fields);
	}

}
