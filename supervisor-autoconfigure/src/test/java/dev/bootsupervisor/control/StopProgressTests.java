package dev.bootsupervisor.control;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerState;
import dev.bootsupervisor.protocol.WorkerView;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StopProgress}.
 */
class StopProgressTests {

	private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

	private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

	private final PrintStream out = new PrintStream(this.bytes, true, StandardCharsets.UTF_8);

	@Test
	void inALogALineIsPrintedOnlyWhenWhatIsOpenChanges() {
		StopProgress progress = new StopProgress(this.out, false);
		progress.show(view(worker(1, 3), worker(2, 1)), NOW.plusSeconds(30));
		progress.show(view(worker(1, 3), worker(2, 1)), NOW.plusSeconds(29));
		progress.show(view(worker(1, 0)), NOW.plusSeconds(28));
		progress.show(view(), NOW.plusSeconds(27));
		progress.end();
		assertThat(this.bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
				"Waiting for 2 worker(s): worker 1 (pid 101) draining, 3 open connection(s), worker 2 (pid 102) "
						+ "draining, 1 open connection(s)\n"
						+ "Waiting for 1 worker(s): worker 1 (pid 101) draining, no open connection\n"
						+ "Every worker has stopped; the master exits\n");
	}

	@Test
	void onATerminalOneLineIsRewrittenInPlaceWithItsCountdown() {
		StopProgress progress = new StopProgress(this.out, true);
		progress.show(view(worker(1, 12)), NOW.plusSeconds(30));
		progress.show(view(worker(1, -1)), NOW.plusSeconds(25));
		progress.end();
		assertThat(this.bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
				"\rWaiting for 1 worker(s): worker 1 (pid 101) draining, 12 open connection(s); 30 s before they are "
						+ "killed"
						+ "\rWaiting for 1 worker(s): worker 1 (pid 101) draining, open connections unknown; 25 s before "
						+ "they are killed\n");
	}

	private static WorkerView worker(int id, int connections) {
		return new WorkerView(id, 100 + id, 1, WorkerState.DRAINING, NOW, "stopping", NOW, 0, null, null, "UP", false,
				null, connections);
	}

	private static ClusterView view(WorkerView... workers) {
		return new ClusterView("app", 100, NOW, ClusterPhase.STOPPING, 2, workers.length, 8080, "inherited", NOW,
				List.of(workers), Map.of(), Map.of());
	}

}
