package dev.bootsupervisor.master;

import dev.bootsupervisor.protocol.Frame;

/**
 * Something the master loop must act on. Signal handlers, process watchers and channel readers only post
 * these; the loop alone acts.
 */
sealed interface MasterEvent {

	/**
	 * A signal reached the master.
	 *
	 * @param name the signal's name without {@code SIG}
	 */
	record SignalReceived(String name) implements MasterEvent {
	}

	/**
	 * A worker process exited.
	 *
	 * @param handle the worker
	 * @param code its exit code
	 */
	record WorkerExited(WorkerHandle handle, int code) implements MasterEvent {
	}

	/**
	 * An authenticated connection introduced itself as a worker.
	 *
	 * @param connection the connection
	 * @param workerId the claimed worker id
	 * @param generation the claimed generation
	 * @param pid the claimed pid
	 */
	record WorkerConnected(ChannelConnection connection, int workerId, int generation, long pid)
			implements MasterEvent {
	}

	/**
	 * A message arrived on an authenticated connection.
	 *
	 * @param connection the connection
	 * @param frame the message
	 */
	record Message(ChannelConnection connection, Frame frame) implements MasterEvent {
	}

	/**
	 * A connection ended.
	 *
	 * @param connection the connection
	 */
	record Disconnected(ChannelConnection connection) implements MasterEvent {
	}

}
