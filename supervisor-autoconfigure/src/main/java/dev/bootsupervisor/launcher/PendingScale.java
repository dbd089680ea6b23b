package dev.bootsupervisor.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A scale that the master has begun and whose outcome someone waits for: it ends when the cluster has the target
 * number of ready workers and every worker it scaled down has exited, or when its deadline passes.
 */
final class PendingScale {

	private final int target;

	private final String trigger;

	private final Instant startedAt;

	private final Instant deadline;

	private final List<BiConsumer<Boolean, String>> waiters = new ArrayList<>();

	PendingScale(int target, String trigger, Instant startedAt, Duration timeout) {
		this.target = target;
		this.trigger = trigger;
		this.startedAt = startedAt;
		this.deadline = startedAt.plus(timeout);
	}

	int target() {
		return this.target;
	}

	String trigger() {
		return this.trigger;
	}

	void addWaiter(BiConsumer<Boolean, String> waiter) {
		this.waiters.add(waiter);
	}

	boolean overdue(Instant now) {
		return now.isAfter(this.deadline);
	}

	Duration elapsed(Instant now) {
		return Duration.between(this.startedAt, now);
	}

	/**
	 * Tell every waiter the outcome.
	 * @param success whether the cluster reached the target
	 * @param message what happened
	 */
	void report(boolean success, String message) {
		this.waiters.forEach((waiter) -> waiter.accept(success, message));
		this.waiters.clear();
	}

}
