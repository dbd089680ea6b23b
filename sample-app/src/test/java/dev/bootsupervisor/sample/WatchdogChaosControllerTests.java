package dev.bootsupervisor.sample;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos endpoints' answers, called directly: bad parameters are refused with a message, good ones do what they
 * say.
 */
class WatchdogChaosControllerTests {

	private final List<Object> events = new ArrayList<>();

	private final WatchdogChaosController controller = new WatchdogChaosController(new WorkerIdentity(42, 1, 1),
			this.events::add);

	@Test
	void badParametersAreRefusedWithAMessage() {
		for (String mb : new String[] { null, "", "-1", "0", "abc", "1025", "99999999999" }) {
			assertThat(this.controller.leak(mb).getStatusCode()).as("mb=%s", mb).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(this.controller.leak(mb).getBody()).containsKey("error");
		}
		for (String seconds : new String[] { null, "-5", "601", "1.5" }) {
			assertThat(this.controller.gcStorm(seconds).getStatusCode()).as("seconds=%s", seconds)
				.isEqualTo(HttpStatus.BAD_REQUEST);
		}
	}

	@Test
	void leakRetainsMoreAndSaysHowMuch() {
		int before = (int) this.controller.leak("1").getBody().get("retainedMb");
		assertThat(this.controller.leak("2").getBody()).containsEntry("retainedMb", before + 2)
			.containsEntry("pid", 42L);
	}

	@Test
	void gcStormCountsItsCollections() {
		assertThat((long) this.controller.gcStorm("1").getBody().get("collections")).isPositive();
	}

	@Test
	void brokenPublishesLivenessBroken() {
		assertThat(this.controller.broken().getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(this.events).singleElement()
			.isInstanceOfSatisfying(AvailabilityChangeEvent.class,
					(event) -> assertThat(event.getState()).isEqualTo(LivenessState.BROKEN));
	}

}
