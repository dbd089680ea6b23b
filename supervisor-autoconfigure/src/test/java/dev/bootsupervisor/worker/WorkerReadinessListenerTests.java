package dev.bootsupervisor.worker;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.support.StaticApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * Tests for {@link WorkerReadinessListener}.
 */
@ExtendWith(OutputCaptureExtension.class)
class WorkerReadinessListenerTests {

	private final AcceptGate gate = new AcceptGate();

	private final WorkerRuntime runtime = mock(WorkerRuntime.class);

	private final WorkerReadinessListener listener = new WorkerReadinessListener(this.gate,
			() -> Optional.of(this.runtime));

	@Test
	void acceptingTrafficOpensTheGateAndReportsReady() {
		this.listener.onApplicationEvent(event(ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.OPEN);
		verify(this.runtime).reportReady();
	}

	@Test
	void aWebWorkerSaysItAcceptsConnections(CapturedOutput output) {
		try (StaticApplicationContext context = new StaticApplicationContext()) {
			context.addApplicationListener(this.listener);
			context.refresh();
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
		}
		assertThat(output).contains("accepting connections on the shared listening socket")
			.doesNotContain("no web server");
	}

	@Test
	void aWorkerWithoutAnHttpPortSaysItIsReadyWithNoWebServer(CapturedOutput output) {
		try (StaticApplicationContext context = new StaticApplicationContext()) {
			TestPropertyValues.of("server.port=-1").applyTo(context);
			context.addApplicationListener(this.listener);
			context.refresh();
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
		}
		assertThat(output).contains("ready (no web server)").doesNotContain("accepting connections");
		verify(this.runtime).reportReady();
	}

	@Test
	void aWorkerWithoutAWebApplicationSaysItIsReadyWithNoWebServer(CapturedOutput output) {
		WorkerReadyReporter reporter = new WorkerReadyReporter(() -> Optional.of(this.runtime));
		reporter.onApplicationEvent(event(ReadinessState.ACCEPTING_TRAFFIC));
		reporter.onApplicationEvent(event(ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(output).containsOnlyOnce("ready (no web server)").doesNotContain("accepting connections");
		verify(this.runtime, times(1)).reportReady();
	}

	@Test
	void reportsReadyOnlyOnce() {
		this.listener.onApplicationEvent(event(ReadinessState.ACCEPTING_TRAFFIC));
		this.listener.onApplicationEvent(event(ReadinessState.REFUSING_TRAFFIC));
		this.listener.onApplicationEvent(event(ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.OPEN);
		verify(this.runtime, times(1)).reportReady();
	}

	@Test
	void refusingTrafficLeavesTheGateClosed() {
		this.listener.onApplicationEvent(event(ReadinessState.REFUSING_TRAFFIC));
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.CLOSED);
		verify(this.runtime, never()).reportReady();
	}

	@Test
	void acceptingTrafficAfterDrainingDoesNotReopen() {
		this.gate.drain();
		this.listener.onApplicationEvent(event(ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		verify(this.runtime, never()).reportReady();
	}

	@Test
	void outsideAWorkerOpensTheGateOnly() {
		new WorkerReadinessListener(this.gate, Optional::empty).onApplicationEvent(event(ReadinessState.ACCEPTING_TRAFFIC));
		assertThat(this.gate.state()).isEqualTo(AcceptGate.State.OPEN);
	}

	@Test
	void receivesReadinessEventsOnlyFromTheContext() {
		try (StaticApplicationContext context = new StaticApplicationContext()) {
			context.addApplicationListener(this.listener);
			context.refresh();
			AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
			assertThat(this.gate.state()).isEqualTo(AcceptGate.State.CLOSED);
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
			assertThat(this.gate.state()).isEqualTo(AcceptGate.State.OPEN);
		}
	}

	private AvailabilityChangeEvent<ReadinessState> event(ReadinessState state) {
		return new AvailabilityChangeEvent<>(this, state);
	}

}
