package dev.bootsupervisor.control;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.RunDirectory;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;

/**
 * A control command's connection to a running master, through the run directory's socket and token.
 */
public final class ControlClient implements Closeable {

	private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

	private final SocketChannel channel;

	private final InputStream in;

	private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "supervisor-control-watchdog");
		thread.setDaemon(true);
		return thread;
	});

	private ControlClient(SocketChannel channel) {
		this.channel = channel;
		this.in = new BufferedInputStream(Channels.newInputStream(channel));
	}

	/**
	 * Connect to the master of a run directory.
	 * @param runDirectory the run directory
	 * @return the client
	 * @throws IOException when the master cannot be reached
	 */
	public static ControlClient connect(RunDirectory runDirectory) throws IOException {
		String token = Files.readString(runDirectory.tokenFile()).trim();
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			channel.connect(UnixDomainSocketAddress.of(runDirectory.socket()));
		}
		catch (IOException ex) {
			channel.close();
			throw ex;
		}
		ControlClient client = new ControlClient(channel);
		client.send(Frame.of(MessageType.HELLO, "role", "control", "token", token));
		return client;
	}

	/**
	 * Send a request and wait for its reply.
	 * @param command the command
	 * @return the reply
	 * @throws IOException when the master does not answer in time or answers nonsense
	 */
	public Frame request(String command) throws IOException {
		return request(Frame.of(MessageType.REQUEST, "command", command), REPLY_TIMEOUT);
	}

	/**
	 * Send a request and wait for its reply.
	 * @param request the request
	 * @param replyTimeout how long to wait for the reply
	 * @return the reply
	 * @throws IOException when the master does not answer in time or answers nonsense
	 */
	public Frame request(Frame request, Duration replyTimeout) throws IOException {
		// the master acts on no request whose client has given up by the time the master reads it
		java.util.Map<String, String> fields = new java.util.LinkedHashMap<>(request.fields());
		fields.put("deadline", String.valueOf(System.currentTimeMillis() + replyTimeout.toMillis()));
		send(new Frame(request.type(), fields));
		return awaitReply(replyTimeout);
	}

	/**
	 * Wait for the next reply on this connection, such as the outcome the master sends when a stop has ended.
	 * @param replyTimeout how long to wait
	 * @return the reply
	 * @throws IOException when none comes in time, or the connection ends first
	 */
	public Frame awaitReply(Duration replyTimeout) throws IOException {
		ScheduledFuture<?> timeout = this.watchdog.schedule(this::closeQuietly, replyTimeout.toMillis(),
				TimeUnit.MILLISECONDS);
		try {
			Frame reply = FrameCodec.readReply(this.in);
			if (reply.type() != MessageType.REPLY) {
				throw new IOException("the master answered " + reply.type() + " instead of REPLY");
			}
			return reply;
		}
		catch (ProtocolException ex) {
			throw new IOException("the master's reply is malformed: " + ex.getMessage(), ex);
		}
		catch (IOException ex) {
			if (!this.channel.isOpen()) {
				throw new IOException("the master did not answer within " + Durations.format(replyTimeout), ex);
			}
			throw ex;
		}
		finally {
			timeout.cancel(false);
		}
	}

	public ClusterView view() throws IOException {
		return view(REPLY_TIMEOUT);
	}

	/**
	 * Ask for the cluster's view.
	 * @param replyTimeout how long to wait for it
	 * @return the view
	 * @throws IOException when the master does not answer in time or answers nonsense
	 */
	public ClusterView view(Duration replyTimeout) throws IOException {
		try {
			return ClusterView.fromFrame(request(Frame.of(MessageType.REQUEST, "command", "view"), replyTimeout));
		}
		catch (ProtocolException ex) {
			throw new IOException(ex.getMessage(), ex);
		}
	}

	private void send(Frame frame) throws IOException {
		FrameCodec.write(this.channel, frame);
	}

	private void closeQuietly() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	@Override
	public void close() {
		closeQuietly();
		this.watchdog.shutdownNow();
	}

}
