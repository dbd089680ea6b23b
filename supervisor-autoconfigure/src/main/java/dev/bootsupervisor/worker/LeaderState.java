package dev.bootsupervisor.worker;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether this worker leads, with which epoch and since when, and how many leader-only calls are running now, so
 * that a revocation can wait for them to end before the worker confirms it.
 */
public final class LeaderState {

	private boolean leader;

	private long epoch;

	private Instant grantedAt;

	private int running;

	/**
	 * Whether this worker leads.
	 * @return whether it leads now
	 */
	public synchronized boolean isLeader() {
		return this.leader;
	}

	/**
	 * The epoch of the latest grant, kept after a revocation; 0 before the first.
	 * @return the epoch
	 */
	public synchronized long epoch() {
		return this.epoch;
	}

	/**
	 * When the current leadership was granted.
	 * @return the instant, or {@code null} when this worker does not lead
	 */
	public synchronized Instant grantedAt() {
		return this.leader ? this.grantedAt : null;
	}

	/**
	 * Begin a leader-only call, if this worker leads; every {@code true} must be followed by one {@link #exit()}.
	 * @return whether the call may run
	 */
	public synchronized boolean enter() {
		if (!this.leader) {
			return false;
		}
		this.running++;
		return true;
	}

	/** End a leader-only call begun by {@link #enter()}. */
	public synchronized void exit() {
		this.running--;
		if (this.running == 0) {
			notifyAll();
		}
	}

	/**
	 * The leader-only calls running now.
	 * @return their number
	 */
	public synchronized int running() {
		return this.running;
	}

	synchronized void grant(long epoch, Instant now) {
		this.leader = true;
		this.epoch = epoch;
		this.grantedAt = now;
	}

	/**
	 * Stop leading, then wait until no leader-only call is running, or the timeout.
	 * @param timeout how long to wait for the running calls
	 * @return whether they all ended in time
	 * @throws InterruptedException when interrupted while waiting
	 */
	synchronized boolean revoke(Duration timeout) throws InterruptedException {
		this.leader = false;
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.running > 0) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			wait(Math.max(1, left / 1_000_000));
		}
		return true;
	}

}
