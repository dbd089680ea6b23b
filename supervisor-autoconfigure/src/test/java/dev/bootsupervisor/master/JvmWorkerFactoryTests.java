package dev.bootsupervisor.master;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.base.WorkerCommand;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link JvmWorkerFactory}'s registry of the processes it started, which an orphan reaper leaves alone.
 */
class JvmWorkerFactoryTests {

	@Test
	void watchesAWorkerFromItsStartUntilItsExitWasRead() throws Exception {
		// sh stands in for java: the worker's options and arguments become the script's positional parameters
		WorkerCommand command = new WorkerCommand("/bin/sh", List.of("-c", "exec sleep 30"), List.of(), List.of(), "app");
		JvmWorkerFactory factory = new JvmWorkerFactory(command, Map.of(), null);
		WorkerProcess worker = factory.start(1, 1);
		assertThat(factory.watches(worker.pid())).isTrue();
		assertThat(factory.watches(ProcessHandle.current().pid())).isFalse();
		worker.kill();
		assertThat(worker.onExit().get(10, TimeUnit.SECONDS)).isEqualTo(137);
		await().atMost(Duration.ofSeconds(5)).until(() -> !factory.watches(worker.pid()));
	}

}
