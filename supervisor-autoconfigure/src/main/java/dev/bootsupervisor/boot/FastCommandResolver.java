package dev.bootsupervisor.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Resolves the few properties a control command needs straight from the command line, system properties,
 * environment variables and the app's {@code application.properties} (with its optional {@code classpath:} and
 * {@code file:} properties imports), in Spring Boot's order, without building Boot's environment. Whenever an
 * input is present whose meaning it cannot be certain of (YAML, profiles, other config locations, placeholders,
 * relaxed spellings, other {@code supervisor.*} keys, ...) it gives up with the reason, and the command takes
 * Boot's full path, so the answer is always Boot's.
 */
final class FastCommandResolver {

	/** The properties resolved: every one is a plain string, bound unchanged by Boot's binder. */
	static final List<String> KEYS = List.of("supervisor.command", "supervisor.name", "supervisor.run-dir",
			"supervisor.format", "supervisor.workers", "supervisor.enabled", "spring.application.name",
			"server.port", "server.address", "server.tomcat.accept-count", "management.server.port",
			"spring.main.web-application-type");

	private static final String IMPORT = "spring.config.import";

	/** Prefixes (of keys in lower case without '-' and '_') whose presence sends the command to the full path. */
	private static final List<String> UNCERTAIN = List.of("supervisor", "spring.profiles", "spring.config",
			"spring.application.json");

	/** Environment variables of the supervisor's own that are no property. */
	private static final Set<String> IGNORED_VARIABLES = Set.of("SUPERVISOR_CHANNEL", "SUPERVISOR_TOKEN");

	/** Boot's default locations, lowest precedence first. */
	private static final List<String> LOCATIONS = List.of("classpath:", "classpath:config/", "file:", "file:config/");

	private static final List<String> OTHER_FILES = List.of("application.yml", "application.yaml", "application.xml",
			"application-default.properties", "application-default.yml", "application-default.yaml",
			"application-default.xml");

	private static final Map<String, String> BY_NORMAL_FORM = new HashMap<>();

	private static final Map<String, String> BY_VARIABLE = new HashMap<>();

	static {
		for (String key : KEYS) {
			BY_NORMAL_FORM.put(normal(key), key);
			String upper = key.toUpperCase(Locale.ROOT).replace('.', '_');
			BY_VARIABLE.put(upper.replace("-", ""), key);
			BY_VARIABLE.put(upper.replace('-', '_'), key);
		}
	}

	/**
	 * What the resolver reads.
	 *
	 * @param args the command line
	 * @param systemProperties the system properties
	 * @param environment the environment variables
	 * @param classpath reads a class path resource, {@code null} when there is none
	 * @param workingDirectory where {@code file:} locations are
	 */
	record Inputs(List<String> args, Map<String, String> systemProperties, Map<String, String> environment,
			Resources classpath, Path workingDirectory) {

	}

	/** Reads a class path resource. */
	@FunctionalInterface
	interface Resources {

		/**
		 * The content of a resource.
		 * @param name its name, without a leading slash
		 * @return the content, {@code null} when there is no such resource
		 * @throws IOException when it cannot be read
		 */
		String read(String name) throws IOException;

	}

	/**
	 * The outcome: the values, or why the full path must answer.
	 *
	 * @param values the resolved properties that are set, by name
	 * @param fallback why the values are not certain, {@code null} when they are
	 */
	record Result(Map<String, String> values, String fallback) {

		static Result fallback(String reason) {
			return new Result(Map.of(), reason);
		}

		boolean certain() {
			return this.fallback == null;
		}

	}

	/** Thrown inside the resolver when it must give up. */
	private static final class Uncertain extends Exception {

		Uncertain(String reason) {
			super(reason, null, false, false);
		}

	}

	private FastCommandResolver() {
	}

	static Result resolve(Inputs inputs) {
		try {
			Map<String, String> values = new HashMap<>();
			files(inputs, values);
			environment(inputs.environment(), values);
			properties("system property", inputs.systemProperties(), values);
			properties("command line argument", commandLine(inputs.args()), values);
			for (Map.Entry<String, String> entry : values.entrySet()) {
				if (entry.getValue().contains("${")) {
					throw new Uncertain("the value of " + entry.getKey() + " has a placeholder");
				}
				if (!entry.getValue().chars().allMatch((c) -> c >= 0x20 && c < 0x7f)) {
					// Boot reads properties files as ISO-8859-1: only plain ASCII means the same either way
					throw new Uncertain("the value of " + entry.getKey() + " is not plain ASCII");
				}
			}
			String enabled = values.get("supervisor.enabled");
			if (enabled != null && !enabled.trim().equalsIgnoreCase("true")
					&& !enabled.trim().equalsIgnoreCase("false")) {
				throw new Uncertain("supervisor.enabled is neither true nor false");
			}
			return new Result(Map.copyOf(values), null);
		}
		catch (Uncertain ex) {
			return Result.fallback(ex.getMessage());
		}
	}

