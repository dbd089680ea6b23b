package dev.bootsupervisor.sample;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Process-level tests of how a cluster ends: gracefully on SIGTERM, and completely when its master is killed.
 */
@Order(12)
class ShutdownIntegrationTests {

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.bootsupervisor.sample.ProcessFixture#servers")
	void sigtermLetsTheRequestInFlightCompleteThenExitsWithZero(String server) throws Exception {
		this.processes.onServer(server);
		SupervisedProcess app = this.processes.start("--supervisor.workers=2");
		app.awaitReady(2);
		Set<Long> workers = app.workerPids();
		Instant sent = Instant.now();
		CompletableFuture<Response> pending = app.getAsync("/slow?ms=3000");
		app.awaitOutput("Slow request: answering in 3000 ms", Duration.ofSeconds(30));
		app.signal("TERM");
		Response response = pending.get(30, TimeUnit.SECONDS);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).matches("\\{\"pid\":\\d+,\"worker\":[12],\"generation\":\\d+}");
		assertThat(response.pid()).isIn(workers);
		assertThat(Duration.between(sent, response.receivedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(3000));
		assertThat(app.awaitExit(Duration.ofSeconds(30))).as("master exit code").isZero();
		assertThat(app.alivePids()).as("processes alive once the master exited").isEmpty();
	}

	@Test
	void killedMasterTakesEveryWorkerDownAndFreesThePort() throws Exception {
		SupervisedProcess app = this.processes.start("--supervisor.workers=2");
		app.awaitReady(2);
		assertThat(app.workerPids()).hasSize(2);
		assertThat(app.get("/").status()).isEqualTo(200);
		app.signal("KILL");
		assertThat(app.awaitExit(Duration.ofSeconds(10))).isEqualTo(128 + 9);
		app.awaitAllExited(Duration.ofSeconds(15));
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(app.port()));
			assertThat(socket.getLocalPort()).isEqualTo(app.port());
		}
	}

}
