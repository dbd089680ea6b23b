package dev.bootsupervisor.master;

import java.time.Instant;

/**
 * A numbered place for one worker: its current process, its generations, restarts and restart schedule.
 */
final class WorkerSlot {

	private final int id;

	private final RestartPolicy.History history = new RestartPolicy.History();

	private int generation;

	private int restarts;

	private WorkerHandle current;

	private ExitStatus lastExit;

	private Instant restartAt;

	private boolean failed;

	private String restartReason = "crash";

	WorkerSlot(int id) {
		this.id = id;
	}

	int id() {
		return this.id;
	}

	int nextGeneration() {
		return ++this.generation;
	}

	WorkerHandle current() {
		return this.current;
	}

	void current(WorkerHandle handle) {
		this.current = handle;
	}

	RestartPolicy.History history() {
		return this.history;
	}

	int restarts() {
		return this.restarts;
	}

	void countRestart() {
		this.restarts++;
	}

	ExitStatus lastExit() {
		return this.lastExit;
	}

	void lastExit(ExitStatus exit) {
		this.lastExit = exit;
	}

	Instant restartAt() {
		return this.restartAt;
	}

	void restartAt(Instant at) {
		this.restartAt = at;
	}

	String restartReason() {
		return this.restartReason;
	}

	void restartReason(String reason) {
		this.restartReason = reason;
	}

	boolean failed() {
		return this.failed;
	}

	void fail() {
		this.failed = true;
		this.restartAt = null;
	}

}
