package dev.bootsupervisor.protocol;

/**
 * The messages that travel between the master, its workers and control commands.
 */
public enum MessageType {

	/** First message of every connection: role, token, and for a worker its id, generation and pid. */
	HELLO,

	/** Worker to master: the worker accepts traffic. */
	READY,

	/** Worker to master: the worker stopped accepting and is finishing its open connections. */
	DRAINING,

	/** Worker to master: the application failed to start, with the error. */
	FAILED,

	/**
	 * Worker to master, every second, from a platform thread of its own: heap, health, process CPU time, requests
	 * in flight and completed, and the old generation's use after its latest collections.
	 */
	HEARTBEAT,

	/**
	 * Worker to master: the worker found itself broken ({@code cause}: {@code liveness}, {@code deadlock} or
	 * {@code out-of-memory}, with a {@code detail}); the master replaces it.
	 */
	BROKEN,

	/** Master to worker: close the accept gate now and take no new connection; the worker answers DRAINING. */
	STOP_ACCEPTING,

	/** Control command or worker to master: a request, answered by one {@link #REPLY}. */
	REQUEST,

	/** Master to the requester: the outcome of a {@link #REQUEST}. */
	REPLY

}
