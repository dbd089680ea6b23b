package dev.bootsupervisor.base;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerCommand}.
 */
class WorkerCommandTests {

	private final WorkerCommand jarCommand = new WorkerCommand("/opt/java/bin/java", List.of("-Xmx256m", "-Dfoo=bar"),
			List.of("-jar", "/srv/app.jar"), List.of("--server.port=9090", "--spring.profiles.active=prod"), "app");

	private final WorkerCommand classPathCommand = new WorkerCommand("/opt/java/bin/java", List.of("-Xmx256m"),
			List.of("-cp", "/srv/classes:/srv/lib/a.jar", "com.example.Main"), List.of("arg"), "app");

	@Test
	void workerLineAddsTheWorkerPropertiesBeforeTheJarAndKeepsTheArguments() {
		assertThat(this.jarCommand.forWorker(3, 7)).containsExactly("/opt/java/bin/java", "-Xmx256m", "-Dfoo=bar",
				"-Dsupervisor.name=app", "-Dsupervisor.worker.id=3", "-Dsupervisor.worker.generation=7", "-jar",
				"/srv/app.jar", "--server.port=9090", "--spring.profiles.active=prod");
	}

	@Test
	void workerLineAddsTheWorkerPropertiesBeforeTheClassPathAndMainClass() {
		assertThat(this.classPathCommand.forWorker(1, 1)).containsExactly("/opt/java/bin/java", "-Xmx256m",
				"-Dsupervisor.name=app", "-Dsupervisor.worker.id=1", "-Dsupervisor.worker.generation=1", "-cp",
				"/srv/classes:/srv/lib/a.jar", "com.example.Main", "arg");
	}

	@Test
	void daemonMasterLineIsMarkedAsDetached() {
		assertThat(this.jarCommand.forDaemonMaster()).containsExactly("/opt/java/bin/java", "-Xmx256m", "-Dfoo=bar",
				"-Dsupervisor.daemonized=true", "-jar", "/srv/app.jar", "--server.port=9090",
				"--spring.profiles.active=prod");
	}

	@Test
	void daemonMasterLineNamesItsLogFilesWhichTheWorkersDoNotRepeat() {
		assertThat(this.jarCommand.forDaemonMaster(Path.of("/logs/out.log"), Path.of("/logs/err.log")))
			.containsSequence("-Dsupervisor.daemonized=true", "-Dsupervisor.daemonized.stdout=/logs/out.log",
					"-Dsupervisor.daemonized.stderr=/logs/err.log", "-jar");
		assertThat(WorkerCommand.isMasterOnly("-Dsupervisor.daemonized.stdout=/logs/out.log")).isTrue();
		assertThat(WorkerCommand.isMasterOnly("-Dsupervisor.daemonized.stderr=/logs/err.log")).isTrue();
	}

	@Test
	void masterOnlyOptionsAreDebuggerAgentsAndWorkerMarkers() {
		assertThat(WorkerCommand.isMasterOnly("-agentlib:jdwp=transport=dt_socket,server=y,address=5005")).isTrue();
		assertThat(WorkerCommand.isMasterOnly("-Xrunjdwp:transport=dt_socket,server=y")).isTrue();
		assertThat(WorkerCommand.isMasterOnly("-Dsupervisor.worker.id=1")).isTrue();
		assertThat(WorkerCommand.isMasterOnly("-Dsupervisor.worker.generation=2")).isTrue();
		assertThat(WorkerCommand.isMasterOnly("-Dsupervisor.name=app")).isTrue();
		assertThat(WorkerCommand.isMasterOnly("-Dsupervisor.daemonized=true")).isTrue();
	}

	@Test
	void ordinaryOptionsAreKeptForWorkers() {
		assertThat(WorkerCommand.isMasterOnly("-Xmx1g")).isFalse();
		assertThat(WorkerCommand.isMasterOnly("-javaagent:/opt/otel.jar")).isFalse();
		assertThat(WorkerCommand.isMasterOnly("-agentlib:hprof")).isFalse();
		assertThat(WorkerCommand.isMasterOnly("-Dsupervisor.workers=4")).isFalse();
		assertThat(WorkerCommand.isMasterOnly("-Dsupervisor.shutdown-timeout=10s")).isFalse();
		assertThat(WorkerCommand.isMasterOnly("-Dspring.profiles.active=prod")).isFalse();
	}

