package dev.bootsupervisor.autoconfigure;

import java.util.Optional;
import java.util.function.Supplier;

import dev.bootsupervisor.worker.WorkerRuntime;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Hands the worker's runtime to the beans that talk to the master. The runtime is registered as a bean by the run
 * listener that starts it, before any bean is created; outside a supervised worker there is none.
 */
final class WorkerRuntimes {

	private WorkerRuntimes() {
	}

	static Supplier<Optional<WorkerRuntime>> of(ObjectProvider<WorkerRuntime> provider) {
		return () -> Optional.ofNullable(provider.getIfAvailable());
	}

}
