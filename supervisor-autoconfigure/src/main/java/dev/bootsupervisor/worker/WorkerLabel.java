package dev.bootsupervisor.worker;

/**
 * Names this worker in log lines the way the master does: {@code Worker <id> (pid <pid>, generation <g>)}.
 */
final class WorkerLabel {

	private WorkerLabel() {
	}

	static String describe() {
		long pid = ProcessHandle.current().pid();
		return WorkerRuntime.current()
			.map((runtime) -> "Worker " + runtime.workerId() + " (pid " + pid + ", generation " + runtime.generation()
					+ ")")
			.orElseGet(() -> "Worker " + System.getProperty("supervisor.worker.id", "?") + " (pid " + pid + ")");
	}

}
