package dev.bootsupervisor.boot;

import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

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

	/**
	 * An ordinary, unsupervised run: disabled, a test, a devtools restart, not launched from a main method, a
	 * developer run, the master's class-data training run, or an operating system other than Linux.
	 */
	OFF;

	static final String WORKER_ID = "supervisor.worker.id";

	static final String ENABLED = "supervisor.enabled";

	/** System property of the master's class-data training run: the app runs plainly until its context refreshes. */
	static final String ROLE = "supervisor.role";

	/**
	 * Directories that build tools and IDEs compile the main classes into: a main class loaded from one of
	 * them is a developer run (IDE, {@code mvn spring-boot:run}, {@code gradle bootRun}). Maven
	 * {@code target/classes}, Gradle {@code build/classes/<language>/main}, IntelliJ IDEA
	 * {@code out/production/<module>}, Eclipse Buildship {@code bin/main}.
	 */
	private static final Pattern BUILD_OUTPUT = Pattern.compile(
			".*/(target/(test-)?classes|build/classes/[^/]+/(main|test)|out/(production|test)/[^/]+|bin/(main|test))/?");

	/**
	 * Decide the mode of this JVM.
	 * @param environment the prepared environment
	 * @param application the application being run
	 * @return the mode
	 */
	public static LaunchMode decide(Environment environment, SpringApplication application) {
		return resolve(environment, application, Host.current(application)).mode();
	}

	/**
	 * Decide the mode of this JVM, and what to tell the user about it.
	 * @param environment the prepared environment
	 * @param application the application being run
	 * @param host the operating system and JVM this runs on
	 * @return the decision
	 */
	/**
	 * Whether this JVM is the master's class-data training run.
	 * @return whether it is
	 */
	static boolean isTrainingRun() {
		return "training".equals(System.getProperty(ROLE));
	}

	static Decision resolve(Environment environment, SpringApplication application, Host host) {
		if (environment.containsProperty(WORKER_ID)) {
			return new Decision(WORKER, null, null);
		}
		if (isTrainingRun()) {
			return new Decision(OFF, null, null);
		}
		if (application.getMainApplicationClass() == null || !launchedFromMain()) {
			return new Decision(OFF, null, null);
		}
		// an empty command too: the command step reports it, instead of starting a cluster by surprise
		boolean command = environment.containsProperty("supervisor.command");
		String enabled = environment.getProperty(ENABLED);
		// any other value than true or false is refused with one line by the master's settings check
		boolean disabled = enabled != null && enabled.trim().equalsIgnoreCase("false");
		if (!host.isLinux()) {
			if (command) {
				return new Decision(COMMAND, Notice.ERROR, "supervisor.command needs Linux, where the supervisor "
						+ "runs; on " + host.osName() + " the app runs as a single plain process with no master");
			}
			if (!disabled) {
				return new Decision(OFF, Notice.WARN, "Boot Supervisor runs workers on Linux only; on "
						+ host.osName() + " this app runs as a single plain process (no master, no workers)");
			}
			return new Decision(OFF, null, null);
		}
		if (command) {
			return new Decision(COMMAND, null, null);
		}
		if (disabled) {
			return new Decision(OFF, null, null);
		}
		if (enabled == null) {
			String developerRun = developerRun(host);
			if (developerRun != null) {
				return new Decision(OFF, Notice.INFO, "Developer run (" + developerRun + "): running as a single "
						+ "plain process without a master and workers. Set supervisor.enabled=true to supervise it");
			}
		}
		return new Decision(MASTER, null, null);
	}

	/**
	 * Why this run is a developer run, or {@code null} when it is not.
	 */
	private static String developerRun(Host host) {
		for (String option : host.jvmOptions()) {
			if (isDebuggerAgent(option)) {
				return "a debugger agent is present: " + option;
			}
		}
		String location = host.mainClassLocation();
		if (location != null && BUILD_OUTPUT.matcher(location.replace('\\', '/')).matches()
				&& Files.isDirectory(Path.of(location))) {
			return "the main class is loaded from the build output " + location;
		}
		return null;
	}

	static boolean isDebuggerAgent(String option) {
		return option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp")
				|| (option.startsWith("-agentpath:") && option.contains("jdwp"));
	}

	/**
	 * Whether this is a plain {@code main} launch: on the main thread, with no test framework or devtools restart
	 * on the stack.
	 */
	static boolean launchedFromMain() {
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

	/** How a decision is told to the user. */
	enum Notice {

		/** One INFO log line. */
		INFO,

		/** One WARN log line. */
		WARN,

		/** One {@code Boot Supervisor: } line on standard error, then exit code 1. */
		ERROR

	}

	/**
	 * A decision.
	 *
	 * @param mode the mode
	 * @param notice how to tell the user, {@code null} for nothing to tell
	 * @param message what to tell
	 */
	record Decision(LaunchMode mode, Notice notice, String message) {

	}

	/**
	 * The operating system and the JVM: injected by tests.
	 *
	 * @param osName the {@code os.name} system property
	 * @param jvmOptions the JVM's input arguments
	 * @param mainClassLocation the file system path the main class was loaded from, {@code null} when it is not
	 * a file (a class nested in a Boot jar, for example)
	 */
	record Host(String osName, List<String> jvmOptions, String mainClassLocation) {

		static Host current(SpringApplication application) {
			return new Host(System.getProperty("os.name", ""), ManagementFactory.getRuntimeMXBean().getInputArguments(),
					location(application.getMainApplicationClass()));
		}

		boolean isLinux() {
			return this.osName.toLowerCase(Locale.ROOT).startsWith("linux");
		}

		private static String location(Class<?> type) {
			if (type == null) {
				return null;
			}
			try {
				CodeSource source = type.getProtectionDomain().getCodeSource();
				URL url = (source != null) ? source.getLocation() : null;
				if (url == null || !"file".equals(url.getProtocol())) {
					return null;
				}
				return Path.of(url.toURI()).toString();
			}
			catch (Exception ex) {
				return null;
			}
		}

	}

}
