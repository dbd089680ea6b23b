package dev.bootsupervisor.master;

import java.time.Instant;

/**
 * What the watchdog knows about one ready worker: when it was last heard from, since when its completed-requests
 * count stands still, when its old generation was last collected, and its own max-requests limit (the setting plus
 * its jitter).
 */
final class WorkerWatch {

	private final long limit;

	private Instant seen;

	private Instant heartbeatAt;

	private long completed = -1;

	private Instant completedSince;

	private boolean warned;

	private long collections = -1;

	private long collectionsAtCompleted;

	/** When a heartbeat last showed a new collection of the old generation, {@code null} before any. */
	private Instant collectedAt;

	private boolean collecting;

	WorkerWatch(WorkerHandle worker, long limit, Instant now) {
		this.limit = limit;
		this.seen = (worker.readyAt() != null) ? worker.readyAt() : now;
		this.completedSince = this.seen;
	}

	/**
	 * Take in the worker's latest heartbeat, once.
	 * @param heartbeat the heartbeat, {@code null} when none came yet
	 */
	void observe(WorkerHeartbeat heartbeat) {
		if (heartbeat == null || heartbeat.at().equals(this.heartbeatAt)) {
			return;
		}
		this.heartbeatAt = heartbeat.at();
		if (heartbeat.at().isAfter(this.seen)) {
			this.seen = heartbeat.at();
		}
		if (this.collections >= 0 && heartbeat.oldCollections() != this.collections) {
			this.collectedAt = heartbeat.at();
		}
		this.collections = heartbeat.oldCollections();
		if (heartbeat.completed() != this.completed || heartbeat.inFlight() == 0) {
			this.completed = heartbeat.completed();
			this.completedSince = heartbeat.at();
			this.collectionsAtCompleted = this.collections;
		}
	}

	/**
	 * Count the silence and the stand-still from now: the master itself was paused.
	 * @param now the current time
	 */
	void restart(Instant now) {
		this.seen = now;
		this.completedSince = now;
	}

	long limit() {
		return this.limit;
	}

	Instant seen() {
		return this.seen;
	}

	Instant completedSince() {
		return this.completedSince;
	}

	/**
	 * Whether the "busy, not hung" warning was logged for the current silence; a heartbeat clears it.
	 * @return whether it was
	 */
	boolean warned() {
		return this.warned;
	}

	void warned(boolean warned) {
		this.warned = warned;
	}

	/**
	 * When a heartbeat last showed the old generation collected again.
	 * @return the time, {@code null} when none did since the watch began
	 */
	Instant collectedAt() {
		return this.collectedAt;
	}

	/**
	 * How often the old generation was collected since the completed-requests count last moved.
	 * @return the collections
	 */
	long collectionsSinceCompleted() {
		return this.collections - this.collectionsAtCompleted;
	}

	/**
	 * Whether the "collecting, not hung" warning was logged for the current stand-still.
	 * @return whether it was
	 */
	boolean collecting() {
		return this.collecting;
	}

	void collecting(boolean collecting) {
		this.collecting = collecting;
	}

}
