package dev.bootsupervisor.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Decides when a slot's crashed worker is started again: exponential backoff, reset after a long enough ready
 * period, and a limit of restarts within a window after which the slot is failed.
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
	 * @param now the current time
	 * @return the delay before the restart, or {@code null} when the slot must be failed
	 */
	Duration onCrash(History history, Duration readyFor, Instant now) {
		Instant windowStart = now.minus(this.window);
		while (!history.restarts.isEmpty() && history.restarts.peekFirst().isBefore(windowStart)) {
			history.restarts.pollFirst();
		}
		if (history.restarts.size() >= this.maxRestarts) {
			return null;
		}
		if (history.nextBackoff == null || readyFor.compareTo(this.resetAfter) >= 0) {
			history.nextBackoff = this.initial;
		}
		Duration delay = history.nextBackoff;
		Duration doubled = delay.multipliedBy(2);
		history.nextBackoff = (doubled.compareTo(this.max) > 0) ? this.max : doubled;
		history.restarts.addLast(now);
		return delay;
	}

	/**
	 * A slot's restart bookkeeping.
	 */
	static final class History {

		private final Deque<Instant> restarts = new ArrayDeque<>();

		private Duration nextBackoff;

		int restartsInWindow() {
			return this.restarts.size();
		}

	}

}
