package dev.bootsupervisor.worker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link GatedServerConnector}: an embedded Jetty serving a listening socket that the test shares with it.
 */
@Timeout(20)
class GatedServerConnectorTests {

	private final AcceptGate gate = new AcceptGate();

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger("org.eclipse.jetty"),
			(Logger) LoggerFactory.getLogger("dev.bootsupervisor"));

	private ServerSocketChannel shared;

	private InetSocketAddress address;

	private Server server;

	private GatedServerConnector connector;

	@BeforeEach
	void bindSharedSocket() throws IOException {
		this.shared = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 50);
		this.address = HttpConnection.loopback(this.shared.getLocalAddress());
		this.log.start();
		this.loggers.forEach((logger) -> logger.addAppender(this.log));
	}

	@AfterEach
	void cleanUp() throws Exception {
		this.loggers.forEach((logger) -> logger.detachAppender(this.log));
		if (this.server != null) {
			this.server.stop();
		}
		this.shared.close();
	}

	@Test
	void acceptsNoConnectionBeforeTheGateOpens() throws Exception {
		startJetty(workerCopy());
		// What a NetworkConnectionLimit does when the limit clears: must not open the gate's way
		this.connector.setAccepting(true);
		try (HttpConnection early = HttpConnection.open(this.address)) {
			early.sendGet("/");
			assertThatExceptionOfType(SocketTimeoutException.class)
				.isThrownBy(() -> early.readResponse(Duration.ofMillis(500)));
			// Still in the shared queue: another worker can take it
			assertThat(acceptFromSharedQueue()).isNotNull();
		}
		this.gate.open();
		try (HttpConnection connection = HttpConnection.open(this.address)) {
			HttpConnection.Response response = connection.get("/");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("ok");
			assertThat(response.closesConnection()).isFalse();
		}
	}

	@Test
	void afterDrainClosesIdleKeptAliveConnectionsOnceQuiet() throws Exception {
		startJetty(workerCopy());
		this.gate.open();
		try (HttpConnection idle = HttpConnection.open(this.address)) {
			assertThat(idle.get("/").closesConnection()).isFalse();
			// not drained yet: idle connections stay
			this.gate.closeIdleConnections();
			assertThat(this.gate.openConnections()).isEqualTo(1);
			this.gate.drain();
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				this.gate.closeIdleConnections();
				return this.gate.openConnections() == 0;
			});
			assertThat(idle.closedByServer()).isTrue();
		}
		assertThat(this.connector.getOpenConnectionCount()).isZero();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void afterDrainClosesKeptAliveConnectionsAndLeavesNewConnectionsInTheSharedQueue() throws Exception {
		startJetty(workerCopy());
		this.gate.open();
		try (HttpConnection keptAlive = HttpConnection.open(this.address)) {
			assertThat(keptAlive.get("/").closesConnection()).isFalse();
			assertThat(this.gate.openConnections()).isEqualTo(1);
			this.gate.drain();
			HttpConnection.Response last = keptAlive.get("/");
			assertThat(last.status()).isEqualTo(200);
			assertThat(last.body()).isEqualTo("ok");
			assertThat(last.closesConnection()).isTrue();
			assertThat(keptAlive.closedByServer()).isTrue();
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.gate.openConnections() == 0);
		try (HttpConnection late = HttpConnection.open(this.address)) {
			late.sendGet("/");
			SocketChannel queued = acceptFromSharedQueue();
			assertThat(queued).isNotNull();
			queued.close();
		}
		assertThat(this.connector.getOpenConnectionCount()).isZero();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void drainWakesTheAcceptorFromABlockingAcceptOnARealChannel() throws Exception {
		startJetty(this.shared);
		this.gate.open();
		try (HttpConnection connection = HttpConnection.open(this.address)) {
			assertThat(connection.get("/").status()).isEqualTo(200);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> acceptorStackContains("ServerSocketChannelImpl.accept"));
		this.gate.drain();
		assertThat(this.shared.isOpen()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> !acceptorStackContains("ServerSocketChannelImpl.accept"));
		assertThat(this.connector.isAccepting()).isFalse();
		stopJetty();
		assertThat(acceptorThread()).isNull();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void stopBeforeTheGateOpensEndsTheAcceptorQuietly() throws Exception {
		startJetty(workerCopy());
		await().atMost(Duration.ofSeconds(5)).until(() -> acceptorStackContains("AcceptGate.awaitChangeFrom"));
		stopJetty();
		assertThat(acceptorThread()).isNull();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		assertThat(this.shared.accept()).isNull();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void gracefulShutdownWhileOpenTakesNoConnectionFromTheSharedQueue() throws Exception {
		startJetty(workerCopy());
		this.gate.open();
		try (HttpConnection connection = HttpConnection.open(this.address)) {
			assertThat(connection.get("/").status()).isEqualTo(200);
		}
		this.connector.shutdown().get();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		try (HttpConnection late = HttpConnection.open(this.address)) {
			late.sendGet("/");
			SocketChannel queued = acceptFromSharedQueue();
			assertThat(queued).isNotNull();
			queued.close();
		}
		stopJetty();
		assertThat(acceptorThread()).isNull();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void reportsTheSharedSocketPortAsLocalPort() throws Exception {
		startJetty(workerCopy());
		assertThat(this.connector.getLocalPort()).isEqualTo(this.address.getPort());
	}

	@Test
	void alwaysHasAnAcceptorThreadSoThatTheSharedSocketStaysBlocking() {
		Server server = new Server();
		GatedServerConnector connector = new GatedServerConnector(server, null, null, null, 0, 1, this.gate,
				() -> this.shared, new HttpConnectionFactory());
		assertThat(connector.getAcceptors()).isEqualTo(1);
	}

	@Test
	void failsToStartWithoutAnInheritedListeningSocketAndBindsNoPort() {
		this.server = new Server();
		this.connector = new GatedServerConnector(this.server, null, null, null, 1, 1, this.gate, () -> null,
				new HttpConnectionFactory());
		this.connector.setPort(0);
		this.server.addConnector(this.connector);
		Throwable failure = catchThrowable(this.server::start);
		assertThat(NestedExceptionUtils.getMostSpecificCause(failure)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("inherited no open listening socket");
		assertThat(this.connector.getLocalPort()).isLessThanOrEqualTo(0);
		assertThat(this.connector.isOpen()).isFalse();
	}

	private WorkerCopyChannel workerCopy() throws IOException {
		this.shared.configureBlocking(false);
		return new WorkerCopyChannel(this.shared);
	}

	private void startJetty(Channel workerChannel) throws Exception {
		this.server = new Server();
		this.connector = new GatedServerConnector(this.server, null, null, null, 1, 1, this.gate, () -> workerChannel,
				new HttpConnectionFactory());
		this.server.addConnector(this.connector);
		this.server.setHandler(new OkHandler());
		this.server.start();
	}

	private void stopJetty() throws Exception {
		long start = System.nanoTime();
		this.server.stop();
		this.server = null;
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
	}

	private SocketChannel acceptFromSharedQueue() throws IOException {
		if (this.shared.isBlocking()) {
			return this.shared.accept();
		}
		return await().atMost(Duration.ofSeconds(5)).until(this.shared::accept, (socket) -> socket != null);
	}

	private boolean acceptorStackContains(String frame) {
		Thread acceptor = acceptorThread();
		return acceptor != null && Arrays.stream(acceptor.getStackTrace())
			.anyMatch((element) -> (element.getClassName() + "." + element.getMethodName()).endsWith(frame));
	}

	private Thread acceptorThread() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().contains("-acceptor-") && thread.isAlive())
			.findFirst()
			.orElse(null);
	}

	private List<String> warningsAndErrors() {
		return this.log.list.stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN))
			.map((event) -> event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage())
			.toList();
	}

	static class OkHandler extends Handler.Abstract {

		@Override
		public boolean handle(Request request, Response response, Callback callback) {
			response.setStatus(200);
			response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
			response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 2);
			response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)), callback);
			return true;
		}

	}

}
