package dev.bootsupervisor.cluster;

/**
 * This worker no longer leads: no {@link LeaderOnly} call runs any more, its lifecycles are stopped; the master is
 * told once the listeners return.
 */
public class LeadershipRevokedEvent extends LeadershipEvent {

	/**
	 * Create the event.
	 * @param source the leadership
	 * @param epoch the epoch revoked
	 */
	public LeadershipRevokedEvent(Leadership source, long epoch) {
		super(source, epoch);
	}

}
