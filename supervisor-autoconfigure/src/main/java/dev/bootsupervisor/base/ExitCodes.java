package dev.bootsupervisor.base;

/**
 * The exit codes of a master, in one place so that systemd's {@code RestartPreventExitStatus=} and scripts can tell
 * a configuration error (restarting cannot help) from a worker that failed to boot and from a runtime failure.
 */
public final class ExitCodes {

	/** The cluster ran and stopped cleanly. */
	public static final int OK = 0;

	/** A runtime failure: a crash loop left no worker serving, a worker was killed at the stop, an I/O error. */
	public static final int FAILURE = 1;

	/** A worker exited or was not ready before the cluster was ready (Gunicorn's "worker failed to boot"). */
	public static final int BOOT_FAILED = 3;

	/**
	 * A configuration error: a bad property value, the port in use, the app already running, an unsafe run
	 * directory, an unsupported web server or management port ({@code EX_CONFIG} of sysexits.h).
	 */
	public static final int CONFIG = 78;

	private ExitCodes() {
	}

}
