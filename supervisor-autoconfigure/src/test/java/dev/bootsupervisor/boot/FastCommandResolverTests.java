package dev.bootsupervisor.boot;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.autoconfigure.SupervisorProperties;
import dev.bootsupervisor.base.LaunchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.DefaultResourceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link FastCommandResolver}: every certain case is compared with what Spring Boot itself resolves
 * from the same inputs (its config data processing and binder), and every uncertain input falls back.
 */
class FastCommandResolverTests {

	/** The resolver's keys that Boot binds into {@link SupervisorProperties} or reads from the environment. */
	private static final List<String> COMPARED = List.of("supervisor.command", "supervisor.name", "supervisor.run-dir",
			"supervisor.format", "supervisor.workers", "spring.application.name", "server.port");

	@TempDir
	Path classpath;

	@TempDir
	Path elsewhere;

	private final Map<String, String> systemProperties = new LinkedHashMap<>();

	private final Map<String, String> environment = new LinkedHashMap<>();

	private String[] args = { "--supervisor.command=status" };

	@BeforeEach
	void noFilesInTheWorkingDirectory() {
		// file: locations are relative to the working directory, which Boot reads too: it must hold none
		assertThat(Path.of("application.properties")).doesNotExist();
		assertThat(Path.of("config")).doesNotExist();
	}

	@Test
	void commandLineOnly() throws Exception {
		this.args = new String[] { "--supervisor.command=status", "--supervisor.name=shop", "plain-argument",
				"--other.key=1", "--flag" };
		assertSameAsBoot().containsEntry("supervisor.name", "shop");
	}

	@Test
	void environmentVariablesInBootsRelaxedForms() throws Exception {
		this.environment.put("SUPERVISOR_NAME", "from-env");
		this.environment.put("SUPERVISOR_RUN_DIR", "/tmp/run-env");
		this.environment.put("SUPERVISOR_FORMAT", "json");
		this.environment.put("PATH", "/usr/bin");
		assertSameAsBoot().containsEntry("supervisor.run-dir", "/tmp/run-env");
		this.environment.remove("SUPERVISOR_RUN_DIR");
		this.environment.put("SUPERVISOR_RUNDIR", "/tmp/run-env2");
		assertSameAsBoot().containsEntry("supervisor.run-dir", "/tmp/run-env2");
	}

	@Test
	void precedenceFilesThenEnvironmentThenSystemPropertiesThenCommandLine() throws Exception {
		write(this.classpath.resolve("application.properties"), "supervisor.name=file\nsupervisor.workers=3\n"
				+ "supervisor.format=text\nsupervisor.run-dir=/tmp/file\n");
		this.environment.put("SUPERVISOR_NAME", "env");
		this.environment.put("SUPERVISOR_WORKERS", "4");
		this.environment.put("SUPERVISOR_FORMAT", "json");
		this.systemProperties.put("supervisor.name", "property");
		this.systemProperties.put("supervisor.workers", "5");
		this.args = new String[] { "--supervisor.command=scale", "--supervisor.name=argument" };
		assertSameAsBoot().containsEntry("supervisor.name", "argument")
			.containsEntry("supervisor.workers", "5")
			.containsEntry("supervisor.format", "json")
			.containsEntry("supervisor.run-dir", "/tmp/file");
	}

	@Test
	void applicationPropertiesInTheClassPathRootAndConfigWithTheSamplesOptionalImports() throws Exception {
		write(this.classpath.resolve("application.properties"), "# the sample's form\n"
				+ "spring.application.name=sample-app\n"
				+ "management.endpoints.web.exposure.include=health,info\n"
				+ "spring.config.import=optional:classpath:deploy.properties,optional:classpath:library.properties\n"
				+ "supervisor.workers = 2\nlogging.level.root : warn\n");
		write(this.classpath.resolve("config/application.properties"), "supervisor.format=json\n");
		write(this.classpath.resolve("deploy.properties"), "deploy.version=7\nsupervisor.run-dir=/tmp/deployed\n");
		assertSameAsBoot().containsEntry("spring.application.name", "sample-app")
			.containsEntry("supervisor.run-dir", "/tmp/deployed")
			.containsEntry("supervisor.format", "json");
	}

	@Test
	void anImportOverridesTheFileThatImportsItAndALaterImportAnEarlierOne() throws Exception {
		Path absolute = this.elsewhere.resolve("ops.properties");
		write(absolute, "supervisor.name=ops\n");
		write(this.classpath.resolve("first.properties"), "supervisor.name=first\nsupervisor.workers=6\n");
		write(this.classpath.resolve("application.properties"),
				"supervisor.name=app\nspring.config.import=classpath:first.properties, optional:file:" + absolute
						+ ",optional:file:/nonexistent/x.properties\n");
		assertSameAsBoot().containsEntry("supervisor.name", "ops").containsEntry("supervisor.workers", "6");
	}

