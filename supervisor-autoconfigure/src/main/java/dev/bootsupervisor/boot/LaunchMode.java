package dev.bootsupervisor.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.Environment;

/**
 * What this JVM is, decided before any application context exists.
 */
public enum LaunchMode {

	/** The supervising process: starts workers, creates no application context. */
	MASTER,

	/** A worker started by a master. */
	WORKER,

	/** A control command ({@code supervisor.command}) against a running master. */
	COMMAND,

	/** An ordinary, unsupervised run: disabled, a test, a devtools restart, or not launched from a main method. */
	OFF;

	static final String WORKER_ID = "supervisor.worker.id";

	/**
	 * Decide the mode of this JVM.
	 * @param environment the prepared environment
	 * @param application the application being run
	 * @return the mode
	 */
	public static LaunchMode decide(Environment environment, SpringApplication application) {
		if (environment.containsProperty(WORKER_ID)) {
			return WORKER;
		}
		if (application.getMainApplicationClass() == null || !launchedFromMain()) {
			return OFF;
		}
		if (environment.containsProperty("supervisor.command")) {
			// an empty value too: the command step reports it, instead of starting a cluster by surprise
			return COMMAND;
		}
		String enabled = environment.getProperty("supervisor.enabled", "true").trim();
		if (enabled.equalsIgnoreCase("false")) {
			return OFF;
		}
		// any other value than true is refused with one line by the master's settings check
		return MASTER;
	}

	/**
	 * Whether this is a plain {@code main} launch: on the main thread, with no test framework or devtools restart
	 * on the stack.
	 */
	private static boolean launchedFromMain() {
		Thread thread = Thread.currentThread();
		if (!"main".equals(thread.getName())) {
			return false;
		}
		for (StackTraceElement frame : thread.getStackTrace()) {
			String type = frame.getClassName();
			if (type.startsWith("org.junit.") || type.startsWith("org.springframework.test.")
					|| type.startsWith("org.springframework.boot.test.")
					|| type.startsWith("org.springframework.boot.devtools.")) {
				return false;
			}
		}
		return true;
	}

}
