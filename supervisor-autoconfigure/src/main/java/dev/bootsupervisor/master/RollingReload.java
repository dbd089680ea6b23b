package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;

import dev.bootsupervisor.protocol.CanaryResult;

/**
 * The state of one rolling reload: which slots are left, the old worker being retired, and who waits for the
 * outcome (the replacement being started is the worker table's). {@link Reloads} drives it; it decides nothing
 * about processes itself.
 */
final class RollingReload {

	private final Deque<Integer> remaining;

	private final int size;

	private final Instant startedAt;

	private final String trigger;

	private final List<BiConsumer<Boolean, String>> waiters = new ArrayList<>();

	private WorkerHandle retiring;

	private int replaced;

	private boolean reported;

	private Instant reportDue;

	private String version = "-";

	private Canary canary;

	private CanaryResult canaryResult;

	private String failure;

	RollingReload(List<Integer> slotIds, Instant startedAt, String trigger) {
		this.remaining = new ArrayDeque<>(slotIds);
		this.size = slotIds.size();
		this.startedAt = startedAt;
		this.trigger = trigger;
	}

	String trigger() {
		return this.trigger;
	}

	void addWaiter(BiConsumer<Boolean, String> waiter) {
		this.waiters.add(waiter);
	}

	/**
	 * Tell every waiter the outcome, once.
	 * @param success whether the reload succeeded
	 * @param message what happened
	 */
	void report(boolean success, String message) {
		if (!this.reported) {
			this.reported = true;
			this.waiters.forEach((waiter) -> waiter.accept(success, message));
		}
	}

	/**
	 * Whether the outcome was told: every slot has its replacement, only the last old worker may still drain. From
	 * then on the reload is over for everyone who waits on it, and a scale may begin.
	 * @return whether it was reported
	 */
	boolean reported() {
		return this.reported;
	}

	/**
	 * Every slot has its replacement: report once the last old worker stopped accepting, at the latest by
	 * {@code due}.
	 * @param due when to report anyway
	 */
	void reportOnceStopped(Instant due) {
		this.reportDue = due;
	}

	/** When the outcome is told at the latest, {@code null} while slots remain. */
	Instant reportDue() {
		return this.reportDue;
	}

	Integer nextSlot() {
		return this.remaining.pollFirst();
	}

	boolean hasRemaining() {
		return !this.remaining.isEmpty();
	}

	void replaced(WorkerHandle old) {
		this.retiring = old;
		this.replaced++;
	}

	WorkerHandle retiring() {
		return this.retiring;
	}

	void retired() {
		this.retiring = null;
	}

	int replacedCount() {
		return this.replaced;
	}

	/** How many slots this reload replaces, for its progress. */
	int size() {
		return this.size;
	}

	Instant startedAt() {
		return this.startedAt;
	}

	/** The class path it rolls out, {@code -} when unknown. */
	String version() {
		return this.version;
	}

	void version(String version) {
		this.version = (version != null) ? version : "-";
	}

	/** Its first replacement while it is judged, {@code null} before and after. */
	Canary canary() {
		return this.canary;
	}

	void canary(Canary canary) {
		this.canary = canary;
	}

	/** How its canary did, {@code null} before it was judged or without one. */
	CanaryResult canaryResult() {
		return this.canaryResult;
	}

	void judged(CanaryResult result) {
		this.canary = null;
		this.canaryResult = result;
	}

	/**
	 * The reload failed while a worker of its own still drains (a failed canary): it ends once that worker exited.
	 * @param worker the worker
	 * @param message why it failed
	 */
	void rollingBack(WorkerHandle worker, String message) {
		this.retiring = worker;
		this.failure = message;
	}

	/** Why it failed while a worker of its own drains, {@code null} when it did not. */
	String failure() {
		return this.failure;
	}

	Duration elapsed(Instant now) {
		return Duration.between(this.startedAt, now);
	}

}
