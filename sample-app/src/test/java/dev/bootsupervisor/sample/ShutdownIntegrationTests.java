package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
		// Clients opening a connection per request right through the stop: once the kernel took a connection, its
		// request must be answered (issue 26: the queued ones were reset when the listening socket was shut)
		NewConnectionLoad load = new NewConnectionLoad(app.port(), 16);
		await("requests answered under the load").atMost(Duration.ofSeconds(30)).until(() -> load.answered() > 50);
		app.signal("TERM");
		Response response = pending.get(30, TimeUnit.SECONDS);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).matches("\\{\"pid\":\\d+,\"worker\":[12],\"generation\":\\d+}");
		assertThat(response.pid()).isIn(workers);
		assertThat(Duration.between(sent, response.receivedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(3000));
		assertThat(app.awaitExit(Duration.ofSeconds(30))).as("master exit code").isZero();
		NewConnectionLoad.Outcome outcome = load.stop();
		assertThat(outcome.lost()).as("requests on connections the kernel took, then lost (%s answered, %s not "
				+ "connected)", outcome.answered(), outcome.refused()).isEmpty();
		assertThat(outcome.refused()).as("connects refused or not taken once the stop began").isPositive();
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


	/**
	 * Clients that each send {@code GET /} on a new connection, back to back: a connect that fails or is not
	 * answered in time was never taken by the kernel (refused); a connection that was taken and then fails to
	 * bring a 200 is a lost request.
	 */
	static final class NewConnectionLoad {

		private final AtomicBoolean stop = new AtomicBoolean();

		private final AtomicLong answered = new AtomicLong();

		private final AtomicLong refused = new AtomicLong();

		private final List<String> lost = Collections.synchronizedList(new ArrayList<>());

		private final List<Thread> threads = new ArrayList<>();

		NewConnectionLoad(int port, int clients) {
			for (int i = 0; i < clients; i++) {
				Thread thread = new Thread(() -> {
					while (!this.stop.get()) {
						send(port);
					}
				}, "new-connection-load-" + i);
				thread.setDaemon(true);
				thread.start();
				this.threads.add(thread);
			}
		}

		long answered() {
			return this.answered.get();
		}

		private void send(int port) {
			try (Socket socket = new Socket()) {
				try {
					socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
				}
				catch (IOException ex) {
					this.refused.incrementAndGet();
					return;
				}
				socket.setSoTimeout(30_000);
				String response;
				try {
					OutputStream out = socket.getOutputStream();
					out.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
						.getBytes(StandardCharsets.US_ASCII));
					out.flush();
					response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
				}
				catch (IOException ex) {
					this.lost.add(Instant.now() + " " + ex);
					return;
				}
				if (response.startsWith("HTTP/1.1 200")) {
					this.answered.incrementAndGet();
				}
				else {
					this.lost.add(Instant.now() + " " + (response.isEmpty() ? "closed without a response"
							: response.lines().findFirst().orElse("")));
				}
			}
			catch (IOException ex) {
				this.refused.incrementAndGet();
			}
		}

		Outcome stop() throws InterruptedException {
			this.stop.set(true);
			for (Thread thread : this.threads) {
				thread.join(60_000);
			}
			return new Outcome(this.answered.get(), this.refused.get(), List.copyOf(this.lost));
		}

		record Outcome(long answered, long refused, List<String> lost) {
		}

	}

}
