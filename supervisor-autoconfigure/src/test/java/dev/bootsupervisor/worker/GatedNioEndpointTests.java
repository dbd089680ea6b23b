package dev.bootsupervisor.worker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link GatedNioEndpoint}: an embedded Tomcat serving a listening socket that the test shares with it.
 */
@Timeout(20)
class GatedNioEndpointTests {

	private static final Logger tomcatLogger = Logger.getLogger("org.apache");

	private static final List<String> CONNECTOR_LOGGERS = List.of("org.apache.tomcat.util.net", "org.apache.coyote",
			"org.apache.catalina.connector", "org.apache.catalina.core.StandardService");

	private final List<LogRecord> tomcatLog = new CopyOnWriteArrayList<>();

	private final Handler tomcatLogHandler = new Handler() {

		@Override
		public void publish(LogRecord record) {
			GatedNioEndpointTests.this.tomcatLog.add(record);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	private final AcceptGate gate = new AcceptGate();

	@TempDir
	private Path baseDir;

	private ServerSocketChannel shared;

	private InetSocketAddress address;

	private Tomcat tomcat;

	private GatedHttp11NioProtocol protocol;

	@BeforeEach
	void bindSharedSocket() throws IOException {
		this.shared = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 50);
		this.address = HttpConnection.loopback(this.shared.getLocalAddress());
		tomcatLogger.addHandler(this.tomcatLogHandler);
	}

	@AfterEach
	void cleanUp() throws Exception {
		tomcatLogger.removeHandler(this.tomcatLogHandler);
		if (this.tomcat != null) {
			this.tomcat.stop();
			this.tomcat.destroy();
		}
		this.shared.close();
	}

	@Test
	void acceptsNoConnectionBeforeTheGateOpens() throws Exception {
		startTomcat(workerCopy());
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
		startTomcat(workerCopy());
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
		assertThat(this.protocol.getOpenConnectionCount()).isZero();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void afterDrainClosesKeptAliveConnectionsAndLeavesNewConnectionsInTheSharedQueue() throws Exception {
		startTomcat(workerCopy());
		this.gate.open();
		try (HttpConnection keptAlive = HttpConnection.open(this.address)) {
			assertThat(keptAlive.get("/").closesConnection()).isFalse();
			assertThat(this.gate.openConnections()).isEqualTo(1);
			this.gate.drain();
			HttpConnection.Response last = keptAlive.get("/");
			assertThat(last.status()).isEqualTo(200);
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
		assertThat(this.protocol.getOpenConnectionCount()).isZero();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void drainWakesTheAcceptorFromABlockingAcceptOnARealChannel() throws Exception {
		startTomcat(this.shared);
		this.gate.open();
		try (HttpConnection connection = HttpConnection.open(this.address)) {
			assertThat(connection.get("/").status()).isEqualTo(200);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> acceptorStackContains("ServerSocketChannelImpl.accept"));
		this.gate.drain();
		assertThat(this.shared.isOpen()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> acceptorStackContains("AcceptGate.awaitChangeFrom"));
		stopTomcat();
		assertThat(acceptorThread()).isNull();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void stopBeforeTheGateOpensEndsTheAcceptorQuietly() throws Exception {
		startTomcat(workerCopy());
		await().atMost(Duration.ofSeconds(5)).until(() -> acceptorStackContains("AcceptGate.awaitChangeFrom"));
		stopTomcat();
		assertThat(acceptorThread()).isNull();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		assertThat(this.shared.accept()).isNull();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void stopWhileOpenUnlocksTheAcceptorWithoutConnectingToTheSharedPort() throws Exception {
		startTomcat(workerCopy());
		this.gate.open();
		try (HttpConnection connection = HttpConnection.open(this.address)) {
			assertThat(connection.get("/").status()).isEqualTo(200);
		}
		stopTomcat();
		assertThat(acceptorThread()).isNull();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		// Tomcat's own unlock would have left a connection from itself here, for some other worker to take
		assertThat(this.shared.accept()).isNull();
		assertThat(warningsAndErrors()).isEmpty();
	}

	@Test
	void reportsTheSharedSocketPortAsLocalPort() throws Exception {
		startTomcat(workerCopy());
		assertThat(this.tomcat.getConnector().getLocalPort()).isEqualTo(this.address.getPort());
		assertThat(this.protocol.getName()).doesNotContain("JVMInheritedChannel");
	}

	@Test
	void failsToBindWithoutAnInheritedListeningSocket() {
		GatedNioEndpoint endpoint = new GatedNioEndpoint(() -> null);
		endpoint.setAcceptGate(this.gate);
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(endpoint::bind)
			.withMessageContaining("inherited no open listening socket");
	}

	@Test
	void failsToBindWithoutAGate() {
		GatedNioEndpoint endpoint = new GatedNioEndpoint(() -> this.shared);
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(endpoint::bind)
			.withMessageContaining("No AcceptGate");
	}

	private WorkerCopyChannel workerCopy() throws IOException {
		this.shared.configureBlocking(false);
		return new WorkerCopyChannel(this.shared);
	}

	private void startTomcat(Channel workerChannel) throws Exception {
		this.protocol = new GatedHttp11NioProtocol(new GatedNioEndpoint(() -> workerChannel));
		this.protocol.setAcceptGate(this.gate);
		Connector connector = new Connector(this.protocol);
		connector.setPort(0);
		connector.setProperty("bindOnInit", "false");
		this.tomcat = new Tomcat();
		this.tomcat.setBaseDir(this.baseDir.toString());
		this.tomcat.setConnector(connector);
		Context context = this.tomcat.addContext("", this.baseDir.toString());
		Tomcat.addServlet(context, "ok", new OkServlet());
		context.addServletMappingDecoded("/", "ok");
		this.tomcat.start();
	}

	private void stopTomcat() throws Exception {
		long start = System.nanoTime();
		this.tomcat.stop();
		this.tomcat.destroy();
		this.tomcat = null;
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
			.filter((thread) -> thread.getName().endsWith("-Acceptor") && thread.isAlive())
			.findFirst()
			.orElse(null);
	}

	private List<String> warningsAndErrors() {
		return this.tomcatLog.stream()
			.filter((record) -> record.getLevel().intValue() >= Level.WARNING.intValue())
			.filter((record) -> CONNECTOR_LOGGERS.stream().anyMatch(record.getLoggerName()::startsWith))
			.map((record) -> record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage())
			.toList();
	}

	static class OkServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.setContentType("text/plain");
			response.setContentLength(2);
			response.getWriter().write("ok");
		}

	}

}
