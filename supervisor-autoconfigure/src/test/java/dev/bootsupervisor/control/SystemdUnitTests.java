package dev.bootsupervisor.control;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.bootsupervisor.base.SupervisorSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SystemdUnit}.
 */
class SystemdUnitTests {

	private final SupervisorSettings settings = new SupervisorSettings("shop", 2, null, 8080, 100,
			Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1), 5, Duration.ofMinutes(1),
			Duration.ofSeconds(90), Duration.ofSeconds(40), Duration.ofSeconds(60), Path.of("/tmp/run"));

	private final List<String> execStart = List.of("/opt/jdk/bin/java", "-Xmx512m", "-jar", "/srv/shop/shop.jar",
			"--server.port=8080");

	@Test
	void unitHasTheSettingsThatFitTheApp() {
		String unit = new SystemdUnit(this.settings, Duration.ofSeconds(5), this.execStart, Path.of("/srv/shop"), 255)
			.text();
		assertThat(unit.lines()).contains("Type=notify-reload", "#Type=notify", "#ExecReload=kill -HUP $MAINPID",
				"NotifyAccess=main",
				"ExecStart=/opt/jdk/bin/java -Xmx512m -jar /srv/shop/shop.jar --server.port=8080",
				"WorkingDirectory=/srv/shop", "KillMode=mixed", "TimeoutStartSec=105s", "TimeoutStopSec=60s",
				"SuccessExitStatus=143", "OOMPolicy=continue", "Restart=on-failure", "RestartPreventExitStatus=78",
				"WatchdogSec=30s", "WantedBy=multi-user.target");
		assertThat(unit.lines()).doesNotContain("Type=notify", "ExecReload=kill -HUP $MAINPID");
	}

	@Test
	void systemdBefore253GetsNotifyAndSighupWithNotifyReloadInAComment() {
		String unit = new SystemdUnit(this.settings, Duration.ZERO, this.execStart, Path.of("/srv/shop"), 252).text();
		assertThat(unit.lines()).contains("Type=notify", "ExecReload=kill -HUP $MAINPID", "#Type=notify-reload",
				"TimeoutStopSec=55s");
		assertThat(unit.lines()).doesNotContain("Type=notify-reload");
	}

	@Test
	void anUnknownSystemdGetsNotifyReload() {
		String unit = new SystemdUnit(this.settings, Duration.ZERO, this.execStart, Path.of("/srv/shop"), 0).text();
		assertThat(unit.lines()).contains("Type=notify-reload", "#Type=notify");
	}

	@Test
	void argumentsAreQuotedAsSystemdReadsThem() {
		assertThat(SystemdUnit.quote("--app.greeting=hello world")).isEqualTo("\"--app.greeting=hello world\"");
		assertThat(SystemdUnit.quote("--discount=10%")).isEqualTo("--discount=10%%");
		assertThat(SystemdUnit.quote("--home=$HOME")).isEqualTo("--home=$$HOME");
		assertThat(SystemdUnit.quote("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
		assertThat(SystemdUnit.quote("")).isEqualTo("\"\"");
	}

	@Test
	void aDirectoryWithBlanksIsAPathSystemdTakesAsItIs(@TempDir Path temp) throws Exception {
		Path directory = Files.createDirectories(temp.resolve("sp dir 10% $HOME"));
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> execStart = List.of(java, "-jar", directory.resolve("my app.jar").toString(), "--x=a b");
		String unit = new SystemdUnit(this.settings, Duration.ZERO, execStart, directory, 252).text();
		assertThat(unit.lines()).contains("WorkingDirectory=" + temp + "/sp dir 10%% $HOME",
				"ExecStart=" + java + " -jar \"" + temp + "/sp dir 10%% $$HOME/my app.jar\" \"--x=a b\"");
		Optional<String> analyze = onPath("systemd-analyze");
		if (analyze.isPresent()) {
			Path file = Files.writeString(temp.resolve("shop.service"), unit);
			Process verify = new ProcessBuilder(analyze.get(), "verify", file.toString()).redirectErrorStream(true)
				.start();
			assertThat(verify.waitFor(30, TimeUnit.SECONDS)).isTrue();
			String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(output).as("systemd-analyze verify").doesNotContain("shop.service:");
			assertThat(verify.exitValue()).as(output).isZero();
		}
	}

	private static Optional<String> onPath(String command) {
		return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
			.map((directory) -> Path.of(directory, command))
			.filter(Files::isExecutable)
			.map(Path::toString)
			.findFirst();
	}

	@Test
	void appArgumentsFollowTheLaunchTarget() {
		assertThat(SystemdUnit.appArguments(List.of("java", "-Dx=1", "-jar", "app.jar", "--a=1", "b"),
				List.of("-jar", "/abs/app.jar"))).containsExactly("--a=1", "b");
		assertThat(SystemdUnit.appArguments(List.of("java", "-cp", "lib/*", "com.example.Main", "--a=1"),
				List.of("-cp", "/abs/lib/*", "com.example.Main"))).containsExactly("--a=1");
		assertThat(SystemdUnit.appArguments(List.of(), List.of("-jar", "/abs/app.jar"))).isEmpty();
	}

	@Test
	void theCommandThatAskedForTheUnitAndTheDaemonAreLeftOut() {
		assertThat(SystemdUnit.isLaunchOnly("--supervisor.command=systemd-unit")).isTrue();
		assertThat(SystemdUnit.isLaunchOnly("-Dsupervisor.command=systemd-unit")).isTrue();
		assertThat(SystemdUnit.isLaunchOnly("--supervisor.daemon=true")).isTrue();
		assertThat(SystemdUnit.isLaunchOnly("-agentlib:jdwp=transport=dt_socket")).isTrue();
		assertThat(SystemdUnit.isLaunchOnly("--supervisor.workers=4")).isFalse();
	}

}
