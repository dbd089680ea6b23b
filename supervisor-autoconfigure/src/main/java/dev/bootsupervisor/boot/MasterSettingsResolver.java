package dev.bootsupervisor.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import dev.bootsupervisor.autoconfigure.SupervisorProperties;
import dev.bootsupervisor.base.CanarySettings;
import dev.bootsupervisor.base.CdsSettings;
import dev.bootsupervisor.base.ContainerLimits;
import dev.bootsupervisor.base.ContainerSizing;
import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.RunDirectory;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WatchdogSettings;
import dev.bootsupervisor.control.DaemonStarter;
import dev.bootsupervisor.protocol.ClusterView;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Turns {@code supervisor.*} and {@code server.*} properties into validated master settings, with an error a
 * user can act on for every bad value.
 */
final class MasterSettingsResolver {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

	/** A tag name that every registry accepts as it is, Prometheus' label names included. */
	private static final Pattern METER_TAG = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

	private static final String[] BOOLEANS = { "supervisor.enabled", "supervisor.daemon" };

	private MasterSettingsResolver() {
	}

	static SupervisorProperties bind(Environment environment) throws LaunchException {
		for (String flag : BOOLEANS) {
			String value = environment.getProperty(flag);
			if (value != null && !value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
				throw new LaunchException("Invalid value '" + value + "' for " + flag + ": expected true or false",
						ExitCodes.CONFIG);
			}
		}
		SupervisorPropertyNames.checkGroups(environment);
		try {
			return Binder.get(environment)
				.bind("supervisor", Bindable.ofInstance(new SupervisorProperties()))
				.orElseGet(SupervisorProperties::new);
		}
		catch (BindException ex) {
			ConfigurationProperty property = ex.getProperty();
			Throwable cause = ex.getCause();
			while (cause != null && cause.getCause() != null) {
				cause = cause.getCause();
			}
			String name = (property != null) ? property.getName().toString() : ex.getName().toString();
			String value = (property != null) ? String.valueOf(property.getValue()) : "?";
			throw new LaunchException("Invalid value '" + value + "' for " + name + ": "
					+ ((cause != null) ? cause.getMessage() : ex.getMessage()), ExitCodes.CONFIG);
		}
	}

	static SupervisorSettings resolve(Environment environment, SupervisorProperties properties, Class<?> mainClass)
			throws LaunchException {
		String name = name(environment, properties, mainClass);
		int workers = workers(properties.getWorkers());
		positive(environment, "supervisor.startup-timeout", properties.getStartupTimeout());
		positive(environment, "supervisor.shutdown-timeout", properties.getShutdownTimeout());
		positive(environment, "supervisor.drain-timeout", properties.getDrainTimeout());
		Duration grace = notNegative(environment, "supervisor.drain-grace", properties.getDrainGrace());
		if (grace.compareTo(properties.getDrainTimeout()) >= 0) {
			throw new LaunchException("Invalid value '" + typed(environment, "supervisor.drain-grace", grace)
					+ "' for supervisor.drain-grace: expected less than supervisor.drain-timeout ("
					+ Durations.format(properties.getDrainTimeout()) + "), such as 500ms", ExitCodes.CONFIG);
		}
		SupervisorProperties.Restart restart = properties.getRestart();
		positive(environment, "supervisor.restart.backoff-initial", restart.getBackoffInitial());
		positive(environment, "supervisor.restart.backoff-max", restart.getBackoffMax());
		positive(environment, "supervisor.restart.backoff-reset", restart.getBackoffReset());
		positive(environment, "supervisor.restart.window", restart.getWindow());
		if (restart.getMaxRestarts() < 0) {
			throw new LaunchException("Invalid value '" + restart.getMaxRestarts()
					+ "' for supervisor.restart.max-restarts: expected 0 or more", ExitCodes.CONFIG);
		}
		if (properties.getLogRetention() < 0) {
			throw new LaunchException("Invalid value '" + properties.getLogRetention()
					+ "' for supervisor.log-retention: expected 0 or more", ExitCodes.CONFIG);
		}
		Duration reloadTimeout = (properties.getReload().getTimeout() != null) ? properties.getReload().getTimeout()
				: properties.getStartupTimeout();
		positive(environment, "supervisor.reload.timeout", reloadTimeout);
		metrics(environment, properties.getMetrics());
		int port = webServerListens(environment) ? integer(environment, "server.port", 8080, -1, 65535) : -1;
		int backlog = integer(environment, "server.tomcat.accept-count", 100, 1, 65535);
		String managementPort = environment.getProperty("management.server.port");
		if (port >= 0 && StringUtils.hasText(managementPort) && !managementPort.trim().equals(String.valueOf(port))
				&& !managementPort.trim().equals("-1")) {
			throw new LaunchException("management.server.port=" + managementPort.trim() + " is not supported under "
					+ "Boot Supervisor: every worker would try to bind that port. Serve actuator on the app's port "
					+ "(remove management.server.port), or run with --supervisor.enabled=false", ExitCodes.CONFIG);
		}
		Path runDir = StringUtils.hasText(properties.getRunDir()) ? Path.of(properties.getRunDir())
				: RunDirectory.defaultPath(name);
		return new SupervisorSettings(name, workers, environment.getProperty("server.address"), port, backlog,
				restart.getBackoffInitial(), restart.getBackoffMax(), restart.getBackoffReset(),
				restart.getMaxRestarts(), restart.getWindow(), properties.getStartupTimeout(),
				properties.getShutdownTimeout(), reloadTimeout, runDir, watchdog(environment, properties),
				positive(environment, "supervisor.leader.revoke-timeout", properties.getLeader().getRevokeTimeout()),
				notNegative(environment, "supervisor.shutdown-delay", properties.getShutdownDelay()))
			.withCds(cds(properties, runDir))
			.withCanary(canary(environment, properties.getReload()));
	}

