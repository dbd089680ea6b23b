package dev.bootsupervisor.master;

import java.time.Duration;

import dev.bootsupervisor.base.SupervisorSettings;

/**
 * Decides when a slot's crashed worker is started again: exponential backoff, reset after a long enough ready
 * period, and a crash-loop limit. A restart counts toward the limit when the worker it replaces was ready for less
 * than the window (or never); a worker that stayed ready for the window ends the loop and the count starts over.
 * Counting short-lived workers, not restarts per unit of time, detects a loop whatever the backoff (a time window
 * can be wider than the backoff lets restarts in, and then the limit is never reached).
 */
final class RestartPolicy {

	private final Duration initial;

	private final Duration max;

	private final Duration resetAfter;

	private final int maxRestarts;

	private final Duration window;

	RestartPolicy(SupervisorSettings settings) {
		this(settings.backoffInitial(), settings.backoffMax(), settings.backoffReset(), settings.maxRestarts(),
				settings.restartWindow());
	}

	RestartPolicy(Duration initial, Duration max, Duration resetAfter, int maxRestarts, Duration window) {
		this.initial = initial;
		this.max = max;
		this.resetAfter = resetAfter;
		this.maxRestarts = maxRestarts;
		this.window = window;
	}

	/**
	 * The decision for a slot whose worker just exited.
	 * @param history the slot's restart history, updated by this call
	 * @param readyFor how long the worker that exited had been ready
	 * @return the delay before the restart, or {@code null} when the slot must be failed
	 */
	Duration onCrash(History history, Duration readyFor) {
		if (readyFor.compareTo(this.window) >= 0) {
			history.consecutive = 0;
		}
		if (history.consecutive >= this.maxRestarts) {
			return null;
		}
		if (history.nextBackoff == null || readyFor.compareTo(this.resetAfter) >= 0) {
			history.nextBackoff = this.initial;
		}
		Duration delay = history.nextBackoff;
		Duration doubled = delay.multipliedBy(2);
		history.nextBackoff = (doubled.compareTo(this.max) > 0) ? this.max : doubled;
		history.consecutive++;
		return delay;
	}

	/**
	 * A slot's restart bookkeeping.
	 */
	static final class History {

		private int consecutive;

		private Duration nextBackoff;

		/**
		 * Restarts in a row of workers that were each ready for less than the window.
		 * @return the count
		 */
		int consecutiveRestarts() {
			return this.consecutive;
		}

	}

}
