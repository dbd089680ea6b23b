package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.base.CdsSettings;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WorkerCommand;
import dev.bootsupervisor.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link MasterSpec}, what the application's JVM hands to the lean master JVM.
 */
class MasterSpecTests {

	@Test
	void roundTripsSettingsCommandAndLaunchTime() throws ProtocolException {
		SupervisorSettings settings = new SupervisorSettings("my-app", 3, "127.0.0.1", 8080, 100, Duration.ofSeconds(1),
				Duration.ofSeconds(30), Duration.ofMinutes(1), 10, Duration.ofSeconds(60), Duration.ofMinutes(5),
				Duration.ofSeconds(30), Duration.ofMinutes(2), Path.of("/run/user/1000/boot-supervisor/my-app"))
			.withShutdownDelay(Duration.ofMillis(7500))
			.withCds(new CdsSettings(true, Path.of("/var/cache/my app/cds")));
		WorkerCommand command = new WorkerCommand("/usr/bin/java", List.of("-Xmx256m", "-Dx=a b=c"),
				List.of("-jar", "/srv/my app.jar"), List.of("--server.port=8080", "--greeting=hello world", ""),
				"my-app");
		MasterSpec spec = new MasterSpec(settings, command, Instant.parse("2026-11-25T20:00:00.123Z"));
		String encoded = spec.encode();
		assertThat(encoded).doesNotContain("\n");
		assertThat(MasterSpec.decode(encoded)).isEqualTo(spec);
	}

	@Test
	void nullAddressStaysNull() throws ProtocolException {
		SupervisorSettings settings = new SupervisorSettings("app", 1, null, -1, 100, Duration.ofSeconds(1),
				Duration.ofSeconds(30), Duration.ofMinutes(1), 10, Duration.ofSeconds(60), Duration.ofMinutes(5),
				Duration.ofSeconds(30), Duration.ofMinutes(5), Path.of("/tmp/run"));
		WorkerCommand command = new WorkerCommand("java", List.of(), List.of("-cp", "a:b", "Main"), List.of(), "app");
		MasterSpec decoded = MasterSpec.decode(new MasterSpec(settings, command, Instant.EPOCH).encode());
		assertThat(decoded.settings().address()).isNull();
		assertThat(decoded.settings().listens()).isFalse();
		assertThat(decoded.settings().cds()).isEqualTo(CdsSettings.OFF);
	}

	@Test
	void malformedSpecIsRefused() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MasterSpec.decode("REQUEST name=x"));
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> MasterSpec.decode("REQUEST name=x workers=two"));
	}

	@Test
	void carriesAnyCommandLineByteForByte() throws ProtocolException {
		List<String> options = new ArrayList<>();
		List<String> arguments = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			options.add("-Dopt" + i + "=" + awkward(i));
			arguments.add("--arg" + i + "=" + awkward(i));
		}
		MasterSpec spec = spec(options, arguments);
		assertThat(MasterSpec.fromEnvironment(spec.toEnvironment())).isEqualTo(spec);
		assertThat(MasterSpec.decode(spec.encode()).command().jvmOptions()).containsExactlyElementsOf(options);
	}

	@Test
	void splitsALongSpecOverSeveralVariablesUnderTheKernelsLimit() throws ProtocolException {
		MasterSpec spec = spec(List.of("-Dbig=" + "x".repeat(300_000)), List.of("--also=" + "é".repeat(100_000)));
		Map<String, String> environment = spec.toEnvironment();
		assertThat(Integer.parseInt(environment.get(MasterSpec.ENV))).isGreaterThan(1);
		assertThat(environment).hasSize(Integer.parseInt(environment.get(MasterSpec.ENV)) + 1);
		environment.forEach((name, value) -> assertThat((name + "=" + value).length()).isLessThan(128 * 1024));
		assertThat(environment.keySet()).allMatch(MasterSpec::isSpecVariable);
		assertThat(MasterSpec.fromEnvironment(environment)).isEqualTo(spec);
	}

	@Test
	void missingOrDamagedPartsAreRefused() {
		Map<String, String> environment = new HashMap<>(
				spec(List.of("-Dbig=" + "x".repeat(200_000)), List.of()).toEnvironment());
		Map<String, String> missing = new HashMap<>(environment);
		missing.remove(MasterSpec.ENV + "_2");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MasterSpec.fromEnvironment(missing))
			.withMessageContaining("part 2");
		Map<String, String> truncated = new HashMap<>(environment);
		truncated.put(MasterSpec.ENV, "1");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MasterSpec.fromEnvironment(truncated));
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> MasterSpec.fromEnvironment(Map.of(MasterSpec.ENV, "two")));
		byte[] hugeCount = new byte[] { 0, 0, 0, 2, 0x7f, 0, 0, 0 };
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> MasterSpec.decode(Base64.getEncoder().encodeToString(hugeCount)));
	}

	private static MasterSpec spec(List<String> options, List<String> arguments) {
		SupervisorSettings settings = new SupervisorSettings("app", 2, null, 8080, 100, Duration.ofSeconds(1),
				Duration.ofSeconds(30), Duration.ofMinutes(1), 10, Duration.ofSeconds(60), Duration.ofMinutes(5),
				Duration.ofSeconds(30), Duration.ofMinutes(5), Path.of("/tmp/run"));
		return new MasterSpec(settings, new WorkerCommand("java", options, List.of("-jar", "/srv/app.jar"), arguments,
				"app"), Instant.EPOCH);
	}

	/** Spaces, quotes, '=', newlines, tabs, backslashes and non-ASCII text. */
	static String awkward(int i) {
		return switch (i % 6) {
			case 0 -> "a value with spaces " + i;
			case 1 -> "\"double\" and 'single' quotes=" + i;
			case 2 -> "line one\nline two\r\nline three " + i;
			case 3 -> "tab\there\tand=equals=" + i;
			case 4 -> "grüße, 日本語, emoji \uD83D\uDE00 " + i;
			default -> "back\\slash $HOME `x` ; | & " + i;
		};
	}

}
