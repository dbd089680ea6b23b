package dev.bootsupervisor.launcher;

import java.io.IOException;

/**
 * Starts worker processes.
 */
@FunctionalInterface
public interface WorkerFactory {

	/**
	 * Start the worker of a slot.
	 * @param workerId the slot, 1..N
	 * @param generation the generation of that slot, 1 for the first worker
	 * @return the started process
	 * @throws IOException when the process cannot be started
	 */
	WorkerProcess start(int workerId, int generation) throws IOException;

}
