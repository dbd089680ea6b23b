package dev.bootsupervisor.base;

/**
 * A start that cannot go on, with a message for the user (no stack trace needed): port in use, app already
 * running, unsafe run directory. Without a code it is a configuration error ({@link ExitCodes#CONFIG}).
 */
public class LaunchException extends Exception {

	private final int exitCode;

	public LaunchException(String message) {
		this(message, ExitCodes.CONFIG);
	}

	public LaunchException(String message, int exitCode) {
		super(message);
		this.exitCode = exitCode;
	}

	public int exitCode() {
		return this.exitCode;
	}

}
