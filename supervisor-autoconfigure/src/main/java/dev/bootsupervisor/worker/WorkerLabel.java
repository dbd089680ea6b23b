package dev.bootsupervisor.worker;

import java.util.Optional;

/**
 * Names this worker in log lines the way the master does: {@code Worker <id> (pid <pid>, generation <g>)}.
 */
final class WorkerLabel {

	private WorkerLabel() {
	}

	static String describe(Optional<WorkerRuntime> worker) {
		long pid = ProcessHandle.current().pid();
		return worker
			.map((runtime) -> "Worker " + runtime.workerId() + " (pid " + pid + ", generation " + runtime.generation()
					+ ")")
			.orElseGet(() -> "Worker " + System.getProperty("supervisor.worker.id", "?") + " (pid " + pid + ")");
	}

}
