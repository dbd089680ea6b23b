package dev.bootsupervisor.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.worker.WorkerRuntime;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.context.ApplicationListener;

/**
 * Asks the master of this worker for the cluster view, and keeps the answer (or the failure) for a second, so that
 * a scrape of every supervisor meter, a health check and an endpoint call together ask the master once.
 * <p>
 * An availability change of this worker (ready, draining) changes the view: the kept answer is dropped then, so
 * that a worker that just became ready does not answer its first readiness checks with a view that shows it
 * starting. The master reads this worker's messages in order, so the next view includes the change.
 */
public class WorkerClusterViewSource implements ClusterViewSource, ApplicationListener<AvailabilityChangeEvent<?>> {

	/** How long the master may take to answer. */
	public static final Duration TIMEOUT = Duration.ofSeconds(2);

	/** How long an answer is reused. */
	public static final Duration TIME_TO_LIVE = Duration.ofSeconds(1);

	private final Master master;

	private final LongSupplier nanoTime;

	private Answer answer;

	/**
	 * Create a view source.
	 * @param runtime this worker's runtime (its channel to the master), empty when the JVM is not a worker
	 */
	public WorkerClusterViewSource(Supplier<Optional<WorkerRuntime>> runtime) {
		this((timeout) -> runtime.get()
			.orElseThrow(() -> new IOException("This JVM is not a supervised worker: it has no master to ask"))
			.requestView(timeout), System::nanoTime);
	}

	WorkerClusterViewSource(Master master, LongSupplier nanoTime) {
		this.master = master;
		this.nanoTime = nanoTime;
	}

	@Override
	public synchronized ClusterView clusterView() throws IOException {
		// Synchronized: callers that arrive while the master is being asked wait for that answer, not ask again
		if (this.answer == null || this.nanoTime.getAsLong() - this.answer.at() >= TIME_TO_LIVE.toNanos()) {
			this.answer = ask();
		}
		if (this.answer.failure() != null) {
			throw this.answer.failure();
		}
		return this.answer.view();
	}

	@Override
	public synchronized void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		this.answer = null;
	}

	private Answer ask() {
		try {
			ClusterView view = this.master.requestView(TIMEOUT);
			return new Answer(view, null, this.nanoTime.getAsLong());
		}
		catch (IOException ex) {
			return new Answer(null, ex, this.nanoTime.getAsLong());
		}
	}

	/**
	 * The master, as far as this class needs it.
	 */
	@FunctionalInterface
	interface Master {

		ClusterView requestView(Duration timeout) throws IOException;

	}

	private record Answer(ClusterView view, IOException failure, long at) {
	}

}
