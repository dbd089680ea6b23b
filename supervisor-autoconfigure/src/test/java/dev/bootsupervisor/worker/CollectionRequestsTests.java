package dev.bootsupervisor.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CollectionRequests}: when a worker asks its JVM for a collection, on a fake clock.
 */
class CollectionRequestsTests {

	/** heap-after-gc=70, in tenths of a percent. */
	private static final int THRESHOLD = 700;

	private long now = 1_000_000;

	private long collections;

	private int latest = -1;

	/** Started a minute ago, with no figure since. */
	private final CollectionRequests requests = new CollectionRequests(70, false, this.now - 60_000);

	@Test
	void noRequestWhileTheOldGenerationIsAtOrBelowTheThreshold() {
		for (int second = 0; second < 60; second++) {
			assertThat(heartbeat(THRESHOLD)).isFalse();
		}
		assertThat(this.requests.requests()).isZero();
	}

	@Test
	void aRequestOnceAboveTheThresholdWithNoFigureForTwoHeartbeats() {
		assertThat(heartbeat(750)).isTrue();
		assertThat(this.requests.requests()).isOne();
	}

	@Test
	void aRecentFigureGivesTheCollectorsOwnCollectionsTheirChanceFirst() {
		this.now += 10_000;
		naturalFigure(650);
		assertThat(this.requests.due(this.now, 750, this.collections, this.latest)).isFalse();
		assertThat(heartbeat(750)).as("one heartbeat later").isFalse();
		assertThat(heartbeat(750)).as("two heartbeats without a figure").isTrue();
	}

	@Test
	void oneRequestAtATime() {
		assertThat(heartbeat(750)).isTrue();
		for (int second = 0; second < 10; second++) {
			assertThat(heartbeat(750)).as("while the first runs").isFalse();
		}
	}

	@Test
	void aFigureAboveIsConfirmedTwiceHalfASecondApartThenOnePerInterval() {
		assertThat(heartbeat(750)).isTrue();
		assertThat(measured(720)).as("confirm 72.0%").isTrue();
		assertThat(after(400, 760)).as("within the gap").isFalse();
		assertThat(after(100, 760)).isTrue();
		assertThat(measured(740)).as("confirm 74.0%").isTrue();
		assertThat(after(500, 780)).isTrue();
		assertThat(measuredThen(760)).as("three above in a row: the master's, sent at once")
			.isEqualTo(CollectionRequests.Next.REPORT);
		assertThat(this.requests.requests()).isEqualTo(3);
		// a leaking worker the master has not recycled yet: one request every five seconds
		assertThat(after(4_900, 800)).isFalse();
		assertThat(after(100, 800)).isTrue();
		assertThat(measuredThen(790)).as("sent with the next heartbeat").isEqualTo(CollectionRequests.Next.NOTHING);
		assertThat(this.requests.interval()).isEqualTo(CollectionRequests.FIRST_INTERVAL_MILLIS);
	}

	@Test
	void aHealthyAppHoldingGarbageIsCollectedLessAndLessOften() {
		long[] gaps = new long[8];
		long last = this.now;
		for (int i = 0; i < gaps.length; i++) {
			while (!heartbeat(900)) {
				assertThat(this.now - last).as("waiting for request %d", i + 1).isLessThan(400_000);
			}
			gaps[i] = this.now - last;
			last = this.now;
			assertThat(measured(300)).as("30.0%% after the collection: nothing to confirm").isFalse();
		}
		// no figure for two heartbeats at first, then 10, 20, 40, 80, 160 s, and five minutes at most
		assertThat(gaps).containsExactly(1_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000);
	}

	@Test
	void aRiseOfFivePointsAfterAFigureJustBelowTheThresholdBringsTheNextRequestSooner() {
		assertThat(heartbeat(703)).isTrue();
		assertThat(measured(660)).as("66.0%: less than 5 points below").isFalse();
		assertThat(heartbeat(740)).as("a rise of 3.7 points").isFalse();
		assertThat(heartbeat(753)).as("a rise of 5 points, within the interval of 10 s").isTrue();
		assertThat(measured(715)).as("71.5%: confirm").isTrue();
	}

