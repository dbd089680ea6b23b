package dev.bootsupervisor.control;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.bootsupervisor.actuate.ClusterViews;
import dev.bootsupervisor.base.SupervisorSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ControlCommands}' {@code status} table.
 */
class ControlCommandsTests {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ControlCommands commands = new ControlCommands(new SupervisorSettings("app", 2, null, 8080, 100,
			Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1), 3, Duration.ofMinutes(5),
			Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofMinutes(2), Path.of("/nonexistent")),
			new PrintStream(this.out, true, StandardCharsets.UTF_8), System.err);

	@Test
	void scaleWithoutACountOnItsCommandLineIsAUsageErrorThatChangesNothing() {
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		ControlCommands scale = new ControlCommands(new SupervisorSettings("app", 2, null, 8080, 100,
				Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1), 3, Duration.ofMinutes(5),
				Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofMinutes(2), Path.of("/nonexistent")),
				new PrintStream(this.out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
			.withWorkersGiven(ControlCommands.workersGiven(new String[] { "--supervisor.command=scale" }));
		assertThat(scale.run("scale")).isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("scale needs --supervisor.workers=N");
		assertThat(table()).isEmpty();
		assertThat(ControlCommands.workersGiven(new String[] { "--supervisor.command=scale", "--supervisor.workers=3" }))
			.isTrue();
	}

	@Test
	void statusTableKeepsItsColumnsWhenNoWorkerRestarts() {
		this.commands.print(ClusterViews.of(Map.of(), ClusterViews.ready(1, 201), ClusterViews.ready(2, 202)));
		assertThat(table()).contains("WORKER PID      GEN  STATE     UPTIME    RESTARTS  LAST EXIT\n"
				+ "1      201      1    ready     30s       0         -\n");
	}

	@Test
	void statusTableShowsWhenARestartingSlotRestarts() {
		this.commands.print(ClusterViews.of(Map.of("crash", 1), ClusterViews.restarting(1, 201),
				ClusterViews.ready(2, 202)));
		assertThat(table()).contains("WORKER PID      GEN  STATE               UPTIME    RESTARTS  LAST EXIT\n"
				+ "1      201      1    restarting (in 2s)  -         0         signal KILL 3s ago (crashed)\n"
				+ "2      202      1    ready               30s       0         -\n");
	}

	private String table() {
		return this.out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
	}

}
