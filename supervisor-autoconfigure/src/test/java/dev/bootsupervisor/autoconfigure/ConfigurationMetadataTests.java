package dev.bootsupervisor.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every property the starter reads completes in the IDE: the configuration metadata that the configuration
 * processor writes (merged with {@code additional-spring-configuration-metadata.json}) names each one. The names
 * are collected from the main sources, so a property added later without metadata fails this test.
 */
class ConfigurationMetadataTests {

	/** Property-like strings in the sources that are not properties a user sets. */
	private static final Set<String> NOT_USER_PROPERTIES = Set.of(
			// meter names
			"supervisor.workers.state", "supervisor.worker.restarts", "supervisor.worker.uptime",
			"supervisor.master.uptime", "supervisor.reloads", "supervisor.leader.changes", "supervisor.leader.epoch",
			// markers the starter puts on the command lines it starts itself
			"supervisor.daemonized", "supervisor.role",
			// the cluster topic of the merged Prometheus scrape
			"supervisor.metrics.scrape");

	private static final Pattern PROPERTY = Pattern
		.compile("\"-?D?((?:supervisor|management\\.health\\.supervisor|management\\.endpoint\\.supervisor)\\.[a-z0-9.-]*[a-z0-9])[=\"]");

	@Test
	void metadataNamesEveryPropertyTheSourcesRead() throws IOException {
		Set<String> documented = documentedProperties();
		Set<String> read = propertiesInSources();
		assertThat(read).contains("supervisor.enabled", "supervisor.worker.id", "supervisor.master.in-process");
		read.removeAll(NOT_USER_PROPERTIES);
		assertThat(documented).containsAll(read);
	}

	@Test
	void metadataHasTheHealthSwitchAndTheEndpoint() throws IOException {
		assertThat(documentedProperties()).contains("management.health.supervisor.enabled",
				"management.endpoint.supervisor.access", "supervisor.health.min-ready-workers",
				"supervisor.restart.backoff-initial", "supervisor.reload.timeout", "supervisor.worker.generation");
	}

	@Test
	void everyPropertyHasADescription() throws IOException {
		Matcher entry = Pattern.compile("\\{\\s*\"name\"\\s*:\\s*\"([^\"]+)\"([^{}]*)\\}").matcher(propertiesSection());
		Set<String> undescribed = new TreeSet<>();
		while (entry.find()) {
			if (!entry.group(2).contains("\"description\"")) {
				undescribed.add(entry.group(1));
			}
		}
		assertThat(undescribed).isEmpty();
	}

	private static String propertiesSection() throws IOException {
		String json = metadata();
		int properties = json.indexOf("\"properties\"");
		int hints = json.indexOf("\"hints\"", properties);
		return json.substring(properties, (hints > properties) ? hints : json.length());
	}

	private static Set<String> documentedProperties() throws IOException {
		String section = propertiesSection();
		Set<String> names = new TreeSet<>();
		Matcher name = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"").matcher(section);
		while (name.find()) {
			names.add(name.group(1));
		}
		return names;
	}

	private static String metadata() throws IOException {
		try (InputStream in = ConfigurationMetadataTests.class.getClassLoader()
			.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("META-INF/spring-configuration-metadata.json on the class path").isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static Set<String> propertiesInSources() throws IOException {
		Set<String> names = new TreeSet<>();
		try (Stream<Path> sources = Files.walk(Path.of("src", "main", "java"))) {
			for (Path source : (Iterable<Path>) sources.filter((path) -> path.toString().endsWith(".java"))::iterator) {
				Matcher property = PROPERTY.matcher(Files.readString(source));
				while (property.find()) {
					names.add(property.group(1));
				}
			}
		}
		return names;
	}

}
