package dev.bootsupervisor.worker;

/**
 * Handles the cluster messages delivered to this worker, one at a time, in the order they arrive.
 */
public interface MessageHandler {

	/**
	 * Handle one message.
	 * @param message the message
	 * @return the answer to a request, or {@code null} for none (a request then gets an empty text answer)
	 * @throws Exception when handling failed: a request is answered with the error
	 */
	Answer handle(InboundMessage message) throws Exception;

	/**
	 * The answer to a request.
	 *
	 * @param kind {@code text} or {@code bytes}
	 * @param payload the payload
	 */
	record Answer(String kind, byte[] payload) {

	}

}