	private static Map<String, String> commandLine(List<String> args) throws Uncertain {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			if (arg.equals("--")) {
				throw new Uncertain("the command line has a '--' argument");
			}
			if (!arg.startsWith("--")) {
				continue;
			}
			int equals = arg.indexOf('=');
			String key = (equals >= 0) ? arg.substring(2, equals) : arg.substring(2);
			if (kind(key) == Kind.IGNORED) {
				continue;
			}
			if (equals < 0) {
				throw new Uncertain("the command line argument --" + key + " has no value");
			}
			if (options.put(key, arg.substring(equals + 1)) != null) {
				throw new Uncertain("the command line sets " + key + " twice");
			}
		}
		return options;
	}

	private static void properties(String source, Map<String, String> properties, Map<String, String> values)
			throws Uncertain {
		for (Map.Entry<String, String> entry : properties.entrySet()) {
			switch (kind(entry.getKey())) {
				case KNOWN -> values.put(entry.getKey(), entry.getValue());
				case UNCERTAIN -> throw new Uncertain("the " + source + " " + entry.getKey() + " is present");
				case IGNORED -> {
				}
			}
		}
	}

	private static void environment(Map<String, String> environment, Map<String, String> values) throws Uncertain {
		Map<String, String> found = new HashMap<>();
		for (Map.Entry<String, String> entry : environment.entrySet()) {
			String name = entry.getKey();
			if (IGNORED_VARIABLES.contains(name)) {
				continue;
			}
			String key = BY_VARIABLE.get(name);
			if (key != null) {
				if (found.put(key, name) != null) {
					throw new Uncertain("the environment sets " + key + " twice (" + found.get(key) + ", " + name + ")");
				}
				values.put(key, entry.getValue());
				continue;
			}
			String squashed = name.toUpperCase(Locale.ROOT).replace(".", "").replace("-", "").replace("_", "");
			if (squashed.startsWith("VCAP") || squashed.startsWith("SUPERVISOR") || squashed.startsWith("SPRINGPROFILES")
					|| squashed.startsWith("SPRINGCONFIG") || squashed.startsWith("SPRINGAPPLICATIONJSON")
					|| BY_VARIABLE.keySet().stream().anyMatch((known) -> squashed.startsWith(known.replace("_", "")))) {
				throw new Uncertain("the environment variable " + name + " is present");
			}
		}
	}

	private static void files(Inputs inputs, Map<String, String> values) throws Uncertain {
		boolean imported = false;
		for (String location : LOCATIONS) {
			for (String other : OTHER_FILES) {
				if (read(inputs, location + other) != null) {
					throw new Uncertain(location + other + " is present");
				}
			}
			String text = read(inputs, location + "application.properties");
			if (text == null) {
				continue;
			}
			PropertiesFile file = PropertiesFile.parse(location + "application.properties", text);
			values.putAll(file.values());
			if (file.imports() != null) {
				if (imported) {
					throw new Uncertain("more than one file has " + IMPORT);
				}
				imported = true;
				imports(inputs, file.imports(), values);
			}
		}
		Path config = inputs.workingDirectory().resolve("config");
		if (Files.isDirectory(config)) {
			try (var children = Files.list(config)) {
				if (children.anyMatch(Files::isDirectory)) {
					throw new Uncertain(config + " has sub-directories (Boot reads config/*/)");
				}
			}
			catch (IOException ex) {
				throw new Uncertain("cannot list " + config + ": " + ex.getMessage());
			}
		}
	}

	private static void imports(Inputs inputs, String value, Map<String, String> values) throws Uncertain {
		for (String item : value.split(",")) {
			String location = item.trim();
			if (location.isEmpty()) {
				continue;
			}
			boolean optional = location.startsWith("optional:");
			String resource = optional ? location.substring("optional:".length()) : location;
			if (resource.contains("${") || resource.contains("*") || !resource.endsWith(".properties")
					|| !(resource.startsWith("classpath:") || resource.startsWith("file:/"))) {
				throw new Uncertain(IMPORT + " has " + location + " (only classpath: and absolute file: .properties)");
			}
			String base = resource.substring(0, resource.length() - ".properties".length());
			if (read(inputs, base + "-default.properties") != null) {
				throw new Uncertain(base + "-default.properties is present");
			}
			String text = read(inputs, resource);
			if (text == null) {
				if (optional) {
					continue;
				}
				throw new Uncertain(IMPORT + " names " + location + ", which is missing");
			}
			PropertiesFile file = PropertiesFile.parse(resource, text);
			if (file.imports() != null) {
				throw new Uncertain(resource + " imports more files");
			}
			values.putAll(file.values());
		}
	}

	private static String read(Inputs inputs, String location) throws Uncertain {
		try {
			if (location.startsWith("classpath:")) {
				String name = location.substring("classpath:".length());
				return inputs.classpath().read(name.startsWith("/") ? name.substring(1) : name);
			}
			String name = location.substring("file:".length());
			Path path = name.startsWith("/") ? Path.of(name)
					: inputs.workingDirectory().resolve(name.isEmpty() ? "." : name);
			return Files.isRegularFile(path) ? Files.readString(path) : null;
		}
		catch (IOException | RuntimeException ex) {
			throw new Uncertain("cannot read " + location + ": " + ex.getMessage());
		}
	}

	/** What a key from a source other than the environment is to the resolver. */
	enum Kind {

		/** One of {@link #KEYS}, spelt exactly so. */
		KNOWN,

		/** A key that may change what the command does, or a key of {@link #KEYS} spelt otherwise. */
		UNCERTAIN,

		/** Anything else. */
		IGNORED

	}

	static Kind kind(String key) {
		if (KEYS.contains(key)) {
			return Kind.KNOWN;
		}
		String normal = normal(key);
		for (String prefix : UNCERTAIN) {
			if (normal.startsWith(prefix)) {
				return Kind.UNCERTAIN;
			}
		}
		for (String known : BY_NORMAL_FORM.keySet()) {
			if (normal.startsWith(known)) {
				return Kind.UNCERTAIN;
			}
		}
		return Kind.IGNORED;
	}

	private static String normal(String key) {
		return key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace("\\", "");
	}

	/**
	 * The resolver's part of a properties file: its values of {@link #KEYS} and its import.
	 *
	 * @param values the values
	 * @param imports the value of {@code spring.config.import}, {@code null} when absent
	 */
	record PropertiesFile(Map<String, String> values, String imports) {

		static PropertiesFile parse(String name, String text) throws Uncertain {
			Map<String, String> values = new HashMap<>();
			String imports = null;
			List<String> lines = logicalLines(text);
			for (String line : lines) {
				if (line.startsWith("#") || line.startsWith("!")) {
					if (line.startsWith("#---") || line.startsWith("!---")) {
						throw new Uncertain(name + " has several documents");
					}
					continue;
				}
				int end = 0;
				while (end < line.length() && "=: \t\f".indexOf(line.charAt(end)) < 0) {
					end += (line.charAt(end) == '\\') ? 2 : 1;
				}
				end = Math.min(end, line.length());
				String key = line.substring(0, end);
				int start = end;
				while (start < line.length() && " \t\f".indexOf(line.charAt(start)) >= 0) {
					start++;
				}
				if (start < line.length() && (line.charAt(start) == '=' || line.charAt(start) == ':')) {
					start++;
				}
				while (start < line.length() && " \t\f".indexOf(line.charAt(start)) >= 0) {
					start++;
				}
				String value = line.substring(start);
				boolean isImport = key.equals(IMPORT);
				Kind kind = isImport ? Kind.KNOWN : kind(key);
				if (kind == Kind.IGNORED) {
					continue;
				}
				if (kind == Kind.UNCERTAIN || key.contains("\\")) {
					throw new Uncertain(name + " has " + key);
				}
				if (value.contains("\\") || !value.equals(value.strip())) {
					throw new Uncertain(name + " has an escape or trailing blank in the value of " + key);
				}
				if (isImport) {
					if (imports != null) {
						throw new Uncertain(name + " sets " + key + " twice");
					}
					imports = value;
				}
				else if (values.put(key, value) != null) {
					throw new Uncertain(name + " sets " + key + " twice");
				}
			}
			return new PropertiesFile(values, imports);
		}

		/** The logical lines: continuations joined (backslash kept), leading blanks removed. */
		private static List<String> logicalLines(String text) {
			List<String> lines = new ArrayList<>();
			StringBuilder current = null;
			for (String raw : text.split("\r\n|\r|\n", -1)) {
				String line = raw.stripLeading();
				if (current == null && line.isEmpty()) {
					continue;
				}
				boolean comment = current == null && (line.startsWith("#") || line.startsWith("!"));
				int backslashes = 0;
				while (backslashes < line.length() && line.charAt(line.length() - 1 - backslashes) == '\\') {
					backslashes++;
				}
				boolean continues = !comment && backslashes % 2 == 1;
				// the continuation's backslash stays: a value of the resolver's that spans lines is left to Boot
				String part = line;
				if (current == null) {
					current = new StringBuilder(part);
				}
				else {
					current.append(part);
				}
				if (!continues) {
					lines.add(current.toString());
					current = null;
				}
			}
			if (current != null) {
				lines.add(current.toString());
			}
			return lines;
		}

	}

}
