package dev.bootsupervisor.master;

import java.time.Instant;

import dev.bootsupervisor.protocol.ExitReason;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ExitStatus}.
 */
class ExitStatusTests {

	@Test
	void namesCommonSignals() {
		assertThat(status(129).signal()).isEqualTo("HUP");
		assertThat(status(130).signal()).isEqualTo("INT");
		assertThat(status(131).signal()).isEqualTo("QUIT");
		assertThat(status(134).signal()).isEqualTo("ABRT");
		assertThat(status(137).signal()).isEqualTo("KILL");
		assertThat(status(139).signal()).isEqualTo("SEGV");
		assertThat(status(143).signal()).isEqualTo("TERM");
	}

	@Test
	void numbersOtherSignals() {
		assertThat(status(138).signal()).isEqualTo("SIG10");
		assertThat(status(192).signal()).isEqualTo("SIG64");
	}

	@Test
	void ordinaryExitCodesHaveNoSignal() {
		assertThat(status(0).signal()).isNull();
		assertThat(status(1).signal()).isNull();
		assertThat(status(128).signal()).isNull();
		assertThat(status(193).signal()).isNull();
		assertThat(status(255).signal()).isNull();
		assertThat(status(-1).signal()).isNull();
	}

	@Test
	void describesTheSignalOrTheCode() {
		assertThat(status(137).describe()).isEqualTo("signal KILL (exit code 137)");
		assertThat(status(3).describe()).isEqualTo("exit code 3");
	}

	private static ExitStatus status(int code) {
		return new ExitStatus(code, Instant.EPOCH, ExitReason.CRASHED, "test");
	}

}
