package dev.bootsupervisor.cluster;

import java.time.Instant;
import java.util.Optional;

import dev.bootsupervisor.worker.LeaderElection;

/**
 * Whether this worker leads the cluster, and with which epoch. The master grants leadership to one ready worker at
 * a time; without a master the application is a cluster of one and leads from when it is ready, epoch 1.
 */
public class Leadership {

	private final LeaderElection election;

	/**
	 * Create the leadership view.
	 * @param election the worker's side of the election
	 */
	public Leadership(LeaderElection election) {
		this.election = election;
	}

	/**
	 * Whether this worker leads now.
	 * @return whether it leads
	 */
	public boolean isLeader() {
		return this.election.state().isLeader();
	}

	/**
	 * The epoch of this worker's latest grant, a fencing token to hand to external systems; 0 if it never led.
	 * @return the epoch
	 */
	public long epoch() {
		return this.election.state().epoch();
	}

	/**
	 * Since when this worker leads.
	 * @return the instant of the grant, empty when it does not lead
	 */
	public Optional<Instant> grantedAt() {
		return Optional.ofNullable(this.election.state().grantedAt());
	}

	/**
	 * Ask the master to hand leadership to another ready worker (it stays here if there is none); the revocation
	 * follows as usual. Does nothing when this worker does not lead.
	 */
	public void yield() {
		this.election.yieldLeadership();
	}

}