	static CanarySettings canary(Environment environment, SupervisorProperties.Reload reload)
			throws LaunchException {
		Duration period = notNegative(environment, "supervisor.reload.canary-period", reload.getCanaryPeriod());
		if (reload.getCanaryMinRequests() < 1) {
			throw new LaunchException("Invalid value '" + typed(environment, "supervisor.reload.canary-min-requests",
					reload.getCanaryMinRequests()) + "' for supervisor.reload.canary-min-requests: expected 1 or more",
					ExitCodes.CONFIG);
		}
		double errors = reload.getCanaryMaxErrorIncrease();
		if (!(errors >= 0 && errors <= 100)) {
			throw new LaunchException("Invalid value '"
					+ typed(environment, "supervisor.reload.canary-max-error-increase", errors)
					+ "' for supervisor.reload.canary-max-error-increase: "
					+ "expected percentage points from 0 to 100, such as 1 or 0.5", ExitCodes.CONFIG);
		}
		double ratio = reload.getCanaryMaxLatencyRatio();
		if (!(ratio >= 1 && ratio <= 1000)) {
			throw new LaunchException("Invalid value '"
					+ typed(environment, "supervisor.reload.canary-max-latency-ratio", ratio)
					+ "' for supervisor.reload.canary-max-latency-ratio: "
					+ "expected a multiple of the old workers' p99 from 1 to 1000, such as 2 or 1.5", ExitCodes.CONFIG);
		}
		Duration margin = notNegative(environment, "supervisor.reload.canary-latency-margin",
				reload.getCanaryLatencyMargin());
		return new CanarySettings(period, reload.getCanaryMinRequests(), errors, ratio, margin);
	}

	static void metrics(Environment environment, SupervisorProperties.Metrics metrics) throws LaunchException {
		positive(environment, "supervisor.metrics.scrape-timeout", metrics.getScrapeTimeout());
		String tag = metrics.getWorkerTag();
		if (tag != null && !tag.isEmpty() && !METER_TAG.matcher(tag).matches()) {
			throw new LaunchException("Invalid value '" + tag + "' for supervisor.metrics.worker-tag: expected a tag "
					+ "name of letters, digits and underscores that starts with a letter (such as worker), or empty "
					+ "to turn the tag off", ExitCodes.CONFIG);
		}
	}

	static CdsSettings cds(SupervisorProperties properties, Path runDir) {
		SupervisorProperties.Cds cds = properties.getCds();
		if (!cds.isEnabled()) {
			return CdsSettings.OFF;
		}
		Path directory = StringUtils.hasText(cds.getDir()) ? Path.of(cds.getDir().trim()) : runDir.resolve("cds");
		return new CdsSettings(true, directory.toAbsolutePath().normalize());
	}

