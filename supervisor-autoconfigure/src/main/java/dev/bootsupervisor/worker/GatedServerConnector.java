package dev.bootsupervisor.worker;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.component.Graceful;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A Jetty connector that serves the listening socket this worker inherited from the master (its standard input)
 * and takes connections from it only while its {@link AcceptGate} is open: Jetty's counterpart of
 * {@link GatedNioEndpoint}, with the same rules for a socket whose queue every worker shares.
 * <p>
 * It never binds a port of its own: without an inherited listening socket it fails to start (where Jetty's
 * {@code setInheritChannel(true)} would log a warning and bind one). It always accepts on its own acceptor threads,
 * blocking in {@code accept()}: with no acceptor thread Jetty would accept through its selector and switch the socket
 * to non-blocking mode, a flag of the open file that the master and every worker share. Its acceptors wait for the
 * gate inside {@link #accept(int)}, so no connection is taken before the application is ready, whatever else
 * toggles {@link #setAccepting(boolean)} (a {@code NetworkConnectionLimit} does). Draining parks them and closes
 * this process's copy of the socket, which wakes an acceptor blocked in {@code accept()}; from then on every
 * HTTP/1 response carries {@code Connection: close}. Closing the copy would also detach standard output and error,
 * so {@link StandardStreams} puts them back.
 */
public class GatedServerConnector extends ServerConnector {

	private static final Log logger = LogFactory.getLog(GatedServerConnector.class);

	/**
	 * Longest wait of an acceptor for the gate before it checks whether the connector stopped; Jetty also interrupts
	 * its acceptors when it stops.
	 */
	private static final long STOP_POLL_MILLIS = 200;

	private final AcceptGate gate;

	private final GatedNioEndpoint.ChannelSource channelSource;

	private volatile ServerSocketChannel channel;

	private volatile boolean jvmInheritedChannel;

	/**
	 * Create a connector behind the gate, serving {@code System.inheritedChannel()}.
	 * @param server the server
	 * @param executor the executor, or {@code null} for the server's thread pool
	 * @param scheduler the scheduler, or {@code null} for the server's
	 * @param bufferPool the buffer pool, or {@code null} for the server's
	 * @param acceptors the number of acceptor threads; fewer than one means one
	 * @param selectors the number of selectors, or {@code -1} for Jetty's default
	 * @param gate the gate
	 * @param factories the connection factories
	 */
	public GatedServerConnector(Server server, Executor executor, Scheduler scheduler, ByteBufferPool bufferPool,
			int acceptors, int selectors, AcceptGate gate, ConnectionFactory... factories) {
		this(server, executor, scheduler, bufferPool, acceptors, selectors, gate, System::inheritedChannel, factories);
	}

	GatedServerConnector(Server server, Executor executor, Scheduler scheduler, ByteBufferPool bufferPool,
			int acceptors, int selectors, AcceptGate gate, GatedNioEndpoint.ChannelSource channelSource,
			ConnectionFactory... factories) {
		super(server, executor, scheduler, bufferPool, Math.max(1, acceptors), selectors, factories);
		this.gate = gate;
		this.channelSource = channelSource;
		gate.register(new GateListener());
		CloseAfterDrain closeAfterDrain = new CloseAfterDrain();
		for (ConnectionFactory factory : factories) {
			if (factory instanceof HttpConfiguration.ConnectionFactory http) {
				http.getHttpConfiguration().addCustomizer(closeAfterDrain);
			}
		}
	}

	/**
	 * Create a connector behind the gate that takes over the settings and connection factories of a connector Spring
	 * Boot created and never started, which the caller then replaces with it.
	 * @param replaced the connector to replace
	 * @param gate the gate
	 * @return the new connector
	 */
	public static GatedServerConnector replacing(ServerConnector replaced, AcceptGate gate) {
		Server server = replaced.getServer();
		// Pass the server's own executor, scheduler and pool as null: passed explicitly, the connector would manage
		// (start and stop) them as its own
		Executor executor = (replaced.getExecutor() != server.getThreadPool()) ? replaced.getExecutor() : null;
		Scheduler scheduler = (replaced.getScheduler() != server.getScheduler()) ? replaced.getScheduler() : null;
		ByteBufferPool pool = (replaced.getByteBufferPool() != server.getByteBufferPool())
				? replaced.getByteBufferPool() : null;
		ConnectionFactory[] factories = replaced.getConnectionFactories().toArray(ConnectionFactory[]::new);
		String defaultProtocol = replaced.getDefaultProtocol();
		replaced.clearConnectionFactories();
		GatedServerConnector connector = new GatedServerConnector(server, executor, scheduler, pool,
				replaced.getAcceptors(), replaced.getSelectorManager().getSelectorCount(), gate, factories);
		connector.setDefaultProtocol(defaultProtocol);
		connector.setName(replaced.getName());
		connector.setHost(replaced.getHost());
		connector.setPort(replaced.getPort());
		connector.setIdleTimeout(replaced.getIdleTimeout());
		connector.setShutdownIdleTimeout(replaced.getShutdownIdleTimeout());
		connector.setAcceptorPriorityDelta(replaced.getAcceptorPriorityDelta());
		connector.setAcceptedTcpNoDelay(replaced.getAcceptedTcpNoDelay());
		connector.setAcceptedReceiveBufferSize(replaced.getAcceptedReceiveBufferSize());
		connector.setAcceptedSendBufferSize(replaced.getAcceptedSendBufferSize());
		for (EventListener listener : replaced.getEventListeners()) {
			connector.addEventListener(listener);
		}
		return connector;
	}

	public AcceptGate getAcceptGate() {
		return this.gate;
	}

	/**
	 * Return how many connections this connector holds open, idle keep-alive ones included.
	 * @return the open connection count
	 */
	public int getOpenConnectionCount() {
		return getConnectedEndPoints().size();
	}

	/**
	 * Adopt the inherited listening socket, or fail: never bind a port of this worker's own.
	 */
	@Override
	protected ServerSocketChannel openAcceptChannel() throws IOException {
		ServerSocketChannel inherited = this.channelSource.adopt(getClass());
		this.channel = inherited;
		this.jvmInheritedChannel = (inherited == System.inheritedChannel());
		// ServerConnector.open(channel) then calls configureBlocking(true): a no-op on a channel in blocking mode,
		// as an inherited one is
		return inherited;
	}

	/**
	 * Connections being accepted: one per acceptor inside {@code accept()}, kept once it accepted until Jetty's
	 * selector opens the connection's endpoint on its own thread. A drain that counts connections waits for these
	 * too.
	 */
	private final AtomicInteger accepting = new AtomicInteger();

	@Override
	protected void onEndPointOpened(EndPoint endpoint) {
		super.onEndPointOpened(endpoint);
		this.accepting.updateAndGet((count) -> Math.max(0, count - 1));
	}

	@Override
	public void accept(int acceptorID) throws IOException {
		AcceptGate.State state = this.gate.state();
		try {
			while (state == AcceptGate.State.CLOSED && isRunning()) {
				state = this.gate.awaitChangeFrom(AcceptGate.State.CLOSED, STOP_POLL_MILLIS);
			}
		}
		catch (InterruptedException ex) {
			// Jetty interrupts its acceptors to make them look at its state again: let its loop do that
			return;
		}
		if (state == AcceptGate.State.OPEN && isRunning()) {
			// counted before, since the selector may open the endpoint before accept() returns here
			this.accepting.incrementAndGet();
			try {
				super.accept(acceptorID);
				return;
			}
			catch (ClosedChannelException ex) {
				this.accepting.decrementAndGet();
				// Includes AsynchronousCloseException: the gate drained while this thread was in accept()
				if (this.gate.state() != AcceptGate.State.DRAINED) {
					throw ex;
				}
			}
			catch (IOException | RuntimeException ex) {
				this.accepting.decrementAndGet();
				throw ex;
			}
		}
		// Drained or stopping: park Jetty's acceptor loop until the connector stops
		super.setAccepting(false);
	}

	/**
	 * Stop taking connections for good before Jetty wakes its acceptors to stop them: an acceptor interrupted in
	 * {@code accept()} would close the inherited channel without keeping standard output and error.
	 */
	@Override
	protected void interruptAcceptors() {
		this.gate.drain();
		super.interruptAcceptors();
	}

	/**
	 * Close this worker's copy of the socket by draining: the master and the other workers keep it.
	 */
	@Override
	public void close() {
		this.gate.drain();
		super.close();
	}

	private void closeCopy() {
		ServerSocketChannel channel = this.channel;
		if (channel == null || !channel.isOpen()) {
			return;
		}
		try {
			// Closes this process's descriptor only: the master and the other workers keep the socket and its
			// queue, and a thread blocked in accept() wakes with AsynchronousCloseException
			if (this.jvmInheritedChannel) {
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

	private final class GateListener implements AcceptGate.Listener {

		@Override
		public void drained() {
			GatedServerConnector.super.setAccepting(false);
			closeCopy();
			goAway();
		}

		/**
		 * Shut down what the connection factories hold gracefully, as Jetty's graceful stop does later: the session
		 * container of an HTTP/2 factory sends {@code GOAWAY} on each of its sessions, so their clients open their
		 * next streams elsewhere, and closes each session once its streams in flight finished. The connector's
		 * own graceful shutdown is not called: it would cut every connection quiet for a second, streams and
		 * WebSocket sessions included, before the app's grace ends.
		 */
		private void goAway() {
			for (ConnectionFactory factory : getConnectionFactories()) {
				List<Graceful> graceful = new ArrayList<>();
				if (factory instanceof Graceful itself) {
					graceful.add(itself);
				}
				if (factory instanceof ContainerLifeCycle container) {
					graceful.addAll(container.getContainedBeans(Graceful.class));
				}
				for (Graceful each : graceful) {
					try {
						each.shutdown();
					}
					catch (RuntimeException ex) {
						logger.warn("Could not send GOAWAY to the HTTP/2 connections of this worker; they close "
								+ "when the web server stops", ex);
					}
				}
			}
		}

		/**
		 * Close the HTTP/1 connections with no request in them, quiet long enough that a client that just
		 * connected has sent its request.
		 */
		@Override
		public void closeIdle() {
			long shutdownIdleTimeout = Math.max(1, getShutdownIdleTimeout());
			for (EndPoint endpoint : getConnectedEndPoints()) {
				if (!endpoint.isOpen()) {
					continue;
				}
				if (endpoint.getConnection() instanceof HttpConnection http && http.getHttpChannel().getRequest() == null
						&& http.isRequestBufferEmpty() && idleFor(endpoint) >= GatedNioEndpoint.IDLE_MILLIS) {
					endpoint.close();
				}
				else if (endpoint.getConnection() instanceof ConnectionMetaData meta
						&& meta.getHttpVersion() == HttpVersion.HTTP_2
						&& endpoint.getIdleTimeout() > shutdownIdleTimeout) {
					// What Jetty's graceful shutdown does: once quiet, a session that sent its graceful GOAWAY sends
					// the last one and closes as soon as its streams in flight finished
					endpoint.setIdleTimeout(shutdownIdleTimeout);
				}
			}
		}

		private static long idleFor(EndPoint endpoint) {
			return (endpoint instanceof IdleTimeout idle) ? idle.getIdleFor() : 0;
		}

		@Override
		public int openConnections() {
			// a drain that counts connections must wait for the ones being accepted too; read in the order a
			// connection moves: from the acceptor to the selector to the endpoints, never back
			// once drained, the connection an acceptor was taking at that moment counts too
			boolean drained = GatedServerConnector.this.gate.state() == AcceptGate.State.DRAINED;
			int inFlight = drained ? GatedServerConnector.this.accepting.get() : 0;
			return inFlight + getOpenConnectionCount();
		}

	}

	/**
	 * Once the gate drained, asks for {@code Connection: close} on every HTTP/1 response of this connector, so that a
	 * kept-alive connection closes after its current request.
	 */
	private final class CloseAfterDrain implements HttpConfiguration.Customizer {

		@Override
		public Request customize(Request request, HttpFields.Mutable responseHeaders) {
			if (GatedServerConnector.this.gate.state() == AcceptGate.State.DRAINED
					&& request.getConnectionMetaData().getConnector() == GatedServerConnector.this
					&& request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_2
					&& request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_3) {
				responseHeaders.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
			}
			return request;
		}

	}

}
