package dev.bootsupervisor.base;

/**
 * The names of the environment variables by which the supervisor's processes hand each other what they need: the
 * one place both the master side and the worker side read them from.
 */
public final class SupervisorEnvironment {

	/** Gives a worker the path of the master's socket. */
	public static final String CHANNEL = "SUPERVISOR_CHANNEL";

	/** Gives a worker the cluster's secret token. */
	public static final String TOKEN = "SUPERVISOR_TOKEN";

	/** Prefix of the variables that carry the master's spec from the application's JVM to the lean master. */
	public static final String MASTER_SPEC = "SUPERVISOR_MASTER_SPEC";

	private SupervisorEnvironment() {
	}

}
