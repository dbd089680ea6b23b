package dev.bootsupervisor.worker;

/**
 * Exchanges that outlive a request and keep a draining worker's connections open (WebSocket sessions, streamed
 * async responses): told to go when the drain's grace ends.
 */
public interface LongLivedExchanges {

	/**
	 * End every exchange still open, cleanly for the client (a close frame, a complete response).
	 * @return how many were told to go, -1 when the server does not tell
	 */
	int endAll();

	/**
	 * Once {@link #endAll()} ran, end the exchanges that started since: a client that reconnects at once on a
	 * connection its worker kept alive reaches the draining worker again. Called on each poll of the drain.
	 * @return how many were told to go
	 */
	default int endLateStarters() {
		return 0;
	}

	/**
	 * Name what this ends, for the log: {@code "WebSocket session(s)"}.
	 * @return the plural name
	 */
	String description();

}
