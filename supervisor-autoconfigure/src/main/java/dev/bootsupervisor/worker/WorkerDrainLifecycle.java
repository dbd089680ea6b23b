package dev.bootsupervisor.worker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
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
 * {@code Connection: close} from then on, close idle keep-alive connections and send HTTP/2 {@code GOAWAY}, tell
 * the app (the auto-configuration publishes {@code WorkerDrainingEvent}) so that it can say goodbye, end the long-lived exchanges still open when the grace
 * is over (WebSocket 1001, streams completed), and wait, at most the drain timeout, until this worker's connections
 * are gone. Boot's graceful shutdown then finishes whatever is still in flight.
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

	private final Duration grace;

	private final BiConsumer<String, Duration> draining;

	private final List<LongLivedExchanges> exchanges;

	private final AtomicBoolean toldToGo = new AtomicBoolean();

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
		this(gate, eventPublisher, timeout, runtime, Duration.ZERO, (reason, grace) -> {
		}, List.of());
	}

	/**
	 * Create a drain lifecycle that tells long-lived exchanges to go.
	 * @param gate the gate that lets the connector accept
	 * @param eventPublisher where the readiness change is published
	 * @param timeout how long the drain may wait for open connections, grace included
	 * @param runtime this worker's runtime, empty when the JVM is not a supervised worker
	 * @param grace how long the app has, once told, before its long-lived exchanges are ended
	 * @param draining tells the app, synchronously, that the worker drains: the reason and the grace
	 * @param exchanges what ends the long-lived exchanges
	 */
	public WorkerDrainLifecycle(AcceptGate gate, ApplicationEventPublisher eventPublisher, Duration timeout,
			Supplier<Optional<WorkerRuntime>> runtime, Duration grace, BiConsumer<String, Duration> draining,
			List<LongLivedExchanges> exchanges) {
		this.gate = gate;
		this.eventPublisher = eventPublisher;
		this.timeout = timeout;
		this.runtime = runtime;
		this.grace = grace;
		this.draining = draining;
		this.exchanges = List.copyOf(exchanges);
	}

	@Override
	public void start() {
		this.running = true;
		this.runtime.get().ifPresent((worker) -> worker.connectionSource(this.gate::openConnections));
	}

	@Override
	public void stop() {
		this.running = false;
		switch (this.gate.state()) {
			// Never served (stopping during startup): nothing to wait for, nothing to tell the master
			case CLOSED -> this.gate.drain();
			case OPEN -> drain();
			// The master's watchdog closed the gate of a worker it replaces, likely hung or broken: its long-lived
			// exchanges are told to go, but nothing waits for its connections, as before
			case DRAINED -> tellToGo("the master's watchdog closed this worker's accept gate");
		}
	}

	private void drain() {
		AvailabilityChangeEvent.publish(this.eventPublisher, this, ReadinessState.REFUSING_TRAFFIC);
		this.gate.drain();
		this.runtime.get().ifPresent(WorkerRuntime::reportDraining);
		int open = this.gate.openConnections();
		logger.info(WorkerLabel.describe(this.runtime.get()) + " draining: stopped accepting connections, waiting up to "
				+ this.timeout.toMillis() + " ms for its " + open + " open connection(s) to close");
		awaitConnections(tellToGo("the application is shutting down"));
	}

	/**
	 * Tell what is open to go: idle connections at once, the app through the event, then, once its grace is over,
	 * the long-lived exchanges still open.
	 * @param reason why the worker drains
	 * @return the deadline of the drain, from {@link System#nanoTime()}
	 */
	private long tellToGo(String reason) {
		long deadline = System.nanoTime() + this.timeout.toNanos();
		if (!this.toldToGo.compareAndSet(false, true)) {
			return deadline;
		}
		this.gate.closeIdleConnections();
		try {
			this.draining.accept(reason, this.grace);
		}
		catch (RuntimeException ex) {
			logger.warn(WorkerLabel.describe(this.runtime.get()) + ": a listener of the draining event failed; "
					+ "the drain goes on", ex);
		}
		long told = System.nanoTime();
		long graceEnd = told + Math.min(this.grace.toNanos(), this.timeout.toNanos());
		while (this.gate.openConnections() > 0 && System.nanoTime() - graceEnd < 0 && pause()) {
			this.gate.closeIdleConnections();
		}
		long graceMillis = (System.nanoTime() - told) / 1_000_000;
		StringBuilder ended = new StringBuilder();
		for (LongLivedExchanges exchange : this.exchanges) {
			int count = endAll(exchange);
			if (count != 0) {
				ended.append((ended.length() > 0) ? ", " : "").append((count > 0) ? count + " " : "all ")
					.append(exchange.description());
			}
		}
		if (ended.length() > 0) {
			logger.info(WorkerLabel.describe(this.runtime.get()) + " told its long-lived exchanges to go after a "
					+ graceMillis + " ms grace (" + this.grace.toMillis() + " ms at most): " + ended);
		}
		return deadline;
	}

	private int endAll(LongLivedExchanges exchange) {
		try {
			return exchange.endAll();
		}
		catch (RuntimeException ex) {
			logger.warn(WorkerLabel.describe(this.runtime.get()) + " could not end its " + exchange.description()
					+ "; the web server's graceful shutdown closes them", ex);
			return 0;
		}
	}

	private void awaitConnections(long deadline) {
		int open = this.gate.openConnections();
		while (open > 0 && System.nanoTime() - deadline < 0 && pause()) {
			this.gate.closeIdleConnections();
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

	private static boolean pause() {
		try {
			Thread.sleep(POLL_MILLIS);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
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
