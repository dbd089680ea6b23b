package dev.bootsupervisor.master;

import java.io.IOException;

import dev.bootsupervisor.protocol.CdsView;

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

	/**
	 * A rolling reload begins: workers started from now on run the app as it is on disk now.
	 * @throws IOException when the app cannot be prepared
	 */
	default void beginReload() throws IOException {
	}

	/**
	 * A rolling reload ended; after a failure, workers started from now on run the previous app again.
	 * @param success whether the reload succeeded
	 */
	default void endReload(boolean success) {
	}

	/**
	 * Whether a pid is a process this factory started and has not seen exit: one only the JVM's own reaper may
	 * wait for, so that the master reads its exit status.
	 * @param pid the process
	 * @return whether it is one of the factory's running processes
	 */
	default boolean watches(long pid) {
		return false;
	}

	/**
	 * One pass of the master loop, about once a second.
	 * @param settled whether every slot's worker is ready and none is starting, replacing or stopping
	 */
	default void tick(boolean settled) {
	}

	/**
	 * The class-data archive workers start with.
	 * @return its view
	 */
	/**
	 * The class path that workers started from now on run, for a reload's history.
	 * @return a short digest of it, {@code null} when unknown
	 */
	default String version() {
		return null;
	}

	default CdsView cds() {
		return CdsView.NONE;
	}

	/** The master stops: remove what the factory created. */
	default void close() {
	}

}
