package dev.bootsupervisor.master;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link NotifySocket}'s addresses.
 */
class NotifySocketTests {

	@Test
	void aPathEndsWithZeroAndCountsIt() {
		byte[] address = NotifySocket.address("/run/systemd/notify");
		assertThat(ByteBuffer.wrap(address).order(ByteOrder.nativeOrder()).getShort()).isEqualTo((short) 1);
		assertThat(address).hasSize(2 + "/run/systemd/notify".length() + 1);
		assertThat(new String(address, 2, address.length - 3, StandardCharsets.UTF_8)).isEqualTo("/run/systemd/notify");
		assertThat(address[address.length - 1]).isZero();
	}

	@Test
	void anAbstractNameStartsWithZeroAndCountsOnlyTheName() {
		byte[] address = NotifySocket.address("@/org/freedesktop/systemd1/notify/42");
		String name = "/org/freedesktop/systemd1/notify/42";
		assertThat(address).hasSize(2 + 1 + name.length());
		assertThat(address[2]).isZero();
		assertThat(new String(Arrays.copyOfRange(address, 3, address.length), StandardCharsets.UTF_8)).isEqualTo(name);
	}

	@Test
	void anEmptyOrOverlongNameIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.address("@"));
		assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.address("/" + "x".repeat(107)));
	}

	@Test
	void monotonicTimeAdvances() {
		long before = NotifySocket.monotonicMicros();
		assertThat(NotifySocket.monotonicMicros()).isGreaterThanOrEqualTo(before).isPositive();
	}

}
