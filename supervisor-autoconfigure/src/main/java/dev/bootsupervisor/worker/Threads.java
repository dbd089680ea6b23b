package dev.bootsupervisor.worker;

import java.util.concurrent.ThreadFactory;

/**
 * Thread factories for the worker's own threads.
 */
final class Threads {

	private Threads() {
	}

	/**
	 * Daemon threads of one name, which never keep the JVM alive.
	 * @param name the threads' name
	 * @return the factory
	 */
	static ThreadFactory daemon(String name) {
		return (task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		};
	}

}
