package dev.bootsupervisor.control;

import dev.bootsupervisor.base.LaunchException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link OutputFormat}.
 */
class OutputFormatTests {

	@Test
	void textByDefaultAndJsonInAnyCase() throws LaunchException {
		assertThat(OutputFormat.of(null)).isEqualTo(OutputFormat.TEXT);
		assertThat(OutputFormat.of(" ")).isEqualTo(OutputFormat.TEXT);
		assertThat(OutputFormat.of("text")).isEqualTo(OutputFormat.TEXT);
		assertThat(OutputFormat.of(" JSON ")).isEqualTo(OutputFormat.JSON);
	}

	@Test
	void anyOtherValueIsAUsageError() {
		assertThatExceptionOfType(LaunchException.class).isThrownBy(() -> OutputFormat.of("yaml"))
			.withMessage("Invalid value 'yaml' for supervisor.format: expected text or json")
			.satisfies((ex) -> assertThat(ex.exitCode()).isEqualTo(2));
	}

}
