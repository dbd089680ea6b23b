package dev.bootsupervisor.cluster;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.event.LeaderEventPublisher;

/**
 * Spring Integration's leader-election contract on the supervisor's leadership, as its
 * {@code LockRegistryLeaderInitiator} offers it on a lock: on a grant the {@link Candidate} is granted, then
 * {@code OnGrantedEvent} is published (so a {@code SmartLifecycleRoleController} starts the candidate's role); on
 * a revocation the candidate is revoked, then {@code OnRevokedEvent} is published, before the master is told.
 * {@link Context#yield()} hands leadership to another worker.
 */
public class ClusterLeaderInitiator implements ApplicationListener<LeadershipEvent> {

	private static final Log logger = LogFactory.getLog(ClusterLeaderInitiator.class);

	private final Leadership leadership;

	private final Candidate candidate;

	private final LeaderEventPublisher publisher;

	private final Context context = new ClusterContext();

	/**
	 * Create the initiator.
	 * @param leadership this worker's leadership
	 * @param candidate the candidate granted and revoked
	 * @param publisher publishes the granted and revoked events
	 */
	public ClusterLeaderInitiator(Leadership leadership, Candidate candidate, LeaderEventPublisher publisher) {
		this.leadership = leadership;
		this.candidate = candidate;
		this.publisher = publisher;
	}

	/**
	 * The context handed to the candidate.
	 * @return the context
	 */
	public Context getContext() {
		return this.context;
	}

	/**
	 * The candidate.
	 * @return the candidate
	 */
	public Candidate getCandidate() {
		return this.candidate;
	}

	@Override
	public void onApplicationEvent(LeadershipEvent event) {
		if (event instanceof LeadershipGrantedEvent) {
			try {
				this.candidate.onGranted(this.context);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				logger.warn("Candidate " + this.candidate.getId() + " was interrupted while being granted");
				return;
			}
			this.publisher.publishOnGranted(this, this.context, this.candidate.getRole());
		}
		else if (event instanceof LeadershipRevokedEvent) {
			this.candidate.onRevoked(this.context);
			this.publisher.publishOnRevoked(this, this.context, this.candidate.getRole());
		}
	}

	/** The candidate's view of the leadership. */
	private final class ClusterContext implements Context {

		@Override
		public boolean isLeader() {
			return ClusterLeaderInitiator.this.leadership.isLeader();
		}

		@Override
		public void yield() {
			ClusterLeaderInitiator.this.leadership.yield();
		}

		@Override
		public String getRole() {
			return ClusterLeaderInitiator.this.candidate.getRole();
		}

		@Override
		public String toString() {
			return "ClusterContext[role=" + getRole() + ", leader=" + isLeader() + ", epoch="
					+ ClusterLeaderInitiator.this.leadership.epoch() + "]";
		}

	}

}
