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

	/** Worker to master, every second: pid, heap and health. */
	HEARTBEAT,

	/** Control command or worker to master: a request, answered by one {@link #REPLY}. */
	REQUEST,

	/** Master to the requester: the outcome of a {@link #REQUEST}. */
	REPLY

}
