package dev.bootsupervisor.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;

import dev.bootsupervisor.autoconfigure.SupervisorProperties;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.RunDirectory;
import dev.bootsupervisor.base.CanarySettings;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.control.DaemonStarter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link MasterSettingsResolver}.
 */
class MasterSettingsResolverTests {

	private final MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name", "demo");

	@Test
	void defaults() throws LaunchException {
		SupervisorSettings settings = resolve();
		assertThat(settings.name()).isEqualTo("demo");
		assertThat(settings.workers()).isEqualTo(2);
		assertThat(settings.address()).isNull();
		assertThat(settings.port()).isEqualTo(8080);
		assertThat(settings.listens()).isTrue();
		assertThat(settings.backlog()).isEqualTo(100);
		assertThat(settings.startupTimeout()).isEqualTo(Duration.ofMinutes(5));
		assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(settings.reloadTimeout()).isEqualTo(Duration.ofMinutes(5));
		assertThat(settings.backoffInitial()).isEqualTo(Duration.ofSeconds(1));
		assertThat(settings.backoffMax()).isEqualTo(Duration.ofSeconds(30));
		assertThat(settings.backoffReset()).isEqualTo(Duration.ofMinutes(1));
		assertThat(settings.maxRestarts()).isEqualTo(10);
		assertThat(settings.restartWindow()).isEqualTo(Duration.ofSeconds(60));
		assertThat(settings.runDir()).isEqualTo(RunDirectory.defaultPath("demo"));
	}

	@Test
	void reloadTimeoutDefaultsToTheStartupTimeout() throws LaunchException {
		this.environment.setProperty("supervisor.startup-timeout", "90s");
		assertThat(resolve().reloadTimeout()).isEqualTo(Duration.ofSeconds(90));
		this.environment.setProperty("supervisor.reload.timeout", "2m");
		assertThat(resolve().reloadTimeout()).isEqualTo(Duration.ofMinutes(2));
		assertThat(resolve().startupTimeout()).isEqualTo(Duration.ofSeconds(90));
	}

	@Test
	void boundValues() throws LaunchException {
		this.environment.withProperty("supervisor.workers", " 4 ")
			.withProperty("supervisor.shutdown-timeout", "10s")
			.withProperty("supervisor.restart.backoff-initial", "250ms")
			.withProperty("supervisor.restart.max-restarts", "0")
			.withProperty("supervisor.run-dir", "/var/run/demo")
			.withProperty("server.address", "127.0.0.1")
			.withProperty("server.port", "0")
			.withProperty("server.tomcat.accept-count", "512");
		SupervisorSettings settings = resolve();
		assertThat(settings.workers()).isEqualTo(4);
		assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(settings.backoffInitial()).isEqualTo(Duration.ofMillis(250));
		assertThat(settings.maxRestarts()).isZero();
		assertThat(settings.runDir()).isEqualTo(Path.of("/var/run/demo"));
		assertThat(settings.address()).isEqualTo("127.0.0.1");
		assertThat(settings.port()).isZero();
		assertThat(settings.listens()).isTrue();
		assertThat(settings.backlog()).isEqualTo(512);
	}

	@Test
	void autoWorkersIsOnePerProcessor() throws LaunchException {
		this.environment.setProperty("supervisor.workers", "auto");
		assertThat(resolve().workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
		assertThat(MasterSettingsResolver.workers("AUTO")).isEqualTo(Runtime.getRuntime().availableProcessors());
	}

	@ParameterizedTest
	@ValueSource(strings = { "abc", "0", "-1", "2000", "1.5", "" })
	void invalidWorkersAreRefused(String workers) {
		this.environment.setProperty("supervisor.workers", workers);
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("Invalid value '" + workers + "' for supervisor.workers")
			.withMessageContaining("from 1 to 1024, or 'auto'");
	}

	@Test
	void workersUpToTheLimitAreAccepted() throws LaunchException {
		assertThat(MasterSettingsResolver.workers("1")).isEqualTo(1);
		assertThat(MasterSettingsResolver.workers("1024")).isEqualTo(1024);
	}

	@Test
	void invalidDurationNamesThePropertyAndTheValue() {
		this.environment.setProperty("supervisor.startup-timeout", "soon");
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> MasterSettingsResolver.bind(this.environment))
			.withMessageStartingWith("Invalid value 'soon' for supervisor.startup-timeout: ");
	}

