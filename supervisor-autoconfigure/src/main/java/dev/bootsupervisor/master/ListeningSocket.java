package dev.bootsupervisor.master;

/**
 * The shared listening socket, as a stop closes it without losing a connection: first the kernel takes no new
 * connection, then the workers take every queued one, and only then is it closed. A seam, so the stop's decisions
 * can be tested without a socket.
 */
public interface ListeningSocket {

	/** No socket: a stop drains the workers at once. */
	ListeningSocket NONE = of(() -> {
	});

	/**
	 * Make the kernel take no new connection, keeping those it took for the workers.
	 * @return whether it could; when not, the stop drains the workers at once
	 */
	boolean refuseNewConnections();

	/**
	 * How many connections the kernel took that no worker accepted yet.
	 * @return the count, -1 when it cannot be read
	 */
	int queuedConnections();

	/** Stop listening, for every process: new connections are refused, queued ones reset. */
	void close();

	/**
	 * A socket that can only be closed.
	 * @param close what closes it
	 * @return the socket
	 */
	static ListeningSocket of(Runnable close) {
		return new ListeningSocket() {

			@Override
			public boolean refuseNewConnections() {
				return false;
			}

			@Override
			public int queuedConnections() {
				return -1;
			}

			@Override
			public void close() {
				close.run();
			}

		};
	}

}
