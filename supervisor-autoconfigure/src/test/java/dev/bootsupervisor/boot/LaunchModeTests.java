package dev.bootsupervisor.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.bootsupervisor.boot.LaunchMode.Decision;
import dev.bootsupervisor.boot.LaunchMode.Host;
import dev.bootsupervisor.boot.LaunchMode.Notice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LaunchMode}. A plain {@code main} launch is reproduced by deciding on a thread named
 * {@code main} whose stack has no test framework on it. The operating system, the JVM options and where the main
 * class comes from are injected: by default a packaged launch on Linux.
 */
class LaunchModeTests {

	private static final Host PACKAGED_ON_LINUX = new Host("Linux", List.of("-Xmx256m"), null);

	@TempDir
	Path temp;

	private Host host = PACKAGED_ON_LINUX;

	private final MockEnvironment environment = new MockEnvironment();

	private final SpringApplication application = new SpringApplication(Config.class);

	@Test
	void offInATest() {
		assertThat(LaunchMode.decide(this.environment, this.application)).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void offInATestEvenWithACommand() {
		this.environment.setProperty("supervisor.command", "status");
		assertThat(LaunchMode.decide(this.environment, this.application)).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void workerWhenTheWorkerIdIsSetEvenInATest() {
		this.environment.setProperty("supervisor.worker.id", "1");
		assertThat(LaunchMode.decide(this.environment, this.application)).isEqualTo(LaunchMode.WORKER);
	}

	@Test
	void masterOnAPlainMainLaunch() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.MASTER);
	}

	@Test
	void offWhenDisabled() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.enabled", "false");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void commandWhenACommandIsGiven() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.command", "status");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.COMMAND);
		this.environment.setProperty("supervisor.enabled", "false");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.COMMAND);
	}

	@Test
	void blankCommandIsACommandSoItIsRefusedInsteadOfStartingACluster() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.command", " ");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.COMMAND);
	}

	@Test
	void workerWinsOverEverything() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.worker.id", "2");
		this.environment.setProperty("supervisor.command", "status");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.WORKER);
	}

	@Test
	void offWithoutAMainApplicationClass() throws Exception {
		this.application.setMainApplicationClass(null);
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void offOnAnotherThread() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		assertThat(decideOn("restartedMain")).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void developerRunFromMavensClassesDirectoryIsUnsupervisedWithOneInfoLine() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.host = new Host("Linux", List.of(), directory("project/target/classes"));
		Decision decision = resolveOnMainThread();
		assertThat(decision.mode()).isEqualTo(LaunchMode.OFF);
		assertThat(decision.notice()).isEqualTo(Notice.INFO);
		assertThat(decision.message()).contains("Developer run", "target/classes", "supervisor.enabled=true")
			.doesNotContain("\n");
	}

	@Test
	void developerRunFromGradleIntellijOrEclipseOutput() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		for (String output : List.of("p/build/classes/java/main", "p/build/classes/kotlin/main", "p/out/production/app",
				"p/bin/main")) {
			this.host = new Host("Linux", List.of(), directory(output));
			assertThat(resolveOnMainThread().mode()).as(output).isEqualTo(LaunchMode.OFF);
		}
	}

	@Test
	void developerRunWithADebuggerAgentIsUnsupervised() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		for (String agent : List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:5005",
				"-Xrunjdwp:transport=dt_socket,server=y", "-agentpath:/opt/jdk/lib/libjdwp.so=transport=dt_socket")) {
			this.host = new Host("Linux", List.of("-Xmx256m", agent), null);
			Decision decision = resolveOnMainThread();
			assertThat(decision.mode()).as(agent).isEqualTo(LaunchMode.OFF);
			assertThat(decision.notice()).isEqualTo(Notice.INFO);
			assertThat(decision.message()).contains("debugger agent", "supervisor.enabled=true");
		}
	}

	@Test
	void supervisorEnabledTrueSupervisesADeveloperRun() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.enabled", "true");
		this.host = new Host("Linux", List.of("-agentlib:jdwp=transport=dt_socket,server=y"),
				directory("project/target/classes"));
		Decision decision = resolveOnMainThread();
		assertThat(decision.mode()).isEqualTo(LaunchMode.MASTER);
		assertThat(decision.notice()).isNull();
	}

	@Test
	void classPathLaunchesOfJarsAndProductionDirectoriesStaySupervised() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		Path jar = Files.createFile(Files.createDirectories(this.temp.resolve("app")).resolve("app.jar"));
		// java -cp 'lib/*:app.jar' Main; Jib's /app/classes; an unzipped Boot jar run with its JarLauncher
		for (String location : List.of(jar.toString(), directory("app/classes"), directory("x/BOOT-INF/classes"))) {
			this.host = new Host("Linux", List.of("-Xmx256m"), location);
			assertThat(resolveOnMainThread().mode()).as(location).isEqualTo(LaunchMode.MASTER);
		}
	}

	@Test
	void otherOperatingSystemsRunAPlainProcessWithOneWarnLine() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		for (String os : List.of("Mac OS X", "Windows 11", "FreeBSD")) {
			this.host = new Host(os, List.of(), null);
			Decision decision = resolveOnMainThread();
			assertThat(decision.mode()).as(os).isEqualTo(LaunchMode.OFF);
			assertThat(decision.notice()).isEqualTo(Notice.WARN);
			assertThat(decision.message()).contains("Linux only", os, "single plain process");
		}
		this.environment.setProperty("supervisor.enabled", "true");
		assertThat(resolveOnMainThread().mode()).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void otherOperatingSystemsStaySilentWhenDisabled() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.enabled", "false");
		this.host = new Host("Mac OS X", List.of(), null);
		assertThat(resolveOnMainThread()).isEqualTo(new Decision(LaunchMode.OFF, null, null));
	}

	@Test
	void commandsOnOtherOperatingSystemsFailWithOneLine() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.command", "status");
		this.host = new Host("Windows 10", List.of(), null);
		Decision decision = resolveOnMainThread();
		assertThat(decision.notice()).isEqualTo(Notice.ERROR);
		assertThat(decision.message()).contains("needs Linux", "Windows 10");
	}

	@Test
	void workersAreWorkersOnAnyHost() throws Exception {
		this.environment.setProperty("supervisor.worker.id", "1");
		this.host = new Host("Linux", List.of("-agentlib:jdwp=transport=dt_socket"), directory("p/target/classes"));
		assertThat(resolveOnMainThread().mode()).isEqualTo(LaunchMode.WORKER);
	}

	private String directory(String relative) throws IOException {
		return Files.createDirectories(this.temp.resolve(relative)).toString();
	}

	private LaunchMode decideOnMainThread() throws InterruptedException {
		return resolveOnMainThread().mode();
	}

	private Decision resolveOnMainThread() throws InterruptedException {
		return resolveOn("main");
	}

	private LaunchMode decideOn(String threadName) throws InterruptedException {
		return resolveOn(threadName).mode();
	}

	private Decision resolveOn(String threadName) throws InterruptedException {
		AtomicReference<Decision> decision = new AtomicReference<>();
		Thread thread = new Thread(
				() -> decision.set(LaunchMode.resolve(this.environment, this.application, this.host)), threadName);
		thread.start();
		thread.join(10_000);
		return decision.get();
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

	}

}
