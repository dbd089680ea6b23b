package dev.bootsupervisor.cluster;

import org.springframework.context.ApplicationEvent;

/**
 * A change of this worker's leadership, published on the worker's {@code supervisor-leadership} thread.
 */
public abstract class LeadershipEvent extends ApplicationEvent {

	private final long epoch;

	LeadershipEvent(Leadership source, long epoch) {
		super(source);
		this.epoch = epoch;
	}

	/**
	 * The epoch granted or revoked: a fencing token, greater at every change of leader.
	 * @return the epoch
	 */
	public long epoch() {
		return this.epoch;
	}

	@Override
	public Leadership getSource() {
		return (Leadership) super.getSource();
	}

}
