package dev.bootsupervisor.cluster;

/**
 * A cluster message that could not be delivered or answered: the master refused it (no such worker, no ready
 * worker, held queue full, ...), or the receiver failed, had no listener, or exited before answering.
 */
public class ClusterMessageException extends RuntimeException {

	/**
	 * Create the exception.
	 * @param message what failed, with the master's or the receiver's error text
	 */
	public ClusterMessageException(String message) {
		super(message);
	}

}
