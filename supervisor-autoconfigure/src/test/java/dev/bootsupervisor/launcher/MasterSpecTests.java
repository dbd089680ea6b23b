package dev.bootsupervisor.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
				Duration.ofSeconds(30), Duration.ofMinutes(2), Path.of("/run/user/1000/boot-supervisor/my-app"));
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
	}

	@Test
	void malformedSpecIsRefused() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MasterSpec.decode("REQUEST name=x"));
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> MasterSpec.decode("REQUEST name=x workers=two"));
	}

}
