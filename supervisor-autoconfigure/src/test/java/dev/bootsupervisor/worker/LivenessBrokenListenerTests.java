package dev.bootsupervisor.worker;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LivenessBrokenListener}.
 */
class LivenessBrokenListenerTests {

	private final List<String> broken = new ArrayList<>();

	private final LivenessBrokenListener listener = new LivenessBrokenListener(this.broken::add);

	@Test
	void reportsBrokenLiveness() {
		this.listener.onApplicationEvent(new AvailabilityChangeEvent<>(this, LivenessState.BROKEN));
		assertThat(this.broken).singleElement()
			.asString()
			.isEqualTo("LivenessState.BROKEN published by " + getClass().getName());
	}

	@Test
	void ignoresCorrectLiveness() {
		this.listener.onApplicationEvent(new AvailabilityChangeEvent<>(this, LivenessState.CORRECT));
		assertThat(this.broken).isEmpty();
	}

}
