package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;

/**
 * One connection to the master's Unix socket, from a worker or a control command.
 */
class ChannelConnection {

	private static final System.Logger log = System.getLogger(ChannelConnection.class.getName());

	private final int id;

	private final SocketChannel channel;

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile String role = "unauthenticated";

	private WorkerHandle worker;

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
	 * Send a frame; a failure closes the connection, the peer is gone.
	 * @param frame the frame
	 */
	synchronized void send(Frame frame) {
		if (isClosed() || this.channel == null) {
			return;
		}
		try {
			FrameCodec.write(this.channel, frame);
		}
		catch (IOException ex) {
			close(null);
		}
	}

	/**
	 * Close the connection, logging why when there is a reason worth an operator's attention.
	 * @param reason the reason or {@code null}
	 */
	void close(String reason) {
		if (this.closed.compareAndSet(false, true)) {
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
