package dev.bootsupervisor.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 26's leak trial with the app on Temurin 25 ({@code it.java25}) and its default collector: there G1 waits for
 * a young collection that a leak of humongous blocks never brings, so the figures come from the collections the
 * worker requests. Skipped, and reported as such, on a machine without that JDK.
 */
@Order(3)
class Temurin25WatchdogIntegrationTests {

	@RegisterExtension
	final ProcessFixture fixture = new ProcessFixture().onJava(ProcessFixture.temurin25(), 25);

	@BeforeEach
	void requireTemurin25() {
		assumeTrue(Files.isExecutable(Path.of(ProcessFixture.temurin25())),
				"Temurin 25 is not at " + ProcessFixture.temurin25() + " (set -Dit.java25=...)");
	}

	@Test
	void aLeakingWorkerIsRecycledBeforeAnyOutOfMemoryErrorWithoutAFailedRequest() throws Exception {
		SupervisedProcess app = this.fixture.startUnder(List.of(), SupervisedProcess.JVM_OPTIONS_DEFAULT_GC,
				WatchdogIntegrationTests.WATCHED);
		app.awaitReady(2);
		WatchdogIntegrationTests.leakTrial(app);
	}

}
