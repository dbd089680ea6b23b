package dev.bootsupervisor.master;

import java.time.Duration;

import dev.bootsupervisor.base.Durations;

/**
 * A warning that a local client can trigger at will (a connection flood, garbage on the socket) is logged at most
 * once per interval, with the count of those it stood for, so no client can fill the log or slow the master.
 */
final class RateLimitedLog {

	private final System.Logger log;

	private final long intervalNanos;

	private long lastNanos;

	private boolean logged;

	private int suppressed;

	RateLimitedLog(System.Logger log, Duration interval) {
		this.log = log;
		this.intervalNanos = interval.toNanos();
	}

	/**
	 * Log this warning unless one was logged within the interval; then only count it.
	 * @param message the message
	 * @return whether it was logged
	 */
	synchronized boolean warn(String message) {
		long now = System.nanoTime();
		if (this.logged && now - this.lastNanos < this.intervalNanos) {
			this.suppressed++;
			return false;
		}
		String more = (this.suppressed > 0)
				? " (and " + this.suppressed + " similar event(s) not logged in the previous "
						+ Durations.format(Duration.ofNanos(this.intervalNanos)) + ")"
				: "";
		this.log.log(System.Logger.Level.WARNING, message + more);
		this.logged = true;
		this.lastNanos = now;
		this.suppressed = 0;
		return true;
	}

}
