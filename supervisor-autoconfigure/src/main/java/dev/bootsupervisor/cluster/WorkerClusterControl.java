package dev.bootsupervisor.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.worker.WorkerRuntime;

/**
 * {@link ClusterControl} that asks the master over this worker's channel.
 */
public class WorkerClusterControl implements ClusterControl {

	private final Supplier<Optional<WorkerRuntime>> runtime;

	private final Duration reloadTimeout;

	private final Duration scaleTimeout;

	/**
	 * Create a control.
	 * @param runtime this worker's runtime (its channel to the master), empty when the JVM is not a worker
	 * @param reloadTimeout how long a whole rolling reload may take before the answer is given up
	 * @param scaleTimeout how long a scale may take (new workers ready, old ones stopped) before the answer is
	 * given up
	 */
	public WorkerClusterControl(Supplier<Optional<WorkerRuntime>> runtime, Duration reloadTimeout, Duration scaleTimeout) {
		this.runtime = runtime;
		this.reloadTimeout = reloadTimeout;
		this.scaleTimeout = scaleTimeout;
	}

	@Override
	public ControlOutcome reload() throws IOException {
		return outcome("reload", runtime().request(this.reloadTimeout, "command", "reload"));
	}

	@Override
	public ControlOutcome scale(int workers) throws IOException {
		return outcome("scale", runtime().request(this.scaleTimeout, "command", "scale", "workers", workers));
	}

	private WorkerRuntime runtime() throws IOException {
		return this.runtime.get().orElseThrow(() -> new IOException("this process is not a supervised worker"));
	}

	private static ControlOutcome outcome(String action, Frame reply) {
		return new ControlOutcome(action, Boolean.parseBoolean(reply.get("ok").orElse("false")),
				reply.get("message").orElse(""));
	}

}
