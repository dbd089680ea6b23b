package dev.bootsupervisor.protocol;

/**
 * A message that cannot be trusted: malformed, oversized, of an unknown type or out of order.
 */
public class ProtocolException extends Exception {

	public ProtocolException(String message) {
		super(message);
	}

}
