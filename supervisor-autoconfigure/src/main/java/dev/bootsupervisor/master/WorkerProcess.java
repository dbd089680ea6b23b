package dev.bootsupervisor.master;

import java.util.concurrent.CompletableFuture;

/**
 * A running worker process, as the master sees it. The seam that lets tests replace real processes.
 */
public interface WorkerProcess {

	long pid();

	/**
	 * Completes with the exit code once the process has exited.
	 * @return the exit future
	 */
	CompletableFuture<Integer> onExit();

	/** Ask the process to stop gracefully (SIGTERM). */
	void terminate();

	/** Kill the process at once (SIGKILL). */
	void kill();

	/** Ask the JVM to print a thread dump on its standard output (SIGQUIT). */
	void dumpThreads();

	/** Continue the process if a signal or a debugger stopped it (SIGCONT). */
	void resume();

}
