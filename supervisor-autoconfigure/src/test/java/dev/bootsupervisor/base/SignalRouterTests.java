package dev.bootsupervisor.base;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SignalRouter}: a SIGHUP ignored by whatever started the JVM is given back its default
 * disposition, and one that is handled is left alone.
 */
class SignalRouterTests {

	private static final int SIGHUP = 1;

	private static final long DEFAULT = 0;

	private static final long IGNORED = 1;

	@Test
	void anIgnoredHangupGetsItsDefaultBackAndAnotherDispositionIsLeftAlone() throws Exception {
		Posix.LibC libc = Posix.libc();
		// as nohup leaves it; whatever the JVM had is put back at the end
		long before = libc.signal(SIGHUP, IGNORED);
		try {
			assertThat(SignalRouter.unignoreHangup()).as("ignored at first").isTrue();
			assertThat(libc.signal(SIGHUP, DEFAULT)).as("disposition after the reset").isEqualTo(DEFAULT);
			assertThat(SignalRouter.unignoreHangup()).as("with the default disposition").isFalse();
			assertThat(libc.signal(SIGHUP, DEFAULT)).as("the default, untouched").isEqualTo(DEFAULT);
		}
		finally {
			libc.signal(SIGHUP, before);
		}
	}

}