	@Test
	void invalidNestedDurationNamesThePropertyAndTheValue() {
		this.environment.setProperty("supervisor.restart.backoff-max", "forever");
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> MasterSettingsResolver.bind(this.environment))
			.withMessageStartingWith("Invalid value 'forever' for supervisor.restart.backoff-max: ");
	}

	@Test
	void invalidNumberNamesThePropertyAndTheValue() {
		this.environment.setProperty("supervisor.restart.max-restarts", "lots");
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> MasterSettingsResolver.bind(this.environment))
			.withMessageStartingWith("Invalid value 'lots' for supervisor.restart.max-restarts: ");
	}

	@Test
	void nonPositiveDurationsAreRefused() {
		this.environment.setProperty("supervisor.shutdown-timeout", "0s");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("for supervisor.shutdown-timeout: expected a positive duration");
		this.environment.setProperty("supervisor.shutdown-timeout", "30s");
		this.environment.setProperty("supervisor.reload.timeout", "-5s");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("for supervisor.reload.timeout: expected a positive duration");
		this.environment.setProperty("supervisor.reload.timeout", "5s");
		this.environment.setProperty("supervisor.leader.revoke-timeout", "0s");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessage("Invalid value '0s' for supervisor.leader.revoke-timeout: expected a positive duration "
					+ "such as 30s or 5m");
	}

	@Test
	void aBadDurationIsQuotedAsTyped() {
		this.environment.setProperty("supervisor.restart.backoffInitial", "-5s");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessage("Invalid value '-5s' for supervisor.restart.backoff-initial: expected a positive duration "
					+ "such as 30s or 5m");
		this.environment.setProperty("supervisor.restart.backoffInitial", "1s");
		this.environment.setProperty("supervisor.watchdog.timeout", "-1m");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageStartingWith("Invalid value '-1m' for supervisor.watchdog.timeout: ");
		this.environment.setProperty("supervisor.watchdog.timeout", "30s");
		this.environment.setProperty("supervisor.recycle.max-lifetime", "-2h");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageStartingWith("Invalid value '-2h' for supervisor.recycle.max-lifetime: ");
		this.environment.setProperty("supervisor.recycle.max-lifetime", "0");
		this.environment.setProperty("supervisor.metrics.scrape-timeout", "-500ms");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageStartingWith("Invalid value '-500ms' for supervisor.metrics.scrape-timeout: ");
	}

	@Test
	void theCanaryDefaultsAndItsSettings() throws LaunchException {
		assertThat(resolve().canary()).isEqualTo(new CanarySettings(Duration.ofSeconds(10), 50, 1.0, 2.0,
				Duration.ofMillis(50)));
		this.environment.setProperty("supervisor.reload.canary-period", "0s");
		assertThat(resolve().canary().enabled()).isFalse();
		this.environment.setProperty("supervisor.reload.canary-period", "30s");
		this.environment.setProperty("supervisor.reload.canary-max-error-increase", "0.5");
		this.environment.setProperty("supervisor.reload.canary-max-latency-ratio", "1.5");
		this.environment.setProperty("supervisor.reload.canary-min-requests", "200");
		this.environment.setProperty("supervisor.reload.canary-latency-margin", "10ms");
		assertThat(resolve().canary()).isEqualTo(new CanarySettings(Duration.ofSeconds(30), 200, 0.5, 1.5,
				Duration.ofMillis(10)));
	}

	@Test
	void badCanarySettingsAreRefusedAsTyped() {
		this.environment.setProperty("supervisor.reload.canary-period", "-1s");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageStartingWith("Invalid value '-1s' for supervisor.reload.canary-period: ")
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(78));
		this.environment.setProperty("supervisor.reload.canary-period", "10s");
		this.environment.setProperty("supervisor.reload.canary-max-error-increase", "150");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessage("Invalid value '150' for supervisor.reload.canary-max-error-increase: expected percentage "
					+ "points from 0 to 100, such as 1 or 0.5");
		this.environment.setProperty("supervisor.reload.canary-max-error-increase", "1");
		this.environment.setProperty("supervisor.reload.canary-max-latency-ratio", "0.5");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageStartingWith("Invalid value '0.5' for supervisor.reload.canary-max-latency-ratio: ");
		this.environment.setProperty("supervisor.reload.canary-max-latency-ratio", "2");
		this.environment.setProperty("supervisor.reload.canary-min-requests", "0");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessage("Invalid value '0' for supervisor.reload.canary-min-requests: expected 1 or more");
	}

	@Test
	void aDrainGraceMustBeShorterThanTheDrainTimeout() {
		this.environment.setProperty("supervisor.drain-grace", "10s");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessage("Invalid value '10s' for supervisor.drain-grace: expected less than supervisor.drain-timeout "
					+ "(10 s), such as 500ms")
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(78));
		this.environment.setProperty("supervisor.drain-grace", "-1ms");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageStartingWith("Invalid value '-1ms' for supervisor.drain-grace: ");
	}

	@Test
	void aGroupGivenAValueIsRefusedAsAGroup() {
		this.environment.setProperty("supervisor.worker", "3");
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> MasterSettingsResolver.bind(this.environment))
			.withMessage("Invalid property supervisor.worker: it is a group (supervisor.worker.generation, "
					+ "supervisor.worker.id), not a value; did you mean supervisor.workers?")
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(78));
	}

	@Test
	void leaderRevokeTimeoutDefaultsToFiveSeconds() throws LaunchException {
		assertThat(resolve().leaderRevokeTimeout()).isEqualTo(Duration.ofSeconds(5));
		this.environment.setProperty("supervisor.leader.revoke-timeout", "750ms");
		assertThat(resolve().leaderRevokeTimeout()).isEqualTo(Duration.ofMillis(750));
	}

	@Test
	void shutdownDelayDefaultsToNoneAndANegativeOneIsRefused() throws LaunchException {
		assertThat(resolve().shutdownDelay()).isZero();
		this.environment.setProperty("supervisor.shutdown-delay", "5s");
		assertThat(resolve().shutdownDelay()).isEqualTo(Duration.ofSeconds(5));
		this.environment.setProperty("supervisor.shutdown-delay", "-1s");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessage("Invalid value '-1s' for supervisor.shutdown-delay: expected a duration such as 5s, or 0 "
					+ "for none");
	}

	@Test
	void metricsSettingsAreChecked() throws LaunchException {
		this.environment.setProperty("supervisor.metrics.worker-tag", "");
		resolve();
		this.environment.setProperty("supervisor.metrics.worker-tag", "process_id");
		resolve();
		this.environment.setProperty("supervisor.metrics.worker-tag", "worker-id");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageStartingWith("Invalid value 'worker-id' for supervisor.metrics.worker-tag: expected a tag name");
		this.environment.setProperty("supervisor.metrics.worker-tag", "worker");
		this.environment.setProperty("supervisor.metrics.scrape-timeout", "0s");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("for supervisor.metrics.scrape-timeout: expected a positive duration");
	}

	@Test
	void negativeLinesAreRefused() {
		SupervisorProperties properties = new SupervisorProperties();
		properties.setLines(-1);
		assertThatExceptionOfType(LaunchException.class).isThrownBy(() -> MasterSettingsResolver.lines(properties))
			.withMessage("Invalid value '-1' for supervisor.lines: expected 0 or more");
	}

	@Test
	void negativeMaxRestartsIsRefused() {
		this.environment.setProperty("supervisor.restart.max-restarts", "-1");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("Invalid value '-1' for supervisor.restart.max-restarts");
	}

	@Test
	void nameComesFromSupervisorNameFirst() throws LaunchException {
		this.environment.setProperty("supervisor.name", "orders");
		assertThat(resolve().name()).isEqualTo("orders");
		assertThat(resolve().runDir()).isEqualTo(RunDirectory.defaultPath("orders"));
	}

	@Test
	void nameComesFromTheApplicationName() throws LaunchException {
		this.environment.setProperty("spring.application.name", "billing-service_2.0");
		assertThat(resolve().name()).isEqualTo("billing-service_2.0");
	}

	@Test
	void nameComesFromTheJarWithoutAnyNameProperty() throws LaunchException {
		String classPath = System.getProperty("java.class.path");
		try {
			System.setProperty("java.class.path", "/srv/apps/orders-1.2.0.jar");
			assertThat(MasterSettingsResolver.name(new MockEnvironment(), new SupervisorProperties(), Config.class))
				.isEqualTo("orders-1.2.0");
			System.setProperty("java.class.path", "/srv/apps/classes" + java.io.File.pathSeparator + "/lib/a.jar");
			assertThat(MasterSettingsResolver.name(new MockEnvironment(), new SupervisorProperties(), Config.class))
				.isEqualTo("Config");
		}
		finally {
			System.setProperty("java.class.path", classPath);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "my app", "../etc", "a/b", "-demo", ".hidden", "caf\u00e9" })
	void invalidNameIsRefused(String name) {
		this.environment.setProperty("supervisor.name", name);
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("Invalid value '" + name + "' for supervisor.name");
	}

	@Test
	void tooLongNameIsRefused() {
		this.environment.setProperty("supervisor.name", "a".repeat(101));
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("for supervisor.name");
	}

	@ParameterizedTest
	@ValueSource(strings = { "http", "70000", "65536", "-2", "80.5" })
	void invalidServerPortIsRefused(String port) {
		this.environment.setProperty("server.port", port);
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessage("Invalid value '" + port + "' for server.port: expected a whole number from -1 to 65535");
	}

	@Test
	void invalidAcceptCountIsRefused() {
		this.environment.setProperty("server.tomcat.accept-count", "0");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("for server.tomcat.accept-count");
	}

	@Test
	void appThatIsNotAWebAppHasNoPort() throws LaunchException {
		this.environment.setProperty("spring.main.web-application-type", "none");
		this.environment.setProperty("server.port", "not even checked");
		SupervisorSettings settings = resolve();
		assertThat(settings.port()).isEqualTo(-1);
		assertThat(settings.listens()).isFalse();
	}

	@Test
	void reactiveAppIsRefused() {
		this.environment.setProperty("spring.main.web-application-type", "reactive");
		assertThatExceptionOfType(LaunchException.class).isThrownBy(this::resolve)
			.withMessageContaining("reactive (WebFlux)")
			.withMessageContaining("--supervisor.enabled=false");
	}

	@ParameterizedTest
	@ValueSource(strings = { "org.apache.catalina.startup.Tomcat", "org.eclipse.jetty.server.Server" })
	void servletAppOnTomcatOrJettySharesThePort(String server) throws LaunchException {
		assertThat(MasterSettingsResolver.webServerListens(this.environment,
				present("jakarta.servlet.Servlet", "org.springframework.web.servlet.DispatcherServlet", server)))
			.isTrue();
	}

	@Test
	void webFluxOnReactorNettyIsRefused() {
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> MasterSettingsResolver.webServerListens(this.environment,
					present("org.springframework.web.reactive.DispatcherHandler",
							"reactor.netty.http.server.HttpServer")))
			.withMessageContaining("(Reactor Netty) would bind the port in every worker");
	}

	@Test
	void webFluxOnJettyIsRefusedAsSpringBootDeducesReactive() {
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> MasterSettingsResolver.webServerListens(this.environment,
					present("jakarta.servlet.Servlet", "org.springframework.web.reactive.DispatcherHandler",
							"org.eclipse.jetty.server.Server")))
			.withMessageContaining("reactive (WebFlux)");
	}

	@Test
	void webFluxBesideSpringMvcIsAServletApp() throws LaunchException {
		assertThat(MasterSettingsResolver.webServerListens(this.environment,
				present("jakarta.servlet.Servlet", "org.springframework.web.reactive.DispatcherHandler",
						"org.springframework.web.servlet.DispatcherServlet", "org.eclipse.jetty.server.Server")))
			.isTrue();
	}

	@Test
	void appWithoutAWebServerHasNoPort() throws LaunchException {
		assertThat(MasterSettingsResolver.webServerListens(this.environment, present("jakarta.servlet.Servlet")))
			.isFalse();
	}

	private static Predicate<String> present(String... types) {
		return Set.of(types)::contains;
	}

	@Test
	void daemonLogsDefaultToTheUsersLogDirectory() throws LaunchException {
		DaemonStarter.DaemonSettings daemon = MasterSettingsResolver.daemon(new SupervisorProperties(), "demo");
		Path logs = Path.of(System.getProperty("user.home"), "logs", "demo");
		assertThat(daemon.stdout()).isEqualTo(logs.resolve("master-stdout.log").toAbsolutePath());
		assertThat(daemon.stderr()).isEqualTo(logs.resolve("master-stderr.log").toAbsolutePath());
		assertThat(daemon.retention()).isEqualTo(10);
	}

	@Test
	void daemonLogsInTheConfiguredDirectoryOrFiles() throws LaunchException {
		this.environment.withProperty("supervisor.log-dir", "/var/log/demo").withProperty("supervisor.log-retention", "3");
		SupervisorProperties properties = MasterSettingsResolver.bind(this.environment);
		DaemonStarter.DaemonSettings daemon = MasterSettingsResolver.daemon(properties, "demo");
		assertThat(daemon.stdout()).isEqualTo(Path.of("/var/log/demo/master-stdout.log"));
		assertThat(daemon.stderr()).isEqualTo(Path.of("/var/log/demo/master-stderr.log"));
		assertThat(daemon.retention()).isEqualTo(3);
		this.environment.withProperty("supervisor.stdout", "/tmp/out.log").withProperty("supervisor.stderr", "err.log");
		daemon = MasterSettingsResolver.daemon(MasterSettingsResolver.bind(this.environment), "demo");
		assertThat(daemon.stdout()).isEqualTo(Path.of("/tmp/out.log"));
		assertThat(daemon.stderr()).isEqualTo(Path.of("err.log").toAbsolutePath());
	}

	@Test
	void negativeLogRetentionIsRefused() {
		SupervisorProperties properties = new SupervisorProperties();
		properties.setLogRetention(-1);
		assertThatExceptionOfType(LaunchException.class)
			.isThrownBy(() -> MasterSettingsResolver.daemon(properties, "demo"))
			.withMessageContaining("Invalid value '-1' for supervisor.log-retention");
	}

	private SupervisorSettings resolve() throws LaunchException {
		return MasterSettingsResolver.resolve(this.environment, MasterSettingsResolver.bind(this.environment),
				Config.class);
	}

	static class Config {

	}

}
