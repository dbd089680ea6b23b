package dev.bootsupervisor.worker;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker's copy of a listening socket shared with other processes, simulated inside the test JVM: closing it
 * stops accepting through it and wakes a thread in {@link #accept()}, while the socket itself and its queue stay with
 * the test, which plays the master and the other workers. A real second descriptor needs {@code dup(2)}, which the
 * JDK does not offer.
 */
final class WorkerCopyChannel extends ServerSocketChannel {

	private final ServerSocketChannel shared;

	private final Object acceptLock = new Object();

	/**
	 * Create a copy of the given socket.
	 * @param shared the shared socket, in non-blocking mode
	 */
	WorkerCopyChannel(ServerSocketChannel shared) {
		super(shared.provider());
		this.shared = shared;
	}

	@Override
	public SocketChannel accept() throws IOException {
		boolean waited = false;
		while (true) {
			synchronized (this.acceptLock) {
				if (!isOpen()) {
					throw waited ? new AsynchronousCloseException() : new ClosedChannelException();
				}
				SocketChannel socket = this.shared.accept();
				if (socket != null) {
					return socket;
				}
			}
			waited = true;
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
		}
	}

	@Override
	protected void implCloseSelectableChannel() {
		// Waits for an accept attempt in progress: once close() returns, nothing is taken from the queue
		synchronized (this.acceptLock) {
			this.acceptLock.notifyAll();
		}
	}

	@Override
	protected void implConfigureBlocking(boolean block) {
		throw new UnsupportedOperationException("The worker's copy of the shared socket stays blocking");
	}

	@Override
	public ServerSocketChannel bind(SocketAddress local, int backlog) {
		throw new UnsupportedOperationException("Already bound");
	}

	@Override
	public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
		this.shared.setOption(name, value);
		return this;
	}

	@Override
	public <T> T getOption(SocketOption<T> name) throws IOException {
		return this.shared.getOption(name);
	}

	@Override
	public Set<SocketOption<?>> supportedOptions() {
		return this.shared.supportedOptions();
	}

	@Override
	public ServerSocket socket() {
		return this.shared.socket();
	}

	@Override
	public SocketAddress getLocalAddress() throws IOException {
		if (!isOpen()) {
			throw new ClosedChannelException();
		}
		return this.shared.getLocalAddress();
	}

}
