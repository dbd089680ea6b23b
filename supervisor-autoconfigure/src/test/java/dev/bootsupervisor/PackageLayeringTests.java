package dev.bootsupervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the packages to their layers, read from the sources' import lines: the worker side and the master side
 * both stand on {@code protocol} and {@code base} and neither imports the other; the commands live apart from
 * both; the Spring integration packages import downward only; {@code boot}, which decides what a JVM becomes, is
 * the only package that sees them all.
 */
class PackageLayeringTests {

	private static final Path SOURCES = Path.of("src/main/java/dev/bootsupervisor");

	private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.bootsupervisor\\.(\\w+)\\.",
			Pattern.MULTILINE);

	/** Each package and the project packages it may import. */
	private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(Map.entry("protocol", Set.of()),
			Map.entry("base", Set.of("protocol")), Map.entry("worker", Set.of("protocol", "base")),
			Map.entry("master", Set.of("protocol", "base")), Map.entry("control", Set.of("protocol", "base")),
			Map.entry("cluster", Set.of("protocol", "base", "worker")),
			Map.entry("actuate", Set.of("protocol", "base", "cluster")),
			Map.entry("health", Set.of("protocol", "base", "cluster")),
			Map.entry("metrics", Set.of("protocol", "base", "cluster")),
			Map.entry("autoconfigure",
					Set.of("protocol", "base", "worker", "cluster", "actuate", "health", "metrics")),
			Map.entry("boot", Set.of("protocol", "base", "worker", "cluster", "actuate", "health", "metrics",
					"autoconfigure", "master", "control")));

	@Test
	void everyPackageImportsOnlyTheLayersBelowIt() throws IOException {
		List<String> violations = new ArrayList<>();
		List<String> packages = new ArrayList<>();
		try (Stream<Path> files = Files.walk(SOURCES)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
				String pkg = SOURCES.relativize(file.getParent()).toString();
				packages.add(pkg);
				Set<String> allowed = ALLOWED.get(pkg);
				if (allowed == null) {
					violations.add(file + ": package '" + pkg + "' has no place in the layers");
					continue;
				}
				Matcher imports = IMPORT.matcher(Files.readString(file));
				while (imports.find()) {
					String target = imports.group(1);
					if (!target.equals(pkg) && !allowed.contains(target)) {
						violations.add(file.getFileName() + " (" + pkg + ") imports " + target);
					}
				}
			}
		}
		assertThat(packages).as("source files read").contains("master", "worker", "protocol", "control");
		assertThat(violations).isEmpty();
	}

}
