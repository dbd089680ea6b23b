package dev.bootsupervisor.worker;

/**
 * What G1 leaves of its old generation after a concurrent cycle: the least use after the young-collector pauses that
 * follow the cycle, through its mixed phase (the pauses that shrink the old generation). A concurrent cycle only
 * marks; its garbage goes in the mixed collections after it, so the old generation's use at the cycle's end still
 * holds it, and only the mixed phase's end shows what is live. One figure per cycle, final when the mixed phase
 * ends (a pause that does not shrink the old generation after one that did), when two pauses in a row after the
 * cycle did not shrink it (no mixed phase: G1 found too little to reclaim, so what is there is live, or leaked), or
 * at the next cycle's end (seen at the next pause, or sooner when the heartbeat asks) or a full collection, whichever
 * comes first. Not thread-safe: its tracker serializes it.
 */
final class MixedPhase {

	/** Pauses in a row that did not shrink the old generation, with none that did, that end a cycle's figure. */
	static final int FLAT_PAUSES = 2;

	private static final long NONE = -1;

	private long cycles;

	private boolean following;

	private long least;

	private boolean shrunk;

	private int flat;

	/**
	 * Start with the cycles that ended before: they are not followed.
	 * @param cycles how many concurrent cycles have ended so far
	 */
	MixedPhase(long cycles) {
		this.cycles = cycles;
	}

	/**
	 * Look at how many concurrent cycles have ended: when another has, the figure of the one followed until then is
	 * final, and the new one is followed from its first pause.
	 * @param cycles how many concurrent cycles have ended so far
	 * @return the figure that the new cycle's end made final, in bytes, or {@code -1}
	 */
	long cycles(long cycles) {
		if (cycles == this.cycles) {
			return NONE;
		}
		long figure = finish();
		this.cycles = cycles;
		this.following = true;
		this.least = Long.MAX_VALUE;
		this.shrunk = false;
		this.flat = 0;
		return figure;
	}

	/**
	 * A young-collector pause (young or mixed) ended.
	 * @param cycles how many concurrent cycles have ended so far
	 * @param oldBefore the old generation's use before the pause, in bytes
	 * @param oldAfter the old generation's use after it
	 * @return a cycle's figure that this pause made final, in bytes, or {@code -1}
	 */
	long paused(long cycles, long oldBefore, long oldAfter) {
		long figure = cycles(cycles);
		if (!this.following) {
			return figure;
		}
		this.least = Math.min(this.least, oldAfter);
		if (oldAfter < oldBefore) {
			this.shrunk = true;
			this.flat = 0;
			return figure;
		}
		if (this.shrunk || ++this.flat >= FLAT_PAUSES) {
			// never with a figure the cycle's end finished: the cycle just begun has seen one pause, which did not end it
			return finish();
		}
		return figure;
	}

	/**
	 * A full collection ended: the figure of a cycle followed until then is final.
	 * @return that figure, in bytes, or {@code -1}
	 */
	long fullCollection() {
		return finish();
	}

	private long finish() {
		boolean followed = this.following && this.least != Long.MAX_VALUE;
		this.following = false;
		return followed ? this.least : NONE;
	}

}
