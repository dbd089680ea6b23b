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
	 * Name what this ends, for the log: {@code "WebSocket session(s)"}.
	 * @return the plural name
	 */
	String description();

}
