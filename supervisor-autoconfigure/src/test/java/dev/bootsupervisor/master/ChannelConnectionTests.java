package dev.bootsupervisor.master;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ChannelConnection} over a real Unix socket: frames arrive in order, and a peer that reads
 * nothing never blocks the sender.
 */
class ChannelConnectionTests {

	@TempDir
	Path directory;

	private ServerSocketChannel server;

	private SocketChannel peer;

	private ChannelConnection connection;

	@BeforeEach
	void connect() throws IOException {
		Path socket = this.directory.resolve("s");
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(socket));
		this.peer = SocketChannel.open(StandardProtocolFamily.UNIX);
		this.peer.connect(UnixDomainSocketAddress.of(socket));
		this.connection = new ChannelConnection(1, this.server.accept());
	}

	@AfterEach
	void close() throws IOException {
		this.connection.close(null);
		this.peer.close();
		this.server.close();
	}

	@Test
	void framesArriveWholeAndInOrder() throws Exception {
		for (int i = 0; i < 500; i++) {
			this.connection.send(Frame.of(MessageType.DELIVER, "n", i, "data", "x".repeat(i * 10)));
		}
		InputStream in = new BufferedInputStream(Channels.newInputStream(this.peer));
		for (int i = 0; i < 500; i++) {
			Frame frame = FrameCodec.readReply(in);
			assertThat(frame.fields()).containsEntry("n", String.valueOf(i));
		}
	}

	@Test
	void aPeerThatReadsNothingNeverBlocksTheSenderAndIsDisconnectedOnceTooFarBehind() {
		String payload = "y".repeat(60_000);
		long started = System.nanoTime();
		int sent = 0;
		while (!this.connection.isClosed() && sent < 1000) {
			this.connection.send(Frame.of(MessageType.DELIVER, "data", payload));
			sent++;
		}
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
		assertThat(this.connection.isClosed()).isTrue();
		assertThat((long) sent * payload.length()).isGreaterThan(ChannelConnection.MAX_QUEUED_BYTES);
	}

	@Test
	void flushAndCloseWritesWhatIsQueuedFirst() throws Exception {
		this.connection.send(Frame.of(MessageType.REPLY, "ok", true));
		this.connection.flushAndClose(Duration.ofSeconds(5));
		InputStream in = new BufferedInputStream(Channels.newInputStream(this.peer));
		assertThat(FrameCodec.readReply(in).fields()).containsEntry("ok", "true");
		await().atMost(Duration.ofSeconds(5)).until(() -> in.read() == -1);
	}

}
