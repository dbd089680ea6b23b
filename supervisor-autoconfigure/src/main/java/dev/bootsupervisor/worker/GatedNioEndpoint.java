package dev.bootsupervisor.worker;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * A Tomcat NIO endpoint that serves the listening socket this worker inherited from the master (its standard
 * input) and takes connections from it only while its {@link AcceptGate} is open.
 * <p>
 * The socket's queue is shared by every worker, so this endpoint never touches what the other processes see: it
 * never switches the socket to non-blocking mode (the flag belongs to the open file, shared by all processes), never
 * unlocks its acceptor with a connection to the shared port (the connection would land on any worker), and stops
 * accepting by closing only its own copy of the socket, which wakes an acceptor blocked in {@code accept()}. That
 * close would also detach standard output and error, so {@link StandardStreams} puts them back.
 */
public class GatedNioEndpoint extends NioEndpoint {

	private static final Log logger = LogFactory.getLog(GatedNioEndpoint.class);

	/**
	 * How often an acceptor that may not accept checks whether the endpoint stopped. Tomcat waits
	 * {@code 100 ms + 2 * unlockTimeout} for its acceptor, so this must stay well below 100 ms.
	 */
	private static final long STOP_POLL_MILLIS = 50;

	/**
	 * How long a connection must have been quiet, with no request in it, to count as idle once the gate drained:
	 * long enough that a client that just connected has sent its request.
	 */
	static final long IDLE_MILLIS = 250;

	/** How often the poller checks its connections' timeouts once the worker drains. */
	static final long DRAIN_POLL_MILLIS = 50;

	private final ChannelSource channelSource;

	private final AcceptGate.Listener gateListener = new GateListener();

	private volatile AcceptGate gate;

	private volatile ServerSocketChannel serverChannel;

	private volatile boolean jvmInheritedChannel;

	/**
	 * Whether the acceptor is inside {@code accept()}, or holds a connection it accepted and has not handed to the
	 * poller yet: a drain that counts connections must wait for that one too, or Tomcat's shutdown closes it unread.
	 */
	private volatile boolean accepting;

	private volatile SocketChannel accepted;

	// Acceptor thread only, as in NioEndpoint
	private SocketAddress previousRemoteAddress;

	private long previousAcceptNanos;

	public GatedNioEndpoint() {
		this(System::inheritedChannel);
	}

	GatedNioEndpoint(ChannelSource channelSource) {
		this.channelSource = channelSource;
		setUseInheritedChannel(true);
	}

	/**
	 * Set the gate that decides when this endpoint accepts connections. Required before the endpoint binds.
	 * @param gate the gate
	 */
	public void setAcceptGate(AcceptGate gate) {
		this.gate = gate;
		gate.register(this.gateListener);
	}

	public AcceptGate getAcceptGate() {
		return this.gate;
	}

	/**
	 * Return how many connections this endpoint holds open, idle keep-alive ones included.
	 * @return the open connection count
	 */
	public int getOpenConnectionCount() {
		return this.connections.size();
	}

	/**
	 * Name the threads after the port ({@code http-nio-8080-exec-1}) rather than {@code JVMInheritedChannel}.
	 */
	@Override
	public String getId() {
		return null;
	}

	@Override
	protected void initServerSocket() throws Exception {
		if (this.gate == null) {
			throw new IllegalStateException("No AcceptGate set on " + getClass().getSimpleName()
					+ ": it is configured by SupervisorWorkerAutoConfiguration in a supervised worker only");
		}
		ServerSocketChannel inherited = this.channelSource.adopt(getClass());
		// Not configureBlocking(true) as NioEndpoint does: the channel is left exactly as inherited
		this.serverChannel = inherited;
		this.jvmInheritedChannel = (inherited == System.inheritedChannel());
	}

	@Override
	protected NetworkChannel getServerSocket() {
		return this.serverChannel;
	}

	@Override
	protected SocketChannel serverSocketAccept() throws Exception {
		AcceptGate gate = this.gate;
		AcceptGate.State state = gate.state();
		while (state == AcceptGate.State.CLOSED && isRunning()) {
			state = gate.awaitChangeFrom(AcceptGate.State.CLOSED, STOP_POLL_MILLIS);
		}
		ServerSocketChannel channel = this.serverChannel;
		if (state == AcceptGate.State.OPEN && isRunning() && channel != null) {
			this.accepting = true;
			try {
				SocketChannel socket = channel.accept();
				this.accepted = socket;
				return checkNotDuplicate(socket);
			}
			catch (ClosedChannelException ex) {
				// Includes AsynchronousCloseException: the gate drained while this thread was in accept()
				if (gate.state() != AcceptGate.State.DRAINED) {
					throw ex;
				}
			}
			finally {
				this.accepting = false;
			}
		}
		// Stopping before ready, or drained: wait outside accept() until the endpoint stops, then end the
		// acceptor; Tomcat's Acceptor ends quietly on an exception once the endpoint is no longer running
		while (isRunning()) {
			gate.awaitChangeFrom(gate.state(), STOP_POLL_MILLIS);
		}
		throw new ClosedChannelException();
	}

	private SocketChannel checkNotDuplicate(SocketChannel socket) throws IOException {
		// NioEndpoint's guard against a Linux kernel bug (before 5.10) that returned one connection twice
		SocketAddress remoteAddress = socket.getRemoteAddress();
		long now = System.nanoTime();
		if (remoteAddress.equals(this.previousRemoteAddress) && now - this.previousAcceptNanos < 1000) {
			throw new IOException("Duplicate accept of " + remoteAddress + " ignored (a Linux kernel bug)");
		}
		this.previousRemoteAddress = remoteAddress;
		this.previousAcceptNanos = now;
		return socket;
	}

