package dev.bootsupervisor.worker;

import java.util.Optional;
import java.util.function.Supplier;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Lets the master's watchdog close this worker's accept gate, when it is about to replace a hung or broken worker:
 * the connectors stop taking connections from the shared socket at once, while the application keeps running
 * until the master stops it.
 */
public class WatchdogGateCloser implements SmartInitializingSingleton {

	private final AcceptGate gate;

	private final Supplier<Optional<WorkerRuntime>> runtime;

	/**
	 * Create a closer.
	 * @param gate the gate that lets the connectors accept
	 * @param runtime this worker's runtime, empty when the JVM is not a supervised worker
	 */
	public WatchdogGateCloser(AcceptGate gate, Supplier<Optional<WorkerRuntime>> runtime) {
		this.gate = gate;
		this.runtime = runtime;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.runtime.get().ifPresent((worker) -> worker.onStopAccepting(this::close));
	}

	void close() {
		this.gate.drain();
	}

}
