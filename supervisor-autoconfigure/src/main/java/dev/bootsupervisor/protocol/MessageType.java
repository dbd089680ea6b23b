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

	/**
	 * Master to worker: a graceful stop started with a shutdown delay; set readiness to refusing traffic and keep
	 * serving until told to stop.
	 */
	REFUSE_TRAFFIC,

	/**
	 * Master to worker: reopen standard output and error on these files ({@code stdout}, {@code stderr}), after a
	 * log rotation moved them.
	 */
	REOPEN_LOGS,

	/**
	 * Master to worker: this worker leads from now on ({@code epoch}, the fencing token, greater than every epoch
	 * granted before). Sent only to a ready worker, and only once no other worker holds leadership.
	 */
	GRANT,

	/**
	 * Master to the leader: stop leader-only work ({@code epoch}; {@code timeout} in milliseconds, how long the
	 * master waits for {@link #REVOKED} before it grants leadership elsewhere).
	 */
	REVOKE,

	/**
	 * Worker to master: this worker stopped its leader-only work ({@code epoch}, the one revoked). Also sent unasked
	 * by a leader whose application is shutting down.
	 */
	REVOKED,

	/** Leader to master: hand leadership to another ready worker ({@code epoch}, the one held). */
	YIELD,

	/**
	 * Worker to master: relay a message ({@code seq}, per sender, increasing; {@code to}, see
	 * {@link MessageTarget}; {@code topic}; {@code kind}, {@code text} or {@code bytes}; {@code data}, the payload in
	 * base64; {@code expectReply=true} for a request, which needs one recipient). Acknowledged by one {@link #SENT}.
	 */
	SEND,

	/**
	 * Master to the sender of a {@link #SEND}: what became of it ({@code seq}; {@code delivered} and {@code held},
	 * how many recipients got it now and how many will once ready; {@code error} when it was refused or some
	 * recipient could not get it).
	 */
	SENT,

	/**
	 * Master to worker: a message ({@code from}, the sender's worker id; {@code fromPid}; {@code topic};
	 * {@code kind}; {@code data}). With {@code call}, a request to answer with one {@link #ANSWER}; with
	 * {@code inReplyTo}, the answer to this worker's request of that {@code seq}, carrying either a payload or an
	 * {@code error}.
	 */
	DELIVER,

	/**
	 * Worker to master: the answer to a delivered request ({@code call}, as delivered; {@code kind} and
	 * {@code data}, or {@code error} when the receiver failed or had no listener for the topic).
	 */
	ANSWER,

	/** Control command or worker to master: a request, answered by one {@link #REPLY}. */
	REQUEST,

	/** Master to the requester: the outcome of a {@link #REQUEST}. */
	REPLY

}