	static WatchdogSettings watchdog(Environment environment, SupervisorProperties properties) throws LaunchException {
		Duration timeout = properties.getWatchdog().getTimeout();
		if (timeout == null || timeout.isNegative()) {
			throw new LaunchException("Invalid value '" + typed(environment, "supervisor.watchdog.timeout", timeout)
					+ "' for supervisor.watchdog.timeout: expected "
					+ "a duration such as 30s, or 0 to turn hang detection off", ExitCodes.CONFIG);
		}
		SupervisorProperties.Recycle recycle = properties.getRecycle();
		Integer heap = recycle.getHeapAfterGc();
		if (heap != null && (heap < 1 || heap > 100)) {
			throw new LaunchException("Invalid value '" + heap + "' for supervisor.recycle.heap-after-gc: expected "
					+ "a percentage from 1 to 100", ExitCodes.CONFIG);
		}
		if (recycle.getMaxRequests() < 0) {
			throw new LaunchException("Invalid value '" + recycle.getMaxRequests() + "' for "
					+ "supervisor.recycle.max-requests: expected 0 (no limit) or more", ExitCodes.CONFIG);
		}
		if (recycle.getMaxRequestsJitter() < 0) {
			throw new LaunchException("Invalid value '" + recycle.getMaxRequestsJitter() + "' for "
					+ "supervisor.recycle.max-requests-jitter: expected 0 or more", ExitCodes.CONFIG);
		}
		Duration lifetime = (recycle.getMaxLifetime() != null) ? recycle.getMaxLifetime() : Duration.ZERO;
		if (lifetime.isNegative()) {
			throw new LaunchException("Invalid value '" + typed(environment, "supervisor.recycle.max-lifetime", lifetime)
					+ "' for supervisor.recycle.max-lifetime: "
					+ "expected a positive duration such as 12h, or 0 for no limit", ExitCodes.CONFIG);
		}
		return new WatchdogSettings(timeout, (heap != null) ? heap : 0, recycle.getMaxRequests(),
				recycle.getMaxRequestsJitter(), lifetime);
	}

	static DaemonStarter.DaemonSettings daemon(SupervisorProperties properties, String name)
			throws LaunchException {
		if (properties.getLogRetention() < 0) {
			throw new LaunchException("Invalid value '" + properties.getLogRetention()
					+ "' for supervisor.log-retention: expected 0 or more", ExitCodes.CONFIG);
		}
		Path logDir = StringUtils.hasText(properties.getLogDir()) ? Path.of(properties.getLogDir())
				: Path.of(System.getProperty("user.home"), "logs", name);
		Path stdout = StringUtils.hasText(properties.getStdout()) ? Path.of(properties.getStdout())
				: logDir.resolve("master-stdout.log");
		Path stderr = StringUtils.hasText(properties.getStderr()) ? Path.of(properties.getStderr())
				: logDir.resolve("master-stderr.log");
		return new DaemonStarter.DaemonSettings(stdout.toAbsolutePath(), stderr.toAbsolutePath(),
				properties.getLogRetention());
	}

	static int lines(SupervisorProperties properties) throws LaunchException {
		if (properties.getLines() < 0) {
			throw new LaunchException("Invalid value '" + properties.getLines() + "' for supervisor.lines: expected "
					+ "0 or more");
		}
		return properties.getLines();
	}

	static String name(Environment environment, SupervisorProperties properties, Class<?> mainClass)
			throws LaunchException {
		String name = properties.getName();
		if (!StringUtils.hasText(name)) {
			name = environment.getProperty("spring.application.name");
		}
		if (!StringUtils.hasText(name)) {
			String classPath = System.getProperty("java.class.path", "");
			String file = Path.of(classPath.split(java.io.File.pathSeparator)[0]).getFileName().toString();
			name = file.endsWith(".jar") ? file.substring(0, file.length() - 4)
					: (mainClass != null) ? mainClass.getSimpleName() : "app";
			name = name.replaceAll("[^A-Za-z0-9._-]", "-").replaceFirst("^[^A-Za-z0-9]+", "");
			if (name.isEmpty()) {
				name = "app";
			}
		}
		if (!NAME.matcher(name).matches()) {
			throw new LaunchException("Invalid value '" + name + "' for supervisor.name: use letters, digits, "
					+ "'.', '_' and '-' only (it names the run directory)", ExitCodes.CONFIG);
		}
		return name;
	}

