package dev.bootsupervisor.master;

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

	private final Duration timeout;

	private final Instant deadline;

	private final List<BiConsumer<Boolean, String>> waiters = new ArrayList<>();

	private final List<WorkerHandle> retired = new ArrayList<>();

	private final List<WorkerHandle> requesters = new ArrayList<>();

	PendingScale(int target, String trigger, Instant startedAt, Duration timeout) {
		this.target = target;
		this.trigger = trigger;
		this.startedAt = startedAt;
		this.timeout = timeout;
		this.deadline = startedAt.plus(timeout);
	}

	int target() {
		return this.target;
	}

	String trigger() {
		return this.trigger;
	}

	/**
	 * Add who waits for the outcome.
	 * @param requester the worker whose actuator request asked for the scale, {@code null} for a command or
	 * signal: if this scale retires that worker, the answer cannot wait for its exit, since it must deliver it
	 * @param waiter told the outcome
	 */
	void addWaiter(WorkerHandle requester, BiConsumer<Boolean, String> waiter) {
		if (requester != null) {
			this.requesters.add(requester);
		}
		this.waiters.add(waiter);
	}

	void retired(WorkerHandle worker) {
		this.retired.add(worker);
	}

	/**
	 * Whether every worker this scale retired has exited, but those that must still answer its requests.
	 * @return whether the scale-down part is done
	 */
	boolean retiredGone() {
		return this.retired.stream().allMatch((w) -> w.exit() != null || this.requesters.contains(w));
	}

	long retiredLeft() {
		return this.retired.stream().filter((w) -> w.exit() == null).count();
	}

	Duration timeout() {
		return this.timeout;
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
