package dev.bootsupervisor.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AcceptGate}.
 */
class AcceptGateTests {

	private final AcceptGate gate = new AcceptGate();

	private final CountingListener listener = new CountingListener(3);

	@Test
	void startsClosed() {
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.CLOSED);
	}

	@Test
	void opensOnce() {
		assertThat(this.gate.open()).isTrue();
		assertThat(this.gate.open()).isFalse();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.OPEN);
	}

	@Test
	void drainsOnceAndTellsItsListeners() {
		this.gate.register(this.listener);
		this.gate.open();
		assertThat(this.gate.drain()).isTrue();
		assertThat(this.gate.drain()).isFalse();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		assertThat(this.listener.drained).hasValue(1);
	}

	@Test
	void drainsWithoutHavingOpened() {
		this.gate.register(this.listener);
		assertThat(this.gate.drain()).isTrue();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		assertThat(this.listener.drained).hasValue(1);
	}

	@Test
	void neverReopensAfterDraining() {
		this.gate.drain();
		assertThat(this.gate.open()).isFalse();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
	}

	@Test
	void tellsAListenerRegisteredAfterDrainingAtOnce() {
		this.gate.drain();
		this.gate.register(this.listener);
		assertThat(this.listener.drained).hasValue(1);
	}

	@Test
	void sumsTheOpenConnectionsOfItsListeners() {
		this.gate.register(this.listener);
		this.gate.register(new CountingListener(2));
		assertThat(this.gate.openConnections()).isEqualTo(5);
	}

	@Test
	void awaitingReturnsAsSoonAsTheGateOpens() {
		CompletableFuture<AcceptGate.State> waiter = CompletableFuture.supplyAsync(this::awaitLeavingClosedForAMinute);
		await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10)).until(() -> !waiter.isDone());
		this.gate.open();
		assertThat(waiter).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(AcceptGate.State.OPEN);
	}

	@Test
	void awaitingReturnsAsSoonAsTheGateDrains() {
		CompletableFuture<AcceptGate.State> waiter = CompletableFuture.supplyAsync(this::awaitLeavingClosedForAMinute);
		this.gate.drain();
		assertThat(waiter).succeedsWithin(Duration.ofSeconds(1)).isEqualTo(AcceptGate.State.DRAINED);
	}

	@Test
	void awaitingEndsAtTheTimeoutWhenNothingChanges() throws InterruptedException {
		long start = System.nanoTime();
		assertThat(this.gate.awaitChangeFrom(AcceptGate.State.CLOSED, 50)).isEqualTo(AcceptGate.State.CLOSED);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(50), Duration.ofSeconds(1));
	}

	@Test
	void awaitingAStateTheGateIsNotInReturnsAtOnce() throws InterruptedException {
		assertThat(this.gate.awaitChangeFrom(AcceptGate.State.OPEN, 60_000)).isEqualTo(AcceptGate.State.CLOSED);
	}

	private AcceptGate.State awaitLeavingClosedForAMinute() {
		try {
			return this.gate.awaitChangeFrom(AcceptGate.State.CLOSED, 60_000);
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static final class CountingListener implements AcceptGate.Listener {

		final AtomicInteger drained = new AtomicInteger();

		private final int openConnections;

		CountingListener(int openConnections) {
			this.openConnections = openConnections;
		}

		@Override
		public void drained() {
			this.drained.incrementAndGet();
		}

		@Override
		public int openConnections() {
			return this.openConnections;
		}

	}

}
