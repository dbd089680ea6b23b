package dev.bootsupervisor.worker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * Tests for {@link WorkerDrainLifecycle}.
 */
@ExtendWith(OutputCaptureExtension.class)
class WorkerDrainLifecycleTests {

	private final AcceptGate gate = new AcceptGate();

	private final List<Object> events = new CopyOnWriteArrayList<>();

	private final ApplicationEventPublisher eventPublisher = this.events::add;

	private final WorkerRuntime runtime = mock(WorkerRuntime.class);

	private final ClosingConnections connections = new ClosingConnections();

	@Test
	void stopsBeforeTheWebServerGracefulShutdown() {
		assertThat(lifecycle(Duration.ofSeconds(10)).getPhase())
			.isGreaterThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE)
			.isLessThan(SmartLifecycle.DEFAULT_PHASE);
	}

	@Test
	void startDoesNothingButRun() {
		WorkerDrainLifecycle lifecycle = lifecycle(Duration.ofSeconds(10));
		assertThat(lifecycle.isRunning()).isFalse();
		lifecycle.start();
		assertThat(lifecycle.isRunning()).isTrue();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.CLOSED);
		assertThat(lifecycle.isPauseable()).isFalse();
	}

	@Test
	void stopRefusesTrafficDrainsReportsAndWaitsForTheConnections(CapturedOutput output) {
		this.gate.register(this.connections);
		this.gate.open();
		this.connections.open.set(3);
		WorkerDrainLifecycle lifecycle = lifecycle(Duration.ofSeconds(10));
		lifecycle.start();
		lifecycle.stop();
		assertThat(lifecycle.isRunning()).isFalse();
		assertThat(this.events).singleElement()
			.isInstanceOfSatisfying(AvailabilityChangeEvent.class,
					(event) -> assertThat(event.getState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC));
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		assertThat(this.connections.drained).isTrue();
		assertThat(this.connections.open).hasValue(0);
		verify(this.runtime).reportDraining();
		assertThat(output).contains("draining: stopped accepting connections, waiting up to 10000 ms for its 2 open")
			.contains("drained: 0 open connections left");
	}

	@Test
	void reportsDrainingAfterTheGateDrained() {
		AcceptGate.Listener listener = mock(AcceptGate.Listener.class);
		this.gate.register(listener);
		this.gate.open();
		lifecycle(Duration.ofSeconds(10)).stop();
		var order = inOrder(listener, this.runtime);
		order.verify(listener).drained();
		order.verify(this.runtime).reportDraining();
	}

	@Test
	void stopGivesUpWaitingAtTheDrainTimeout(CapturedOutput output) {
		this.gate.register(new AcceptGateTests.CountingListener(2));
		this.gate.open();
		long start = System.nanoTime();
		lifecycle(Duration.ofMillis(200)).stop();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(200),
				Duration.ofSeconds(2));
		assertThat(output).contains("drain timed out: 2 open connection(s) left");
	}

	@Test
	void stopBeforeReadyDrainsQuietly(CapturedOutput output) {
		this.gate.register(this.connections);
		lifecycle(Duration.ofSeconds(10)).stop();
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		assertThat(this.connections.drained).isTrue();
		assertThat(this.events).isEmpty();
		verify(this.runtime, never()).reportDraining();
		assertThat(output).doesNotContain("draining");
	}

	@Test
	void stopAfterTheWatchdogDrainedTheGateTellsTheAppAndTheExchangesOnceWithoutReportingAgain() {
		this.gate.open();
		this.gate.drain();
		List<String> reasons = new CopyOnWriteArrayList<>();
		RecordingExchanges exchanges = new RecordingExchanges(2);
		WorkerDrainLifecycle lifecycle = lifecycle(Duration.ofSeconds(10), Duration.ZERO,
				(reason, grace) -> reasons.add(reason), exchanges);
		lifecycle.stop();
		lifecycle.stop();
		assertThat(this.events).isEmpty();
		verify(this.runtime, never()).reportDraining();
		assertThat(reasons).containsExactly("the master's watchdog closed this worker's accept gate");
		assertThat(exchanges.ended).hasValue(1);
	}

	@Test
	void stopTellsTheAppThenEndsTheLongLivedExchangesWhenTheGraceEnds(CapturedOutput output) {
		AtomicInteger open = new AtomicInteger(4);
		this.gate.register(new AcceptGate.Listener() {

			@Override
			public void drained() {
			}

			@Override
			public int openConnections() {
				return open.get();
			}

		});
		this.gate.open();
		List<String> told = new CopyOnWriteArrayList<>();
		long start = System.nanoTime();
		RecordingExchanges exchanges = new RecordingExchanges(3) {

			@Override
			public int endAll() {
				told.add("ended after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
				open.set(0);
				return super.endAll();
			}

		};
		lifecycle(Duration.ofSeconds(10), Duration.ofMillis(300), (reason, grace) -> told.add(reason + " " + grace),
				exchanges)
			.stop();
		assertThat(told).hasSize(2);
		assertThat(told.get(0)).isEqualTo("the application is shutting down PT0.3S");
		assertThat(Long.parseLong(told.get(1).replaceAll("\\D", ""))).isBetween(300L, 5000L);
		assertThat(output).contains("ms grace (300 ms at most): 3 test exchange(s)")
			.contains("drained: 0 open connections left");
	}

	@Test
	void theGraceEndsAsSoonAsNoConnectionIsLeft() {
		this.gate.register(this.connections);
		this.gate.open();
		RecordingExchanges exchanges = new RecordingExchanges(0);
		long start = System.nanoTime();
		lifecycle(Duration.ofSeconds(20), Duration.ofSeconds(10), (reason, grace) -> {
		}, exchanges).stop();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		assertThat(exchanges.ended).hasValue(1);
	}

	@Test
	void closesIdleConnectionsWhileItWaits() {
		AcceptGate.Listener listener = mock(AcceptGate.Listener.class);
		this.gate.register(listener);
		this.gate.open();
		lifecycle(Duration.ofSeconds(10)).stop();
		verify(listener, atLeastOnce()).closeIdle();
	}

	@Test
	void aFailingListenerOrExchangeDoesNotStopTheDrain(CapturedOutput output) {
		this.gate.register(this.connections);
		this.gate.open();
		RecordingExchanges failing = new RecordingExchanges(0) {

			@Override
			public int endAll() {
				throw new IllegalStateException("boom");
			}

		};
		RecordingExchanges after = new RecordingExchanges(1);
		lifecycle(Duration.ofSeconds(10), Duration.ZERO, (reason, grace) -> {
			throw new IllegalStateException("listener failed");
		}, failing, after).stop();
		assertThat(after.ended).hasValue(1);
		assertThat(output).contains("a listener of the draining event failed")
			.contains("could not end its test exchange(s)")
			.contains("drained: 0 open connections left");
	}

	private WorkerDrainLifecycle lifecycle(Duration timeout) {
		return new WorkerDrainLifecycle(this.gate, this.eventPublisher, timeout, () -> Optional.of(this.runtime));
	}

	private WorkerDrainLifecycle lifecycle(Duration timeout, Duration grace, BiConsumer<String, Duration> draining,
			LongLivedExchanges... exchanges) {
		return new WorkerDrainLifecycle(this.gate, this.eventPublisher, timeout, () -> Optional.of(this.runtime), grace,
				draining, List.of(exchanges));
	}

	/** Exchanges that count how often they were ended, and say how many they ended. */
	static class RecordingExchanges implements LongLivedExchanges {

		final AtomicInteger ended = new AtomicInteger();

		private final int count;

		RecordingExchanges(int count) {
			this.count = count;
		}

		@Override
		public int endAll() {
			this.ended.incrementAndGet();
			return this.count;
		}

		@Override
		public String description() {
			return "test exchange(s)";
		}

	}

	/**
	 * Connections that close one by one once drained, one per look (the first look after draining sees one less).
	 */
	static final class ClosingConnections implements AcceptGate.Listener {

		final AtomicInteger open = new AtomicInteger();

		volatile boolean drained;

		@Override
		public void drained() {
			this.drained = true;
		}

		@Override
		public int openConnections() {
			return this.drained ? this.open.updateAndGet((n) -> Math.max(0, n - 1)) : this.open.get();
		}

	}

}