	@Test
	void emptyValuesAndCommentsAreReadAsBootReadsThem() throws Exception {
		write(this.classpath.resolve("application.properties"), "spring.application.name=named\n"
				+ "  ! supervisor.name=commented\n#supervisor.run-dir=/commented\nsupervisor.name=\n");
		assertSameAsBoot().containsEntry("supervisor.name", "");
	}

	@Test
	void fallsBackForYamlAndDefaultProfileFiles() throws Exception {
		write(this.classpath.resolve("application.yml"), "supervisor:\n  name: yaml\n");
		assertFallback("classpath:application.yml is present");
		Files.delete(this.classpath.resolve("application.yml"));
		write(this.classpath.resolve("config/application-default.properties"), "supervisor.name=x\n");
		assertFallback("classpath:config/application-default.properties is present");
	}

	@Test
	void fallsBackForProfilesConfigLocationsAndApplicationJson() throws Exception {
		for (String arg : List.of("--spring.profiles.active=bench", "--spring.config.location=/x/",
				"--spring.config.name=other", "--spring.config.additional-location=/y/",
				"--spring.application.json={}")) {
			this.args = new String[] { "--supervisor.command=status", arg };
			assertFallback("the command line argument " + arg.substring(2, arg.indexOf('=')) + " is present");
		}
		this.args = new String[] { "--supervisor.command=status" };
		this.environment.put("SPRING_APPLICATION_JSON", "{\"supervisor\":{\"name\":\"json\"}}");
		assertFallback("the environment variable SPRING_APPLICATION_JSON is present");
		this.environment.clear();
		this.environment.put("SPRING_PROFILES_ACTIVE", "prod");
		assertFallback("the environment variable SPRING_PROFILES_ACTIVE is present");
		this.environment.clear();
		write(this.classpath.resolve("application.properties"), "spring.profiles.active=prod\n");
		assertFallback("classpath:application.properties has spring.profiles.active");
	}

	@Test
	void fallsBackForPlaceholdersMultiDocumentFilesAndContinuedValues() throws Exception {
		this.args = new String[] { "--supervisor.command=status", "--supervisor.name=${USER}" };
		assertFallback("the value of supervisor.name has a placeholder");
		this.args = new String[] { "--supervisor.command=status" };
		write(this.classpath.resolve("application.properties"), "a=1\n#---\nsupervisor.name=second\n");
		assertFallback("classpath:application.properties has several documents");
		write(this.classpath.resolve("application.properties"), "supervisor.name=con\\\n  tinued\n");
		assertFallback("classpath:application.properties has an escape or trailing blank in the value of "
				+ "supervisor.name");
	}

	@Test
	void fallsBackForOtherSupervisorKeysAndOtherSpellingsOfItsOwn() throws Exception {
		for (String arg : List.of("--supervisor.shutdown-timeout=5s", "--supervisor.runDir=/x",
				"--supervisor.RUN-DIR=/x", "--supervisor.run_dir=/x", "--spring.application.NAME=x",
				"--supervisor.restart.max-restarts=1")) {
			this.args = new String[] { "--supervisor.command=stop", arg };
			assertFallback("the command line argument " + arg.substring(2, arg.indexOf('=')) + " is present");
		}
		this.args = new String[] { "--supervisor.command=status" };
		this.environment.put("supervisor.name", "dotted");
		assertFallback("the environment variable supervisor.name is present");
		this.environment.clear();
		this.environment.put("SUPERVISOR_SHUTDOWN_TIMEOUT", "5s");
		assertFallback("the environment variable SUPERVISOR_SHUTDOWN_TIMEOUT is present");
		this.environment.clear();
		this.environment.put("SUPERVISOR_RUN_DIR", "/a");
		this.environment.put("SUPERVISOR_RUNDIR", "/b");
		assertThat(resolve().fallback()).startsWith("the environment sets supervisor.run-dir twice");
	}

	@Test
	void fallsBackForAmbiguousCommandLinesAndImports() throws Exception {
		this.args = new String[] { "--supervisor.command=status", "--supervisor.name=a", "--supervisor.name=b" };
		assertFallback("the command line sets supervisor.name twice");
		this.args = new String[] { "--supervisor.command=status", "--supervisor.name" };
		assertFallback("the command line argument --supervisor.name has no value");
		this.args = new String[] { "--supervisor.command=status" };
		write(this.classpath.resolve("application.properties"), "spring.config.import=classpath:missing.properties\n");
		assertFallback("spring.config.import names classpath:missing.properties, which is missing");
		write(this.classpath.resolve("application.properties"), "spring.config.import=optional:classpath:x.yml\n");
		assertFallback("spring.config.import has optional:classpath:x.yml (only classpath: and absolute file: "
				+ ".properties)");
		write(this.classpath.resolve("application.properties"), "spring.config.import=optional:configtree:/etc/x/\n");
		assertThat(resolve().fallback()).startsWith("spring.config.import has optional:configtree:");
	}

