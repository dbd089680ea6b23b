package dev.bootsupervisor.sample;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Process-level tests of a cluster that cannot start: the master exits with code 1, says why, and leaves no
 * process behind.
 */
@Order(20)
class StartupFailureIntegrationTests {

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@Test
	void portInUse() throws Exception {
		try (ServerSocket taken = new ServerSocket(0)) {
			int port = taken.getLocalPort();
			SupervisedProcess app = this.processes.start(port, "--supervisor.workers=2");
			assertExitsWith(app, 78);
			assertThat(app.output()).containsPattern(
					Pattern.compile("(?im)^.*(\\b" + port + "\\b.*in use|in use.*\\b" + port + "\\b)"));
		}
	}

	@Test
	void invalidProperty() throws Exception {
		SupervisedProcess app = this.processes.start("--supervisor.workers=abc");
		assertExitsWith(app, 78);
		assertThat(app.output()).contains("supervisor.workers");
	}

	@Test
	void workerFailingBeforeItIsReady() throws Exception {
		SupervisedProcess app = this.processes.start("--supervisor.workers=2", "--sample.fail-on-start=true");
		assertExitsWith(app, 3);
		assertThat(app.output()).contains("Startup failure requested by sample.fail-on-start=true")
			.doesNotContain("Supervisor ready");
	}

	/** 78 for a configuration error, 3 for a worker that failed to boot: systemd restarts only the second. */
	private static void assertExitsWith(SupervisedProcess app, int code) {
		assertThat(app.awaitExit(Duration.ofSeconds(60))).as("master exit code\n%s", app.describe()).isEqualTo(code);
		assertThat(app.alivePids()).as("processes alive once the master exited").isEmpty();
	}

}
