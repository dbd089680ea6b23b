package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;

/**
 * One connection to the master's Unix socket, from a worker or a control command. Frames to the peer are queued
 * and written by a thread of the connection's own, so a peer that reads nothing (a stopped worker) never blocks
 * the master loop; one that falls {@link #MAX_QUEUED_BYTES} behind is disconnected.
 */
class ChannelConnection {

	/** The most bytes waiting to be written to one peer. */
	static final int MAX_QUEUED_BYTES = 16 * 1024 * 1024;

	private static final System.Logger log = System.getLogger(ChannelConnection.class.getName());

	private final int id;

	private final SocketChannel channel;

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile String role = "unauthenticated";

	private WorkerHandle worker;

	private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();

	private long queuedBytes;

	private Thread writer;

	ChannelConnection(int id, SocketChannel channel) {
		this.id = id;
		this.channel = channel;
	}

	int id() {
		return this.id;
	}

	SocketChannel channel() {
		return this.channel;
	}

	String role() {
		return this.role;
	}

	void role(String role) {
		this.role = role;
	}

	/**
	 * The worker this connection was verified to belong to, set by the master loop only.
	 * @return the worker or {@code null}
	 */
	WorkerHandle worker() {
		return this.worker;
	}

	void worker(WorkerHandle worker) {
		this.worker = worker;
	}

	boolean isClosed() {
		return this.closed.get();
	}

	/**
	 * Queue a frame for the peer, written in the order queued; a failure closes the connection, the peer is gone.
	 * @param frame the frame
	 */
	void send(Frame frame) {
		if (isClosed() || this.channel == null) {
			return;
		}
		byte[] bytes = FrameCodec.encodeBytes(frame);
		synchronized (this.outbound) {
			if (this.queuedBytes + bytes.length > MAX_QUEUED_BYTES) {
				close("the peer reads nothing: " + this.queuedBytes + " bytes are waiting for it");
				return;
			}
			this.outbound.add(ByteBuffer.wrap(bytes));
			this.queuedBytes += bytes.length;
			if (this.writer == null) {
				this.writer = new Thread(this::writeLoop, "supervisor-channel-writer-" + this.id);
				this.writer.setDaemon(true);
				this.writer.start();
			}
			this.outbound.notifyAll();
		}
	}

	private void writeLoop() {
		try {
			while (true) {
				ByteBuffer next;
				synchronized (this.outbound) {
					while (this.outbound.isEmpty() && !isClosed()) {
						this.outbound.wait();
					}
					if (this.outbound.isEmpty()) {
						return;
					}
					next = this.outbound.peek();
				}
				while (next.hasRemaining()) {
					this.channel.write(next);
				}
				synchronized (this.outbound) {
					this.outbound.poll();
					this.queuedBytes -= next.capacity();
					this.outbound.notifyAll();
				}
			}
		}
		catch (IOException ex) {
			close(null);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Wait until every queued frame was written, or the timeout passed, then close.
	 * @param timeout how long to wait
	 */
	void flushAndClose(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.outbound) {
			while (!this.outbound.isEmpty() && !isClosed() && System.nanoTime() < deadline) {
				try {
					this.outbound.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
		}
		close(null);
	}

	/**
	 * Close the connection, logging why when there is a reason worth an operator's attention.
	 * @param reason the reason or {@code null}
	 */
	void close(String reason) {
		if (this.closed.compareAndSet(false, true)) {
			synchronized (this.outbound) {
				this.outbound.notifyAll();
			}
			if (reason != null) {
				log.log(System.Logger.Level.WARNING, "Closing channel connection {0} ({1}): {2}", this.id,
						this.role, reason);
			}
			try {
				if (this.channel != null) {
					this.channel.close();
				}
			}
			catch (IOException ex) {
				// closing anyway
			}
		}
	}

	@Override
	public String toString() {
		return "connection " + this.id + " (" + this.role + ")";
	}

}