	static int workers(String value) throws LaunchException {
		String text = (value != null) ? value.trim() : "";
		if (text.equalsIgnoreCase("auto")) {
			return ContainerSizing.autoWorkers(ContainerLimits.current().cpuQuota(),
					Runtime.getRuntime().availableProcessors(), ClusterView.MAX_WORKERS);
		}
		try {
			int workers = Integer.parseInt(text);
			if (workers >= 1 && workers <= ClusterView.MAX_WORKERS) {
				return workers;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new LaunchException("Invalid value '" + value + "' for supervisor.workers: expected a whole number "
				+ "from 1 to " + ClusterView.MAX_WORKERS + ", or 'auto'", ExitCodes.CONFIG);
	}

	private static Duration positive(Environment environment, String property, Duration value)
			throws LaunchException {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new LaunchException("Invalid value '" + typed(environment, property, value) + "' for " + property
					+ ": expected a positive "
					+ "duration such as 30s or 5m", ExitCodes.CONFIG);
		}
		return value;
	}

	private static Duration notNegative(Environment environment, String property, Duration value)
			throws LaunchException {
		if (value == null || value.isNegative()) {
			throw new LaunchException("Invalid value '" + typed(environment, property, value) + "' for " + property
					+ ": expected a duration such as 5s, or 0 for none");
		}
		return value;
	}

	/**
	 * A value as the user typed it ({@code -5s}, not the bound {@code PT-5S}), looked up under any spelling Spring
	 * binds; the bound value when it was not typed (a default).
	 */
	static String typed(Environment environment, String property, Object bound) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			ConfigurationProperty typed = source.getConfigurationProperty(name);
			if (typed != null && typed.getValue() != null) {
				return String.valueOf(typed.getValue());
			}
		}
		return String.valueOf(bound);
	}

	private static int integer(Environment environment, String property, int fallback, int min, int max)
			throws LaunchException {
		String text = environment.getProperty(property);
		if (!StringUtils.hasText(text)) {
			return fallback;
		}
		try {
			int value = Integer.parseInt(text.trim());
			if (value >= min && value <= max) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new LaunchException("Invalid value '" + text + "' for " + property + ": expected a whole number from "
				+ min + " to " + max, ExitCodes.CONFIG);
	}

	/**
	 * Whether the app runs a servlet web server on Tomcat or Jetty, the ones whose port the master shares.
	 * @throws LaunchException for a web server whose port cannot be shared
	 */
	private static boolean webServerListens(Environment environment) throws LaunchException {
		ClassLoader loader = MasterSettingsResolver.class.getClassLoader();
		return webServerListens(environment, (type) -> ClassUtils.isPresent(type, loader));
	}

	static boolean webServerListens(Environment environment, Predicate<String> present) throws LaunchException {
		String type = environment.getProperty("spring.main.web-application-type", "").trim();
		if (type.equalsIgnoreCase("none")) {
			return false;
		}
		boolean servlet = present.test("jakarta.servlet.Servlet");
		// As Spring Boot decides when the property is not set: WebFlux without Spring MVC (or Jersey) is reactive
		boolean reactive = type.equalsIgnoreCase("reactive") || (type.isEmpty()
				&& present.test("org.springframework.web.reactive.DispatcherHandler")
				&& !present.test("org.springframework.web.servlet.DispatcherServlet")
				&& !present.test("org.glassfish.jersey.servlet.ServletContainer"));
		boolean tomcat = present.test("org.apache.catalina.startup.Tomcat");
		boolean jetty = present.test("org.eclipse.jetty.server.Server");
		boolean netty = present.test("reactor.netty.http.server.HttpServer");
		boolean undertow = present.test("io.undertow.Undertow");
		if (!reactive && servlet && (tomcat || jetty)) {
			return true;
		}
		if (reactive && (netty || tomcat || jetty || undertow)) {
			throw new LaunchException("The port is shared through a servlet Tomcat or Jetty connector, "
					+ "and this app is a reactive (WebFlux) web app, whose server"
					+ (netty ? " (Reactor Netty)" : "") + " would bind the port in every worker. Use "
					+ "spring-boot-starter-webmvc on Tomcat or Jetty, set spring.main.web-application-type=none, "
					+ "or run with --supervisor.enabled=false", ExitCodes.CONFIG);
		}
		if (netty || undertow) {
			throw new LaunchException("The port is shared through a servlet Tomcat or Jetty connector, "
					+ "and this app's web server is neither. Use spring-boot-starter-tomcat or "
					+ "spring-boot-starter-jetty, set spring.main.web-application-type=none, or run with "
					+ "--supervisor.enabled=false", ExitCodes.CONFIG);
		}
		return false;
	}

}