	@Override
	protected boolean setSocketOptions(SocketChannel socket) {
		try {
			return super.setSocketOptions(socket);
		}
		finally {
			handedOver(socket);
		}
	}

	@Override
	protected void destroySocket(SocketChannel socket) {
		handedOver(socket);
		super.destroySocket(socket);
	}

	private void handedOver(SocketChannel socket) {
		if (this.accepted == socket) {
			this.accepted = null;
		}
	}

	/**
	 * Return the connections the acceptor is taking right now: in {@code accept()}, or accepted and not yet in
	 * {@link #getOpenConnectionCount()}.
	 * @return 0, 1 or 2
	 */
	int acceptsInFlight() {
		return (this.accepting ? 1 : 0) + ((this.accepted != null) ? 1 : 0);
	}

	/**
	 * Unlock the acceptor by draining instead of by a connection to the shared port, which would land on any worker.
	 * Tomcat unlocks when it pauses or stops the endpoint, so no connection may be taken afterwards anyway.
	 */
	@Override
	protected void unlockAccept() {
		AcceptGate gate = this.gate;
		if (gate != null) {
			gate.drain();
		}
	}

	/**
	 * Forget the channel without closing it: it belongs to the JVM ({@code System.inheritedChannel()}) and only
	 * draining closes this worker's copy.
	 */
	@Override
	protected void doCloseServerSocket() {
		this.serverChannel = null;
	}

	/**
	 * Where the listening socket comes from; {@code System.inheritedChannel()} but in tests.
	 */
	@FunctionalInterface
	interface ChannelSource {

		Channel get() throws IOException;

		/**
		 * The inherited listening socket, or a failure that says why: a supervised worker never binds a port of
		 * its own. When it is this JVM's own inherited channel, standard output and error are first made safe
		 * to keep once that channel is closed.
		 * @param user the server class that serves it, named in the failure
		 * @return the open listening socket
		 * @throws IOException when the channel cannot be obtained
		 */
		default ServerSocketChannel adopt(Class<?> user) throws IOException {
			Channel channel = get();
			if (!(channel instanceof ServerSocketChannel inherited) || !inherited.isOpen()) {
				throw new IllegalStateException("This JVM inherited no open listening socket on its standard input "
						+ "(System.inheritedChannel() is " + channel + "): only a worker started by the supervisor "
						+ "master can use " + user.getSimpleName());
			}
			if (inherited == System.inheritedChannel()) {
				StandardStreams.prepare();
			}
			return inherited;
		}

	}

	private final class GateListener implements AcceptGate.Listener {

		@Override
		public void drained() {
			// Http11Processor reads this before every request: later responses carry "Connection: close"
			setMaxKeepAliveRequests(1);
			ServerSocketChannel channel = GatedNioEndpoint.this.serverChannel;
			if (channel != null) {
				try {
					// Closes this process's descriptor only: the master and the other workers keep the socket
					// and its queue, and a thread blocked in accept() wakes with AsynchronousCloseException
					if (GatedNioEndpoint.this.jvmInheritedChannel) {
						StandardStreams.preserveAcross(channel::close);
					}
					else {
						channel.close();
					}
				}
				catch (IOException ex) {
					logger.warn("Could not close this worker's copy of the listening socket; "
							+ "connections may still be accepted until the worker stops", ex);
				}
			}
			goAway();
			// Tomcat's poller checks its connections' timeouts once a second by default: checked every 50 ms now,
			// an idle connection closeIdle() marks closes before a client that reconnects at once can reuse it
			setSelectorTimeout(Math.min(getSelectorTimeout(), DRAIN_POLL_MILLIS));
			getSocketProperties().setTimeoutInterval(Math.min(getSocketProperties().getTimeoutInterval(),
					DRAIN_POLL_MILLIS));
		}

		/**
		 * Tell every connection's processor that the endpoint is going away, as Tomcat does when it pauses the
		 * endpoint, without pausing it (a paused endpoint answers 503 to the next request of a kept-alive
		 * connection): an HTTP/2 connection sends {@code GOAWAY}, so its client opens its next stream elsewhere,
		 * while its streams in flight finish; HTTP/1 and WebSocket processors ignore it.
		 */
		private void goAway() {
			Handler<NioChannel> handler = getHandler();
			if (handler != null) {
				try {
					handler.pause();
				}
				catch (RuntimeException ex) {
					logger.warn("Could not send GOAWAY to this worker's HTTP/2 connections; they close when the "
							+ "web server stops", ex);
				}
			}
		}

		/**
		 * Bring Tomcat's own keep-alive timeout forward for the connections with no request in them: its poller
		 * closes each within a second, unless a request arrives first (reading one resets the timeout).
		 */
		@Override
		public void closeIdle() {
			long now = System.currentTimeMillis();
			for (SocketWrapperBase<NioChannel> wrapper : getConnections()) {
				if (wrapper instanceof NioSocketWrapper nio && nio.getCurrentProcessor() == null
						&& !nio.isClosed() && nio.getReadTimeout() != 1
						&& now - Math.max(nio.getLastRead(), nio.getLastWrite()) >= IDLE_MILLIS) {
					nio.setReadTimeout(1);
				}
			}
		}

		@Override
		public int openConnections() {
			// read in this order: a connection moves from the acceptor to the poller, never back
			// once drained, the connection an acceptor was taking at that moment counts too
			int inFlight = (GatedNioEndpoint.this.gate.state() == AcceptGate.State.DRAINED) ? acceptsInFlight() : 0;
			return inFlight + getOpenConnectionCount();
		}

	}

}
