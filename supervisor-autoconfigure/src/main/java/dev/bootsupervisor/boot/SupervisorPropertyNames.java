package dev.bootsupervisor.boot;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.autoconfigure.SupervisorProperties;
import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.WorkerCommand;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The {@code supervisor.*} names a user may set, read from {@link SupervisorProperties} itself, so that a misspelled
 * one is named instead of silently ignored, and a group set as a value is told apart from a bad value. Names are
 * compared as Spring binds them: {@code backoffInitial}, {@code backoff-initial} and {@code SUPERVISOR_WORKERS} are
 * all spellings of known properties.
 */
final class SupervisorPropertyNames {

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("supervisor");

	/** Set by the supervisor itself on the command lines it starts, or read as a system property only. */
	private static final List<String> INTERNAL = List.of(SupervisorRunListener.IN_PROCESS, LaunchMode.ROLE,
			WorkerCommand.DAEMONIZED, WorkerCommand.DAEMON_STDOUT, WorkerCommand.DAEMON_STDERR);

	private static final List<ConfigurationPropertyName> KNOWN;

	/** Each group, such as {@code supervisor.worker}, with the properties in it. */
	private static final Map<ConfigurationPropertyName, List<String>> GROUPS = new LinkedHashMap<>();

	static {
		List<String> names = new ArrayList<>();
		collect(SupervisorProperties.class, "supervisor", names);
		names.addAll(INTERNAL);
		KNOWN = names.stream().map(ConfigurationPropertyName::of).toList();
	}

	private SupervisorPropertyNames() {
	}

	private static void collect(Class<?> type, String prefix, List<String> names) {
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
			if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
				continue;
			}
			String name = prefix + "." + dashed(descriptor.getName());
			Class<?> propertyType = descriptor.getPropertyType();
			if (propertyType.getDeclaringClass() == SupervisorProperties.class) {
				List<String> members = new ArrayList<>();
				collect(propertyType, name, members);
				GROUPS.put(ConfigurationPropertyName.of(name), members);
				names.addAll(members);
			}
			else {
				names.add(name);
			}
		}
	}

	private static String dashed(String camel) {
		return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
	}

	/**
	 * One warning for each {@code supervisor.*} property that is set but is none of the supervisor's, with the
	 * closest known name. Environment variables are left out: other tools (supervisord) set {@code SUPERVISOR_*}
	 * variables of their own.
	 * @param environment the environment
	 * @return the warnings, one line each
	 */
	static List<String> unknown(Environment environment) {
		List<String> warnings = new ArrayList<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (!(source instanceof IterableConfigurationPropertySource iterable)
					|| source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
				continue;
			}
			iterable.filter(ROOT::isAncestorOf).stream().forEach((name) -> {
				if (!isKnown(name) && GROUPS.keySet().stream().noneMatch(name::equals)) {
					String warning = "Unknown property " + name + ": " + suggestion(name);
					if (!warnings.contains(warning)) {
						warnings.add(warning);
					}
				}
			});
		}
		return warnings;
	}

	/**
	 * Refuse a group, such as {@code supervisor.worker}, given a value of its own.
	 * @param environment the environment
	 * @throws LaunchException when one is
	 */
	static void checkGroups(Environment environment) throws LaunchException {
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			for (Map.Entry<ConfigurationPropertyName, List<String>> group : GROUPS.entrySet()) {
				ConfigurationProperty property = source.getConfigurationProperty(group.getKey());
				if (property != null) {
					throw new LaunchException("Invalid property " + group.getKey() + ": it is a group ("
							+ String.join(", ", group.getValue()) + "), not a value" + closeTo(group.getKey()),
							ExitCodes.CONFIG);
				}
			}
		}
	}

	private static boolean isKnown(ConfigurationPropertyName name) {
		return KNOWN.stream().anyMatch(name::equals);
	}

	private static String suggestion(ConfigurationPropertyName name) {
		String close = closeTo(name);
		return close.isEmpty() ? "no such supervisor setting, ignored" : close.substring(2);
	}

	/** {@code "; did you mean ...?"} with the known name closest to this one, or empty when none is close. */
	private static String closeTo(ConfigurationPropertyName name) {
		String typed = name.toString();
		String closest = KNOWN.stream()
			.map(ConfigurationPropertyName::toString)
			.filter((known) -> !INTERNAL.contains(known))
			.min(Comparator.comparingInt((String known) -> distance(typed, known)))
			.orElse(null);
		if (closest == null || distance(typed, closest) > Math.max(2, (typed.length() - ROOT.toString().length()) / 3)) {
			return "";
		}
		return "; did you mean " + closest + "?";
	}

	/** Levenshtein distance: letters added, removed or replaced. */
	static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int replace = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
