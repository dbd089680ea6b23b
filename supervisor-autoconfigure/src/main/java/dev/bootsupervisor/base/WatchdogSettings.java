package dev.bootsupervisor.base;

import java.time.Duration;

/**
 * What the master's watchdogs watch for, resolved and validated from {@code supervisor.watchdog.*} and
 * {@code supervisor.recycle.*}. A zero turns the check it belongs to off.
 *
 * @param timeout how long a ready worker may go without a heartbeat, or with requests in flight and none
 * completed, before it is declared hung; zero for never
 * @param heapAfterGc the old generation's use after a collection, in percent of its maximum, above which (three
 * collections in a row) a worker is recycled; zero for never
 * @param maxRequests requests a worker serves before it is recycled; zero for no limit
 * @param maxRequestsJitter the most that is added to {@code maxRequests}, at random, per worker
 * @param maxLifetime how long a worker may serve before it is recycled; zero for no limit
 */
public record WatchdogSettings(Duration timeout, int heapAfterGc, long maxRequests, long maxRequestsJitter,
		Duration maxLifetime) {

	/** Every watchdog off: what tests of other behaviour use. */
	public static final WatchdogSettings OFF = new WatchdogSettings(Duration.ZERO, 0, 0, 0, Duration.ZERO);

	/** The defaults users get: a 30 s hang timeout, no recycling. */
	public static final WatchdogSettings DEFAULTS = new WatchdogSettings(Duration.ofSeconds(30), 0, 0, 0,
			Duration.ZERO);

	public boolean watchesHangs() {
		return !this.timeout.isZero();
	}

	public boolean recyclesOnHeap() {
		return this.heapAfterGc > 0;
	}

	public boolean recyclesOnRequests() {
		return this.maxRequests > 0;
	}

	public boolean recyclesOnLifetime() {
		return !this.maxLifetime.isZero();
	}

}
