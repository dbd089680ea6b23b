package dev.bootsupervisor.master;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The master's Unix domain socket. Connections must come from the same OS user and open with a {@code HELLO}
 * carrying the cluster's secret token within a few seconds; anything malformed, oversized or unauthenticated
 * closes that connection and nothing else. Authenticated messages are posted to the master loop.
 */
final class ChannelServer implements Closeable {

	private static final System.Logger log = System.getLogger(ChannelServer.class.getName());

	private static final long HELLO_TIMEOUT_SECONDS = 5;

	/** Connections that may wait for their {@code HELLO} at once; more are closed on accept. */
	static final int MAX_UNAUTHENTICATED = 32;

	/** Authenticated control connections (commands, status) that may be open at once. */
	static final int MAX_CONTROL = 64;

	private final AtomicInteger unauthenticated = new AtomicInteger();

	private final AtomicInteger control = new AtomicInteger();

	private final RateLimitedLog refusals = new RateLimitedLog(log, java.time.Duration.ofSeconds(10));

	private final Path path;

	private final byte[] token;

	private final Consumer<MasterEvent> sink;

	private final AtomicInteger ids = new AtomicInteger();

	private final Set<ChannelConnection> connections = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "supervisor-channel-timer");
		thread.setDaemon(true);
		return thread;
	});

	private ServerSocketChannel server;

	ChannelServer(Path path, String token, Consumer<MasterEvent> sink) {
		this.path = path;
		this.token = token.getBytes(StandardCharsets.UTF_8);
		this.sink = sink;
	}

	void start() throws IOException {
		Files.deleteIfExists(this.path);
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(this.path));
		Files.setPosixFilePermissions(this.path, PosixFilePermissions.fromString("rw-------"));
		Thread acceptor = new Thread(this::acceptLoop, "supervisor-channel");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	Path path() {
		return this.path;
	}

	private void acceptLoop() {
		while (this.server.isOpen()) {
			try {
				SocketChannel channel = this.server.accept();
				if (this.unauthenticated.incrementAndGet() > MAX_UNAUTHENTICATED) {
					this.unauthenticated.decrementAndGet();
					channel.close();
					this.refusals.warn("Refused a channel connection: " + MAX_UNAUTHENTICATED
							+ " connections are already waiting to authenticate");
					continue;
				}
				ChannelConnection connection = new ChannelConnection(this.ids.incrementAndGet(), channel);
				this.connections.add(connection);
				Thread reader = new Thread(() -> read(connection), "supervisor-channel-" + connection.id());
				reader.setDaemon(true);
				reader.start();
			}
			catch (IOException ex) {
				if (this.server.isOpen()) {
					log.log(System.Logger.Level.WARNING, "Channel accept failed: {0}", ex.getMessage());
				}
			}
		}
	}

	private void read(ChannelConnection connection) {
		boolean counted = true;
		boolean controlCounted = false;
		try (InputStream in = new BufferedInputStream(Channels.newInputStream(connection.channel()))) {
			checkPeer(connection.channel());
			this.timer.schedule(() -> {
				if (connection.role().equals("unauthenticated") && !connection.isClosed()) {
					this.refusals.warn("Closing channel " + connection + ": no HELLO within " + HELLO_TIMEOUT_SECONDS
							+ " s");
					connection.close(null);
				}
			}, HELLO_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			authenticate(connection, FrameCodec.read(in));
			this.unauthenticated.decrementAndGet();
			counted = false;
			if (connection.role().equals("control")) {
				controlCounted = true;
				if (this.control.incrementAndGet() > MAX_CONTROL) {
					throw new ProtocolException(MAX_CONTROL + " control connections are already open");
				}
			}
			int limit = connection.role().equals("worker") ? FrameCodec.MAX_WORKER_LINE_BYTES
					: FrameCodec.MAX_LINE_BYTES;
			while (!connection.isClosed()) {
				Frame frame = FrameCodec.decode(FrameCodec.readLine(in, limit));
				if (frame.type() == MessageType.HELLO) {
					throw new ProtocolException("repeated HELLO");
				}
				this.sink.accept(new MasterEvent.Message(connection, frame));
			}
		}
		catch (ProtocolException ex) {
			if (counted || controlCounted) {
				// before authentication (or beyond the bound) anyone local can cause this: logged with a limit
				this.refusals.warn("Closing channel " + connection + ": " + ex.getMessage());
				connection.close(null);
			}
			else {
				connection.close(ex.getMessage());
			}
		}
		catch (EOFException ex) {
			connection.close(null);
		}
		catch (IOException ex) {
			connection.close(connection.isClosed() ? null : "read failed: " + ex.getMessage());
		}
		finally {
			if (counted) {
				this.unauthenticated.decrementAndGet();
			}
			if (controlCounted) {
				this.control.decrementAndGet();
			}
			this.connections.remove(connection);
			this.sink.accept(new MasterEvent.Disconnected(connection));
		}
	}

	private void checkPeer(SocketChannel channel) throws IOException, ProtocolException {
		UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
		String self = System.getProperty("user.name");
		if (peer != null && self != null && !self.equals(peer.user().getName())) {
			throw new ProtocolException("peer runs as user " + peer.user().getName() + ", not " + self);
		}
	}

	private void authenticate(ChannelConnection connection, Frame hello) throws ProtocolException {
		if (hello.type() != MessageType.HELLO) {
			throw new ProtocolException("expected HELLO, got " + hello.type());
		}
		byte[] offered = hello.require("token").getBytes(StandardCharsets.UTF_8);
		if (!MessageDigest.isEqual(offered, this.token)) {
			throw new ProtocolException("wrong token");
		}
		String role = hello.require("role");
		switch (role) {
			case "worker" -> {
				connection.role("worker");
				this.sink.accept(new MasterEvent.WorkerConnected(connection, hello.requireInt("worker"),
						hello.requireInt("generation"), hello.requireLong("pid")));
			}
			case "control" -> connection.role("control");
			default -> throw new ProtocolException("unknown role '" + role + "'");
		}
	}

	@Override
	public void close() {
		try {
			if (this.server != null) {
				this.server.close();
			}
			Files.deleteIfExists(this.path);
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.DEBUG, "Closing the channel failed", ex);
		}
		// the last replies (to a stop command waiting for the end) are written before the master exits
		long deadline = System.nanoTime() + java.time.Duration.ofSeconds(1).toNanos();
		this.connections.forEach((connection) -> connection.flushAndClose(
				java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
		this.timer.shutdownNow();
	}

}
