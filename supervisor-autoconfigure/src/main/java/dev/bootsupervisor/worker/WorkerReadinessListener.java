package dev.bootsupervisor.worker;

import java.util.Optional;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;

/**
 * Opens the {@link AcceptGate} when the application accepts traffic (after the application runners), and tells the
 * master this worker is ready.
 * <p>
 * The gate opens once: a later {@code REFUSING_TRAFFIC} does not close it, only draining does. With
 * {@code server.port=-1} the worker has no web server to open, and says so.
 */
public class WorkerReadinessListener implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

	private static final Log logger = LogFactory.getLog(WorkerReadinessListener.class);

	private final AcceptGate gate;

	private final Supplier<Optional<WorkerRuntime>> runtime;

	/**
	 * Create a listener.
	 * @param gate the gate that lets the connector accept
	 * @param runtime this worker's runtime, empty when the JVM is not a supervised worker
	 */
	public WorkerReadinessListener(AcceptGate gate, Supplier<Optional<WorkerRuntime>> runtime) {
		this.gate = gate;
		this.runtime = runtime;
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
		if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && this.gate.open()) {
			Optional<WorkerRuntime> worker = this.runtime.get();
			logger.info(WorkerLabel.describe(worker) + (noHttpPort(event.getSource()) ? " ready (no web server)"
					: " accepting connections on the shared listening socket"));
			worker.ifPresent(WorkerRuntime::reportReady);
		}
	}

	/** Boot's "no HTTP port" ({@code server.port=-1}): the web application context serves nothing. */
	private static boolean noHttpPort(Object source) {
		return source instanceof ApplicationContext context
				&& Integer.valueOf(-1).equals(context.getEnvironment().getProperty("server.port", Integer.class));
	}

}
