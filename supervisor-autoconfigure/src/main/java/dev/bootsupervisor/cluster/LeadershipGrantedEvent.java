package dev.bootsupervisor.cluster;

import java.time.Instant;

/**
 * This worker leads from now on, its {@link LeaderOnly} lifecycles started.
 */
public class LeadershipGrantedEvent extends LeadershipEvent {

	private final Instant grantedAt;

	/**
	 * Create the event.
	 * @param source the leadership
	 * @param epoch the epoch granted
	 * @param grantedAt when it was granted
	 */
	public LeadershipGrantedEvent(Leadership source, long epoch, Instant grantedAt) {
		super(source, epoch);
		this.grantedAt = grantedAt;
	}

	/**
	 * When leadership was granted, from which {@link LeaderOnly} calls run.
	 * @return the instant
	 */
	public Instant grantedAt() {
		return this.grantedAt;
	}

}
