package dev.bootsupervisor.cluster;

import java.time.Duration;

import dev.bootsupervisor.worker.LeaderElection;

import org.springframework.context.SmartLifecycle;

/**
 * Gives leadership up when the application context closes, first of all lifecycles: the leader-only work stops
 * and the master is told ({@code REVOKED}) without waiting for the worker's exit.
 */
public class LeadershipShutdown implements SmartLifecycle {

	private final LeaderElection election;

	private final Duration timeout;

	private volatile boolean running;

	/**
	 * Create the lifecycle.
	 * @param election the worker's side of the election
	 * @param timeout how long to wait for the leader-only calls still running
	 */
	public LeadershipShutdown(LeaderElection election, Duration timeout) {
		this.election = election;
		this.timeout = timeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.election.close(this.timeout);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
