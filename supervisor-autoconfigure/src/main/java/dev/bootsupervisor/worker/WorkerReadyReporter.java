package dev.bootsupervisor.worker;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;

/**
 * Tells the master that a worker without a web server is ready, once its application accepts traffic (after the
 * application runners). Web workers report through {@link WorkerReadinessListener}, which also opens their gate.
 */
public class WorkerReadyReporter implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

	private static final Log logger = LogFactory.getLog(WorkerReadyReporter.class);

	private final AtomicBoolean reported = new AtomicBoolean();

	private final Supplier<Optional<WorkerRuntime>> runtime;

	/**
	 * Create a reporter.
	 * @param runtime this worker's runtime, empty when the JVM is not a supervised worker
	 */
	public WorkerReadyReporter(Supplier<Optional<WorkerRuntime>> runtime) {
		this.runtime = runtime;
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
		if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && this.reported.compareAndSet(false, true)) {
			Optional<WorkerRuntime> worker = this.runtime.get();
			logger.info(WorkerLabel.describe(worker) + " ready (no web server)");
			worker.ifPresent(WorkerRuntime::reportReady);
		}
	}

}
