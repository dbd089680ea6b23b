package dev.bootsupervisor.master;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ChannelServer} on a real Unix domain socket.
 */
@Timeout(30)
class ChannelServerTests {

	private static final String TOKEN = "0123456789abcdef";

	@TempDir
	Path dir;

	private final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();

	private final List<SocketChannel> clients = new ArrayList<>();

	private ChannelServer server;

	@BeforeEach
	void start() throws IOException {
		this.server = new ChannelServer(this.dir.resolve("master.sock"), TOKEN, this.events::add);
		this.server.start();
	}

	@AfterEach
	void stop() throws IOException {
		this.server.close();
		for (SocketChannel client : this.clients) {
			client.close();
		}
	}

	@Test
	void idleConnectionsBeyondTheBoundAreClosedAtOnceSoThreadsStayBounded() throws Exception {
		int before = Thread.activeCount();
		for (int i = 0; i < 1000; i++) {
			this.clients.add(connect());
		}
		org.awaitility.Awaitility.await("connections beyond the bound closed")
			.atMost(Duration.ofSeconds(20))
			.until(() -> closedByServer() >= 1000 - ChannelServer.MAX_UNAUTHENTICATED);
		assertThat(Thread.activeCount() - before).isLessThanOrEqualTo(ChannelServer.MAX_UNAUTHENTICATED + 2);
		// an authenticated client still gets in once the waiting ones time out
		org.awaitility.Awaitility.await("a client that says HELLO is served again")
			.atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> {
				SocketChannel client = connect();
				this.clients.add(client);
				send(client, Frame.of(MessageType.HELLO, "role", "control", "token", TOKEN));
				send(client, Frame.of(MessageType.REQUEST, "command", "view"));
				MasterEvent event;
				while ((event = this.events.poll(2, TimeUnit.SECONDS)) != null) {
					if (event instanceof MasterEvent.Message message && message.connection().role().equals("control")) {
						return true;
					}
				}
				return false;
			});
	}

	/** Clients whose connection the server closed: a read sees the end of the stream. */
	private long closedByServer() throws IOException {
		long closed = 0;
		ByteBuffer buffer = ByteBuffer.allocate(16);
		for (SocketChannel client : this.clients) {
			client.configureBlocking(false);
			buffer.clear();
			if (client.read(buffer) < 0) {
				closed++;
			}
		}
		return closed;
	}

	@Test
	void socketIsForTheOwnerOnly() throws IOException {
		assertThat(this.server.path()).isEqualTo(this.dir.resolve("master.sock"));
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.server.path())))
			.isEqualTo("rw-------");
	}

	@Test
	void workerHelloIsPostedThenItsMessages() throws Exception {
		SocketChannel client = connect();
		send(client, Frame.of(MessageType.HELLO, "role", "worker", "token", TOKEN, "worker", 2, "generation", 3, "pid",
				4711));
		MasterEvent.WorkerConnected connected = next(MasterEvent.WorkerConnected.class);
		assertThat(connected.workerId()).isEqualTo(2);
		assertThat(connected.generation()).isEqualTo(3);
		assertThat(connected.pid()).isEqualTo(4711);
		assertThat(connected.connection().role()).isEqualTo("worker");
		send(client, Frame.of(MessageType.READY));
		MasterEvent.Message message = next(MasterEvent.Message.class);
		assertThat(message.frame().type()).isEqualTo(MessageType.READY);
		assertThat(message.connection()).isSameAs(connected.connection());
		client.close();
		assertThat(next(MasterEvent.Disconnected.class).connection()).isSameAs(connected.connection());
		assertThat(connected.connection().isClosed()).isTrue();
	}

	@Test
	void controlHelloIsNotAWorkerButItsRequestsArePosted() throws Exception {
		SocketChannel client = connect();
		send(client, Frame.of(MessageType.HELLO, "role", "control", "token", TOKEN));
		send(client, Frame.of(MessageType.REQUEST, "id", 1, "command", "view"));
		MasterEvent.Message message = next(MasterEvent.Message.class);
		assertThat(message.connection().role()).isEqualTo("control");
		assertThat(message.frame().require("command")).isEqualTo("view");
	}

	@Test
	void replySentOnAConnectionReachesTheClient() throws Exception {
		SocketChannel client = connect();
		send(client, Frame.of(MessageType.HELLO, "role", "control", "token", TOKEN));
		send(client, Frame.of(MessageType.REQUEST, "id", 1, "command", "view"));
		MasterEvent.Message message = next(MasterEvent.Message.class);
		message.connection().send(Frame.of(MessageType.REPLY, "id", 1, "ok", true));
		assertThat(FrameCodec.read(Channels.newInputStream(client)))
			.isEqualTo(Frame.of(MessageType.REPLY, "id", 1, "ok", true));
	}

	@Test
	void wrongTokenClosesTheConnection() throws Exception {
		assertRefused(FrameCodec.encode(Frame.of(MessageType.HELLO, "role", "worker", "token", "guess", "worker", 1,
				"generation", 1, "pid", 1)));
	}

	@Test
	void helloWithoutTokenClosesTheConnection() throws Exception {
		assertRefused(FrameCodec.encode(Frame.of(MessageType.HELLO, "role", "worker", "worker", 1, "generation", 1,
				"pid", 1)));
	}

	@Test
	void firstMessageOtherThanHelloClosesTheConnection() throws Exception {
		assertRefused(FrameCodec.encode(Frame.of(MessageType.READY, "token", TOKEN)));
	}

	@Test
	void malformedLineClosesTheConnection() throws Exception {
		assertRefused("HELLO role=worker token=" + TOKEN + " worker=1 worker=2\n");
		assertRefused("GET / HTTP/1.1\n");
		assertRefused("\n");
	}

	@Test
	void oversizedLineClosesTheConnection() throws Exception {
		// one byte over the limit, all of it read by the server: so the client sees an orderly close, not a reset
		String prefix = "HELLO role=worker token=";
		assertRefused(prefix + "x".repeat(FrameCodec.MAX_LINE_BYTES + 1 - prefix.length()));
	}

	@Test
	void unknownRoleClosesTheConnection() throws Exception {
		assertRefused(FrameCodec.encode(Frame.of(MessageType.HELLO, "role", "admin", "token", TOKEN)));
	}

	@Test
	void workerHelloWithoutIdClosesTheConnection() throws Exception {
		assertRefused(FrameCodec.encode(Frame.of(MessageType.HELLO, "role", "worker", "token", TOKEN, "pid", 1)));
	}

	@Test
	void repeatedHelloClosesAnAuthenticatedConnection() throws Exception {
		SocketChannel client = connect();
		Frame hello = Frame.of(MessageType.HELLO, "role", "worker", "token", TOKEN, "worker", 1, "generation", 1, "pid",
				1);
		send(client, hello);
		MasterEvent.WorkerConnected connected = next(MasterEvent.WorkerConnected.class);
		send(client, hello);
		assertThat(closedByServer(client, Duration.ofSeconds(5))).isTrue();
		assertThat(next(MasterEvent.Disconnected.class).connection()).isSameAs(connected.connection());
		assertThat(this.events).isEmpty();
	}

	@Test
	void helloMustArriveWithinFiveSeconds() throws Exception {
		SocketChannel silent = connect();
		SocketChannel partial = connect();
		partial.write(ByteBuffer.wrap("HELLO role=worker".getBytes(StandardCharsets.UTF_8)));
		SocketChannel worker = connect();
		send(worker, Frame.of(MessageType.HELLO, "role", "worker", "token", TOKEN, "worker", 1, "generation", 1, "pid",
				1));
		MasterEvent.WorkerConnected connected = next(MasterEvent.WorkerConnected.class);
		long start = System.nanoTime();
		assertThat(closedByServer(silent, Duration.ofSeconds(8))).isTrue();
		assertThat(closedByServer(partial, Duration.ofSeconds(2))).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(7));
		assertThat(next(MasterEvent.Disconnected.class).connection()).isNotSameAs(connected.connection());
		assertThat(next(MasterEvent.Disconnected.class).connection()).isNotSameAs(connected.connection());
		send(worker, Frame.of(MessageType.READY));
		assertThat(next(MasterEvent.Message.class).connection()).isSameAs(connected.connection());
		assertThat(connected.connection().isClosed()).isFalse();
	}

	@Test
	void closeEndsEveryConnectionAndRemovesTheSocket() throws Exception {
		SocketChannel client = connect();
		send(client, Frame.of(MessageType.HELLO, "role", "control", "token", TOKEN));
		send(client, Frame.of(MessageType.REQUEST, "id", 1));
		next(MasterEvent.Message.class);
		this.server.close();
		assertThat(closedByServer(client, Duration.ofSeconds(5))).isTrue();
		assertThat(this.server.path()).doesNotExist();
	}

	@Test
	void startReplacesAStaleSocketFile() throws Exception {
		this.server.close();
		Files.writeString(this.dir.resolve("master.sock"), "stale");
		this.server = new ChannelServer(this.dir.resolve("master.sock"), TOKEN, this.events::add);
		this.server.start();
		assertServes();
	}

	private void assertRefused(String bytes) throws Exception {
		SocketChannel client = connect();
		ByteBuffer buffer = ByteBuffer.wrap(bytes.getBytes(StandardCharsets.UTF_8));
		while (buffer.hasRemaining()) {
			client.write(buffer);
		}
		assertThat(closedByServer(client, Duration.ofSeconds(5))).as("closed after %s", abbreviate(bytes)).isTrue();
		MasterEvent.Disconnected disconnected = next(MasterEvent.Disconnected.class);
		assertThat(disconnected.connection().isClosed()).isTrue();
		assertThat(this.events).as("events after %s", abbreviate(bytes)).isEmpty();
		assertServes();
	}

	/**
	 * The server still accepts and serves a new valid connection.
	 */
	private void assertServes() throws Exception {
		SocketChannel client = connect();
		send(client, Frame.of(MessageType.HELLO, "role", "worker", "token", TOKEN, "worker", 9, "generation", 1, "pid",
				99));
		assertThat(next(MasterEvent.WorkerConnected.class).workerId()).isEqualTo(9);
		send(client, Frame.of(MessageType.DRAINING));
		assertThat(next(MasterEvent.Message.class).frame().type()).isEqualTo(MessageType.DRAINING);
		client.close();
		next(MasterEvent.Disconnected.class);
		assertThat(this.events).isEmpty();
	}

	private SocketChannel connect() throws IOException {
		SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
		this.clients.add(client);
		client.connect(UnixDomainSocketAddress.of(this.server.path()));
		return client;
	}

	private static void send(SocketChannel client, Frame frame) throws IOException {
		ByteBuffer buffer = ByteBuffer.wrap(FrameCodec.encodeBytes(frame));
		while (buffer.hasRemaining()) {
			client.write(buffer);
		}
	}

	private <T extends MasterEvent> T next(Class<T> type) throws InterruptedException {
		MasterEvent event = this.events.poll(5, TimeUnit.SECONDS);
		assertThat(event).as("next event").isInstanceOf(type);
		return type.cast(event);
	}

	/**
	 * Whether the server closed the connection (end of stream, not a reset) within the timeout, with nothing
	 * sent to the client before.
	 */
	private static boolean closedByServer(SocketChannel client, Duration timeout) throws IOException {
		client.configureBlocking(false);
		try (Selector selector = Selector.open()) {
			client.register(selector, SelectionKey.OP_READ);
			long deadline = System.nanoTime() + timeout.toNanos();
			ByteBuffer buffer = ByteBuffer.allocate(1024);
			while (System.nanoTime() < deadline) {
				selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
				selector.selectedKeys().clear();
				int read = client.read(buffer);
				if (read == -1) {
					return buffer.position() == 0;
				}
			}
			return false;
		}
	}

	private static String abbreviate(String text) {
		return (text.length() <= 60) ? text : text.substring(0, 60) + "...";
	}

}
