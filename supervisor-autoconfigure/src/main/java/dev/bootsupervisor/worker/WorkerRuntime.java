package dev.bootsupervisor.worker;

import java.util.Optional;

/**
 * The worker side of the master-worker channel: who this worker is, and what it tells the master.
 */
public final class WorkerRuntime {

	private static volatile WorkerRuntime current;

	private final int workerId;

	private final int generation;

	WorkerRuntime(int workerId, int generation) {
		this.workerId = workerId;
		this.generation = generation;
	}

	/**
	 * Return the runtime of this worker, empty when this JVM is not a supervised worker.
	 * @return the worker runtime, if any
	 */
	public static Optional<WorkerRuntime> current() {
		return Optional.ofNullable(current);
	}

	public int workerId() {
		return this.workerId;
	}

	public int generation() {
		return this.generation;
	}

	/** Tell the master that this worker accepts traffic. */
	public void reportReady() {
	}

	/** Tell the master that this worker stopped accepting new connections. */
	public void reportDraining() {
	}

}
