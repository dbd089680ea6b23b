package dev.bootsupervisor.boot;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.bootsupervisor.autoconfigure.SupervisorProperties;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.SystemExit;
import dev.bootsupervisor.control.ControlCommands;
import dev.bootsupervisor.control.OutputFormat;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.AbstractEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * Runs a control command from the run listener's constructor, before Boot builds its environment, when
 * {@link FastCommandResolver} can resolve everything the command needs with certainty; otherwise it does nothing
 * and the command runs as before, once the environment is prepared.
 */
final class FastCommand {

	/** System property: {@code off} disables the fast path, {@code trace} says on standard error which path ran. */
	static final String MODE = "boot-supervisor.fast-path";

	/** The commands that need no more than the resolver resolves. */
	static final Set<String> COMMANDS = Set.of("status", "list", "stop", "reload", "scale");

	/** Where extensions may come from without changing the environment a command would see. */
	private static final List<String> TRUSTED_PACKAGES = List.of("org.springframework.boot.", "dev.bootsupervisor.");

	/** Extension points that can change the environment before a command runs. */
	private static final List<String> EXTENSIONS = List.of("org.springframework.boot.EnvironmentPostProcessor",
			"org.springframework.boot.env.EnvironmentPostProcessor", "org.springframework.boot.env.PropertySourceLoader",
			"org.springframework.boot.context.config.ConfigDataLocationResolver",
			"org.springframework.boot.context.config.ConfigDataLoader");

	private FastCommand() {
	}

	/**
	 * Run the command and exit, when the command line, a system property or an environment variable names one and
	 * everything it needs resolves with certainty; else return.
	 * @param application the application
	 * @param args its command line
	 */
	static void runIfCertain(SpringApplication application, String[] args) {
		String mode = System.getProperty(MODE, "");
		if (mode.equals("off") || !commandGiven(args) || System.getProperty(LaunchMode.WORKER_ID) != null) {
			return;
		}
		warmUpUnixSockets();
		String fallback = fallback(application, args);
		Map<String, String> values = null;
		if (fallback == null) {
			FastCommandResolver.Result result = FastCommandResolver.resolve(inputs(application, args));
			fallback = result.fallback();
			values = result.values();
		}
		String command = (values != null) ? values.getOrDefault("supervisor.command", "").trim() : "";
		if (fallback == null && !COMMANDS.contains(command)) {
			fallback = "the command '" + command + "' takes the full path";
		}
		if (fallback != null) {
			if (mode.equals("trace")) {
				System.err.println("Boot Supervisor: full path: " + fallback);
			}
			return;
		}
		if (mode.equals("trace")) {
			System.err.println("Boot Supervisor: fast path");
		}
		SystemExit.exit(run(application, command, values, ControlCommands.workersGiven(args)));
	}

	private static int run(SpringApplication application, String command, Map<String, String> values,
			boolean workersGiven) {
		try {
			SupervisorProperties properties = new SupervisorProperties();
			properties.setCommand(values.get("supervisor.command"));
			properties.setName(values.get("supervisor.name"));
			properties.setRunDir(values.get("supervisor.run-dir"));
			if (values.containsKey("supervisor.workers")) {
				properties.setWorkers(values.get("supervisor.workers"));
			}
			if (values.containsKey("supervisor.format")) {
				properties.setFormat(values.get("supervisor.format"));
			}
			// the same checks as the full path, on an environment of exactly the resolved values
			Map<String, Object> source = new HashMap<>(values);
			AbstractEnvironment environment = new AbstractEnvironment() {
			};
			environment.getPropertySources().addFirst(new MapPropertySource("supervisorFastPath", source));
			SupervisorSettings settings = MasterSettingsResolver.resolve(environment, properties,
					application.getMainApplicationClass());
			OutputFormat format = OutputFormat.of(properties.getFormat());
			return new ControlCommands(settings, format, System.out, System.err).withWorkersGiven(workersGiven)
				.run(command);
		}
		catch (LaunchException ex) {
			System.err.println("Boot Supervisor: " + ex.getMessage());
			return ex.exitCode();
		}
	}

	/**
	 * The JDK seeds a {@code SecureRandom} the first time it opens a Unix socket, about a quarter of a command's
	 * own time: a second thread does it while this one resolves the settings.
	 */
	private static void warmUpUnixSockets() {
		Thread thread = new Thread(() -> {
			try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				// opened and closed: only the JDK's one-time set-up was wanted
			}
			catch (IOException | RuntimeException ex) {
				// the command opens its own socket and reports what fails there
			}
		}, "supervisor-warm-up");
		thread.setDaemon(true);
		thread.start();
	}

	/** Whether a command is named where the fast path looks, so any other run pays nothing. */
	static boolean commandGiven(String[] args) {
		for (String arg : args) {
			if (arg.startsWith("--supervisor.command=")) {
				return true;
			}
		}
		return System.getProperty("supervisor.command") != null || System.getenv("SUPERVISOR_COMMAND") != null;
	}

	/** Why this application's run is outside what the resolver knows, {@code null} when it is not. */
	private static String fallback(SpringApplication application, String[] args) {
		// the OS name alone: Host.current would also load the management beans for the JVM's options
		LaunchMode.Host host = new LaunchMode.Host(System.getProperty("os.name", ""), List.of(), null);
		if (!host.isLinux()) {
			return "not Linux";
		}
		if (application.getMainApplicationClass() == null || !LaunchMode.launchedFromMain()) {
			return "not launched from a main method";
		}
		if (!application.getAdditionalProfiles().isEmpty()) {
			return "the application adds profiles " + application.getAdditionalProfiles();
		}
		if (application.getEnvironmentPrefix() != null) {
			return "the application has an environment prefix";
		}
		List<String> extensions = new ArrayList<>();
		application.getListeners().forEach((listener) -> extensions.add(listener.getClass().getName()));
		ClassLoader loader = application.getClassLoader();
		for (String type : EXTENSIONS) {
			try {
				extensions.addAll(SpringFactoriesLoader.loadFactoryNames(Class.forName(type, false, loader), loader));
			}
			catch (ClassNotFoundException ex) {
				// an extension point this Boot does not have
			}
		}
		return foreignExtension(extensions);
	}

	/**
	 * Why a set of listeners and environment extensions is outside what the resolver knows.
	 * @param classNames their class names
	 * @return the reason, {@code null} when all are Boot's or the supervisor's own
	 */
	static String foreignExtension(Collection<String> classNames) {
		for (String name : classNames) {
			if (TRUSTED_PACKAGES.stream().noneMatch(name::startsWith)) {
				return "the extension " + name + " may change the environment";
			}
		}
		return null;
	}

	private static FastCommandResolver.Inputs inputs(SpringApplication application, String[] args) {
		Map<String, String> systemProperties = new HashMap<>();
		System.getProperties().forEach((key, value) -> {
			if (key instanceof String name && value instanceof String text) {
				systemProperties.put(name, text);
			}
		});
		ClassLoader loader = application.getClassLoader();
		return new FastCommandResolver.Inputs(Arrays.asList(args), systemProperties, System.getenv(),
				(name) -> read(loader, name), Path.of("").toAbsolutePath());
	}

	private static String read(ClassLoader loader, String name) throws IOException {
		try (InputStream in = loader.getResourceAsStream(name)) {
			return (in != null) ? new String(in.readAllBytes(), StandardCharsets.ISO_8859_1) : null;
		}
	}

}