	@Test
	void withLaunchRunsAnotherClassPathWithTheSameArguments() {
		WorkerCommand copy = this.classPathCommand.withLaunch(List.of("-Xmx256m", "-Dloader.path=/snap/lib"),
				List.of("-jar", "/var/run/app/1-2/srv/app.jar"));
		assertThat(copy.launchTarget()).containsExactly("-jar", "/var/run/app/1-2/srv/app.jar");
		assertThat(copy.jvmOptions()).containsExactly("-Xmx256m", "-Dloader.path=/snap/lib");
		assertThat(copy.arguments()).isEqualTo(this.classPathCommand.arguments());
		assertThat(copy.javaExecutable()).isEqualTo(this.classPathCommand.javaExecutable());
		assertThat(copy.name()).isEqualTo("app");
	}

	@Test
	void givenClassPathIsTheCpOptionBeforeTheMainClassWithItsWildcards() {
		assertThat(WorkerCommand.givenClassPath(List.of("java", "-Xmx1g", "-cp", "app/lib/*:app/app.jar",
				"com.example.Main", "-cp", "x"), null)).isEqualTo("app/lib/*:app/app.jar");
		assertThat(WorkerCommand.givenClassPath(List.of("java", "-classpath", "a.jar", "Main"), null))
			.isEqualTo("a.jar");
		assertThat(WorkerCommand.givenClassPath(List.of("java", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
				"--class-path=/app/libs/*", "Main"), null)).isEqualTo("/app/libs/*");
	}

	@Test
	void givenClassPathFallsBackToTheEnvironmentOrNothing() {
		assertThat(WorkerCommand.givenClassPath(List.of("java", "Main", "-cp", "x"), "lib/*")).isEqualTo("lib/*");
		assertThat(WorkerCommand.givenClassPath(List.of("java", "@options", "Main"), "lib/*")).isNull();
		assertThat(WorkerCommand.givenClassPath(List.of(), "lib/*")).isNull();
	}

	@Test
	void currentJvmCommandRunsTheSameJavaAndDropsMasterOnlyOptions() {
		WorkerCommand command = WorkerCommand.ofCurrentJvm(new String[] { "--a=b" }, "app");
		assertThat(Path.of(command.javaExecutable())).exists();
		assertThat(command.arguments()).containsExactly("--a=b");
		assertThat(command.jvmOptions()).noneMatch(WorkerCommand::isMasterOnly);
		assertThat(command.launchTarget()).isNotEmpty();
	}

	@Test
	void nativeAccessIsGrantedOnJava22AndLaterOnlyAndOnlyOnce() {
		List<String> options = List.of("-Xmx256m");
		assertThat(WorkerCommand.withNativeAccess(options, 17)).containsExactly("-Xmx256m");
		assertThat(WorkerCommand.withNativeAccess(options, 21)).containsExactly("-Xmx256m");
		assertThat(WorkerCommand.withNativeAccess(options, 22)).containsExactly("-Xmx256m",
				"--enable-native-access=ALL-UNNAMED");
		assertThat(WorkerCommand.withNativeAccess(options, 25)).containsExactly("-Xmx256m",
				"--enable-native-access=ALL-UNNAMED");
		assertThat(WorkerCommand.withNativeAccess(List.of("--enable-native-access=ALL-UNNAMED"), 25))
			.containsExactly("--enable-native-access=ALL-UNNAMED");
		assertThat(WorkerCommand.withNativeAccess(List.of("--enable-native-access", "com.example"), 25))
			.containsExactly("--enable-native-access", "com.example");
	}

	@Test
	void theCurrentJvmsCommandGrantsNativeAccessWhenItsJavaKnowsTheOption() {
		WorkerCommand command = WorkerCommand.ofCurrentJvm(new String[0], "app");
		if (Runtime.version().feature() >= 22) {
			assertThat(command.jvmOptions()).containsOnlyOnce("--enable-native-access=ALL-UNNAMED");
			assertThat(command.forWorker(1, 1)).contains("--enable-native-access=ALL-UNNAMED");
		}
		else {
			assertThat(command.jvmOptions()).noneMatch((option) -> option.startsWith("--enable-native-access"));
		}
	}

}
