package dev.bootsupervisor.worker;

/**
 * What the worker does when it gains or loses leadership (start or stop its leader-only work, tell the application),
 * called on the leadership thread, one call at a time.
 */
public interface LeadershipListener {

	/**
	 * This worker leads from now on; the leader flag is already set.
	 * @param epoch the epoch granted
	 */
	void granted(long epoch);

	/**
	 * This worker no longer leads; the flag is already cleared and the leader-only calls have ended (or the
	 * timeout passed). The master is told once this returns.
	 * @param epoch the epoch revoked
	 */
	void revoked(long epoch);

}