	@Test
	void aFigureFarBelowTheThresholdWaitsTheIntervalHoweverFastTheUseRises() {
		assertThat(heartbeat(750)).isTrue();
		assertThat(measured(300)).as("30.0%: a healthy app's garbage").isFalse();
		for (int second = 1; second < 10; second++) {
			assertThat(heartbeat(750 + second * 25)).as("%d s later", second).isFalse();
		}
		assertThat(heartbeat(990)).as("the interval of 10 s").isTrue();
	}

	@Test
	void aLeakConfirmedAboveTheThresholdWaitsTheIntervalHoweverFastItRises() {
		assertThat(heartbeat(750)).isTrue();
		measured(720);
		assertThat(after(500, 800)).isTrue();
		measured(760);
		assertThat(after(500, 850)).isTrue();
		measured(800);
		assertThat(after(1_000, 900)).isFalse();
		assertThat(after(1_000, 950)).isFalse();
		assertThat(after(3_000, 990)).isTrue();
	}

	@Test
	void theCollectorsOwnFiguresKeepRequestsAway() {
		for (int second = 0; second < 30; second++) {
			this.now += 1_000;
			naturalFigure(650);
			assertThat(this.requests.due(this.now, 800, this.collections, this.latest)).isFalse();
		}
		assertThat(this.requests.requests()).isZero();
	}

	@Test
	void aFigureAboveResetsTheInterval() {
		assertThat(heartbeat(900)).isTrue();
		measured(300);
		assertThat(after(9_000, 900)).isFalse();
		assertThat(after(1_000, 900)).isTrue();
		measured(300);
		assertThat(this.requests.interval()).isEqualTo(20_000);
		this.now += 3_000;
		naturalFigure(720);
		assertThat(this.requests.due(this.now, 900, this.collections, this.latest)).isFalse();
		assertThat(this.requests.interval()).isEqualTo(CollectionRequests.FIRST_INTERVAL_MILLIS);
		assertThat(after(2_000, 900)).as("five seconds after the last request, two without a figure").isTrue();
	}

	@Test
	void aRequestThatBringsNoFigureKeepsTheInterval() {
		assertThat(heartbeat(750)).isTrue();
		assertThat(this.requests.measured(this.now, this.collections, this.latest))
			.isEqualTo(CollectionRequests.Next.NOTHING);
		assertThat(after(4_000, 750)).isFalse();
		assertThat(after(1_000, 750)).isTrue();
	}

	@Test
	void withExplicitGcDisabledItWarnsOnceAndNeverRequests() {
		CollectionRequests disabled = new CollectionRequests(70, true, this.now);
		for (int second = 1; second <= 30; second++) {
			assertThat(disabled.due(this.now + second * 1_000L, 950, 0, -1)).isFalse();
		}
		assertThat(disabled.warnedExplicitGcDisabled()).isTrue();
		assertThat(disabled.requests()).isZero();
	}

	@Test
	void withExplicitGcDisabledNoWarningWhileNoRequestWouldBeMade() {
		CollectionRequests disabled = new CollectionRequests(70, true, this.now);
		assertThat(disabled.due(this.now + 10_000, 500, 0, -1)).as("below the threshold").isFalse();
		for (int second = 11; second <= 30; second++) {
			assertThat(disabled.due(this.now + second * 1_000L, 950, second, 650)).as("figures every second").isFalse();
		}
		assertThat(disabled.warnedExplicitGcDisabled()).isFalse();
	}

	private boolean heartbeat(int useTenths) {
		return after(1_000, useTenths);
	}

	private boolean after(long millis, int useTenths) {
		this.now += millis;
		return this.requests.due(this.now, useTenths, this.collections, this.latest);
	}

	/** A requested collection's figure, on the clock's same millisecond. */
	private boolean measured(int figureTenths) {
		return measuredThen(figureTenths) == CollectionRequests.Next.CONFIRM;
	}

	private CollectionRequests.Next measuredThen(int figureTenths) {
		this.collections++;
		this.latest = figureTenths;
		return this.requests.measured(this.now, this.collections, this.latest);
	}

	private void naturalFigure(int figureTenths) {
		this.collections++;
		this.latest = figureTenths;
	}

}