	@Test
	void fallsBackForAForeignEnvironmentExtension() {
		assertThat(FastCommand.foreignExtension(List.of("org.springframework.boot.context.config."
				+ "ConfigDataEnvironmentPostProcessor", "dev.bootsupervisor.boot.SupervisorEnvironmentPostProcessor")))
			.isNull();
		assertThat(FastCommand.foreignExtension(List.of("org.springframework.cloud.bootstrap.BootstrapApplicationListener")))
			.isEqualTo("the extension org.springframework.cloud.bootstrap.BootstrapApplicationListener may change the "
					+ "environment");
	}

	@Test
	void fallsBackForAValueOutsidePlainAscii() throws Exception {
		this.args = new String[] { "--supervisor.command=status", "--supervisor.run-dir=/tmp/é" };
		assertFallback("the value of supervisor.run-dir is not plain ASCII");
	}

	private void assertFallback(String reason) throws IOException {
		assertThat(resolve().fallback()).isEqualTo(reason);
	}

	private FastCommandResolver.Result resolve() throws IOException {
		try (URLClassLoader loader = classLoader()) {
			return FastCommandResolver.resolve(new FastCommandResolver.Inputs(List.of(this.args),
					this.systemProperties, this.environment, (name) -> read(loader, name), Path.of("").toAbsolutePath()));
		}
	}

	/**
	 * Resolve with the fast path and with Boot from the same inputs, assert that both agree on every value, and
	 * return the fast path's values.
	 */
	private org.assertj.core.api.MapAssert<String, String> assertSameAsBoot() throws IOException, LaunchException {
		FastCommandResolver.Result result = resolve();
		assertThat(result.fallback()).isNull();
		Map<String, String> boot = boot();
		Map<String, String> fast = new HashMap<>();
		SupervisorProperties defaults = new SupervisorProperties();
		for (String key : COMPARED) {
			fast.put(key, result.values().getOrDefault(key, switch (key) {
				case "supervisor.workers" -> defaults.getWorkers();
				case "supervisor.format" -> defaults.getFormat();
				default -> null;
			}));
		}
		assertThat(fast).isEqualTo(boot);
		return assertThat(result.values());
	}

	private Map<String, String> boot() throws IOException, LaunchException {
		StandardEnvironment environment = new StandardEnvironment() {

			@Override
			protected void customizePropertySources(MutablePropertySources sources) {
				sources.addLast(new MapPropertySource(SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
						new HashMap<>(FastCommandResolverTests.this.systemProperties)));
				sources.addLast(new SystemEnvironmentPropertySource(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						new HashMap<>(FastCommandResolverTests.this.environment)));
			}

		};
		environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(this.args));
		ConfigurationPropertySources.attach(environment);
		try (URLClassLoader loader = classLoader()) {
			ConfigDataEnvironmentPostProcessor.applyTo(environment, new DefaultResourceLoader(loader),
					new DefaultBootstrapContext(), List.of());
		}
		SupervisorProperties properties = MasterSettingsResolver.bind(environment);
		Map<String, String> values = new HashMap<>();
		values.put("supervisor.command", properties.getCommand());
		values.put("supervisor.name", properties.getName());
		values.put("supervisor.run-dir", properties.getRunDir());
		values.put("supervisor.format", properties.getFormat());
		values.put("supervisor.workers", properties.getWorkers());
		values.put("spring.application.name", environment.getProperty("spring.application.name"));
		values.put("server.port", environment.getProperty("server.port"));
		return values;
	}

	private URLClassLoader classLoader() throws IOException {
		// parent first, as an app's class loader: the test class path has no application.properties of its own
		return new URLClassLoader(new URL[] { this.classpath.toUri().toURL() }, getClass().getClassLoader());
	}

	private static String read(ClassLoader loader, String name) throws IOException {
		try (InputStream in = loader.getResourceAsStream(name)) {
			return (in != null) ? new String(in.readAllBytes(), StandardCharsets.ISO_8859_1) : null;
		}
	}

	private static void write(Path file, String content) throws IOException {
		Files.createDirectories(file.getParent());
		Files.writeString(file, content);
	}

}
