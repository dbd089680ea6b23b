package dev.bootsupervisor.master;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.Posix;
import dev.bootsupervisor.base.SystemExit;
import dev.bootsupervisor.base.WorkerCommand;
import dev.bootsupervisor.protocol.ProtocolException;

/**
 * The master in a JVM of its own. The application's JVM resolves the configuration with Spring, then replaces
 * itself (same pid, {@code execve}) with a small JVM that runs only this class: the master then stays well under
 * 64 MB instead of keeping everything Spring loaded to read the configuration.
 */
public final class LeanMaster {

	/** JVM options of the lean master: small heap, serial GC, no optimizing compiler. */
	static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xss512k",
			"-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=16m",
			"-XX:MaxMetaspaceSize=64m");

	private static final String BOOT_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

	private static final System.Logger log = System.getLogger(LeanMaster.class.getName());

	private LeanMaster() {
	}

	public static void main(String[] args) {
		if (System.getenv(MasterSpec.ENV) == null) {
			System.err.println("Boot Supervisor: " + LeanMaster.class.getName() + " is started by the app itself; "
					+ "run the app with java -jar instead");
			SystemExit.exit(2);
			return;
		}
		MasterSpec spec;
		try {
			spec = MasterSpec.fromEnvironment(System.getenv());
		}
		catch (ProtocolException ex) {
			System.err.println("Boot Supervisor: " + ex.getMessage());
			SystemExit.exit(ExitCodes.FAILURE);
			return;
		}
		MasterLogging.install(spec.settings().name());
		try {
			SystemExit.exit(new MasterLauncher(spec.settings(), spec.command(), spec.launchedAt()).run());
		}
		catch (LaunchException ex) {
			System.err.println("Boot Supervisor: " + ex.getMessage());
			SystemExit.exit(ex.exitCode());
		}
	}

	/**
	 * Replace the current process with a lean master JVM. Returns only when that is not possible, and the caller
	 * then runs the master in the current JVM.
	 * @param spec what the master runs
	 * @param userOptions the JVM options of the application's JVM, of which system properties are kept
	 */
	public static void exec(MasterSpec spec, List<String> userOptions) {
		List<String> argv = new ArrayList<>();
		argv.add(spec.command().javaExecutable());
		// the JVM that replaces this one would warn of JNA's native code again
		argv.addAll(WorkerCommand.withNativeAccess(JVM_OPTIONS, Runtime.version().feature()));
		userOptions.stream().filter((option) -> option.startsWith("-D")).forEach(argv::add);
		argv.add("-Dsupervisor.name=" + spec.settings().name());
		argv.add("-Dsupervisor.role=master");
		if (!addLaunchTarget(argv)) {
			return;
		}
		Map<String, String> environment = new LinkedHashMap<>(System.getenv());
		environment.keySet().removeIf(MasterSpec::isSpecVariable);
		environment.putAll(spec.toEnvironment());
		String[] envp = environment.entrySet().stream().map((e) -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
		System.out.flush();
		System.err.flush();
		try {
			Posix.libc().execve(argv.get(0), argv.toArray(String[]::new), envp);
		}
		catch (LaunchException | RuntimeException ex) {
			log.log(System.Logger.Level.DEBUG, "The master runs in the application's JVM: exec failed ({0})",
					ex.getMessage());
		}
	}

	private static boolean addLaunchTarget(List<String> argv) {
		URL location = LeanMaster.class.getProtectionDomain().getCodeSource().getLocation();
		List<String> target = launchTarget(location.toString(), System.getProperty("java.class.path", ""));
		if (target.isEmpty()) {
			return false;
		}
		argv.addAll(target);
		return true;
	}

	/**
	 * What follows the JVM options of the lean master: its class path and main class, read from where this class
	 * was loaded. The location is a URL, whose path is percent-encoded ({@code my%20app.jar}): the class path
	 * takes the file's own name.
	 * @param location where this class was loaded from, {@code jar:nested:...} in a Boot jar or {@code file:...}
	 * @param classPath the application JVM's class path
	 * @return {@code -cp <class path> <main class>}, or an empty list when the location is not a local file
	 */
	static List<String> launchTarget(String location, String classPath) {
		try {
			if (location.startsWith("jar:nested:")) {
				String outer = location.substring("jar:nested:".length());
				int end = outer.indexOf("/!");
				if (end < 0) {
					return List.of();
				}
				return List.of("-Dloader.main=" + LeanMaster.class.getName(), "-cp",
						Path.of(URI.create("file:" + outer.substring(0, end))).toString(), BOOT_LAUNCHER);
			}
			if (location.startsWith("file:")) {
				return List.of("-cp", classPath + File.pathSeparator + Path.of(URI.create(location)),
						LeanMaster.class.getName());
			}
		}
		catch (IllegalArgumentException | FileSystemNotFoundException ex) {
			log.log(System.Logger.Level.DEBUG, "The master runs in the application's JVM: cannot read {0} ({1})",
					location, ex.getMessage());
		}
		return List.of();
	}

}
