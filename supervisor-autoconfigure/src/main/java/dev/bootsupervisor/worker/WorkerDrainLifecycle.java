package dev.bootsupervisor.worker;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Drains this worker when its application context stops, before Spring Boot's graceful shutdown of the web server:
 * stop taking connections from the shared socket (the other workers serve its queue), answer
 * {@code Connection: close} from then on, and wait, at most the drain timeout, until this worker's connections are
 * gone. Boot's graceful shutdown then finishes whatever is still in flight.
 */
public class WorkerDrainLifecycle implements SmartLifecycle {

	/**
	 * Stops after the beans of the default phase and before the web server's graceful shutdown.
	 */
	public static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 512;

	private static final Log logger = LogFactory.getLog(WorkerDrainLifecycle.class);

	private static final long POLL_MILLIS = 50;

	private final AcceptGate gate;

	private final ApplicationEventPublisher eventPublisher;

	private final Duration timeout;

	private final Supplier<Optional<WorkerRuntime>> runtime;

	private volatile boolean running;

	/**
	 * Create a drain lifecycle.
	 * @param gate the gate that lets the connector accept
	 * @param eventPublisher where the readiness change is published
	 * @param timeout how long the drain may wait for open connections
	 * @param runtime this worker's runtime, empty when the JVM is not a supervised worker
	 */
	public WorkerDrainLifecycle(AcceptGate gate, ApplicationEventPublisher eventPublisher, Duration timeout,
			Supplier<Optional<WorkerRuntime>> runtime) {
		this.gate = gate;
		this.eventPublisher = eventPublisher;
		this.timeout = timeout;
		this.runtime = runtime;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		switch (this.gate.state()) {
			// Never served (stopping during startup): nothing to wait for, nothing to tell the master
			case CLOSED -> this.gate.drain();
			case OPEN -> drain();
			case DRAINED -> {
			}
		}
	}

	private void drain() {
		AvailabilityChangeEvent.publish(this.eventPublisher, this, ReadinessState.REFUSING_TRAFFIC);
		this.gate.drain();
		this.runtime.get().ifPresent(WorkerRuntime::reportDraining);
		int open = this.gate.openConnections();
		logger.info(WorkerLabel.describe(this.runtime.get()) + " draining: stopped accepting connections, waiting up to "
				+ this.timeout.toMillis() + " ms for its " + open + " open connection(s) to close");
		long deadline = System.nanoTime() + this.timeout.toNanos();
		while (open > 0 && System.nanoTime() - deadline < 0) {
			try {
				Thread.sleep(POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			open = this.gate.openConnections();
		}
		if (open == 0) {
			logger.info(WorkerLabel.describe(this.runtime.get()) + " drained: 0 open connections left");
		}
		else {
			logger.info(WorkerLabel.describe(this.runtime.get()) + " drain timed out: " + open
					+ " open connection(s) left to the web server's graceful shutdown");
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Draining cannot be undone, so pausing the context must not drain.
	 */
	@Override
	public boolean isPauseable() {
		return false;
	}

}
