package dev.bootsupervisor.launcher;

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
	void jarIsKnownOnlyForAJarLaunch() {
		assertThat(this.jarCommand.jar()).isEqualTo(Path.of("/srv/app.jar"));
		assertThat(this.classPathCommand.jar()).isNull();
	}

	@Test
	void withJarRunsAnotherJarWithTheSameOptionsAndArguments() {
		WorkerCommand copy = this.classPathCommand.withJar(Path.of("/var/run/app/snapshot-2.jar"));
		assertThat(copy.jar()).isEqualTo(Path.of("/var/run/app/snapshot-2.jar"));
		assertThat(copy.launchTarget()).containsExactly("-jar", "/var/run/app/snapshot-2.jar");
		assertThat(copy.jvmOptions()).isEqualTo(this.classPathCommand.jvmOptions());
		assertThat(copy.arguments()).isEqualTo(this.classPathCommand.arguments());
		assertThat(copy.javaExecutable()).isEqualTo(this.classPathCommand.javaExecutable());
		assertThat(copy.name()).isEqualTo("app");
		assertThat(this.classPathCommand.jar()).isNull();
	}

	@Test
	void currentJvmCommandRunsTheSameJavaAndDropsMasterOnlyOptions() {
		WorkerCommand command = WorkerCommand.ofCurrentJvm(new String[] { "--a=b" }, "app");
		assertThat(Path.of(command.javaExecutable())).exists();
		assertThat(command.arguments()).containsExactly("--a=b");
		assertThat(command.jvmOptions()).noneMatch(WorkerCommand::isMasterOnly);
		assertThat(command.launchTarget()).isNotEmpty();
	}

}
