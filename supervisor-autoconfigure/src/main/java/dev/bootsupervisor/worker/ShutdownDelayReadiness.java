package dev.bootsupervisor.worker;

import java.util.Optional;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Sets this worker's readiness to {@link ReadinessState#REFUSING_TRAFFIC} when the master starts a shutdown delay,
 * so the readiness probe fails while the worker still serves; the accept gate stays open until the drain.
 */
public class ShutdownDelayReadiness implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(ShutdownDelayReadiness.class);

	private final ApplicationEventPublisher eventPublisher;

	private final Supplier<Optional<WorkerRuntime>> runtime;

	/**
	 * Create the listener of the master's shutdown delay.
	 * @param eventPublisher publishes the readiness change
	 * @param runtime this worker's runtime, empty when the JVM is not a supervised worker
	 */
	public ShutdownDelayReadiness(ApplicationEventPublisher eventPublisher,
			Supplier<Optional<WorkerRuntime>> runtime) {
		this.eventPublisher = eventPublisher;
		this.runtime = runtime;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.runtime.get().ifPresent((worker) -> worker.onRefuseTraffic(this::refuseTraffic));
	}

	void refuseTraffic() {
		logger.info(WorkerLabel.describe(this.runtime.get()) + ": the master is stopping after a shutdown delay; "
				+ "readiness is now REFUSING_TRAFFIC and requests are still served until the drain");
		AvailabilityChangeEvent.publish(this.eventPublisher, this, ReadinessState.REFUSING_TRAFFIC);
	}

}
