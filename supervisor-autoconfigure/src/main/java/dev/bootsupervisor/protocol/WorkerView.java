package dev.bootsupervisor.protocol;

import java.time.Instant;

/**
 * One worker as the master sees it. Whether it is alive or ready follows from its state, here only.
 *
 * @param id the worker slot, 1..N
 * @param pid the process id
 * @param generation how many workers this slot has had, this one included
 * @param state its state
 * @param stateSince when it entered that state
 * @param reason why it entered that state
 * @param startedAt when the process was started
 * @param restarts how often this slot's worker was restarted
 * @param lastExit how the slot's last exited worker ended, {@code null} when none did
 * @param heap its heap, {@code null} until its first heartbeat
 * @param health the worker's own health status, {@code UNKNOWN} when not reported
 * @param leader whether it leads the cluster now
 * @param restartAt when the slot's next worker starts, {@code null} unless {@link WorkerState#RESTARTING restarting}
 * (and then {@code null} too when a replacement is already starting)
 * @param connections the HTTP connections it has open, as its last heartbeat said, -1 when unknown
 */
public record WorkerView(int id, long pid, int generation, WorkerState state, Instant stateSince, String reason,
		Instant startedAt, int restarts, LastExit lastExit, Heap heap, String health, boolean leader,
		Instant restartAt, int connections) {

	/**
	 * A worker whose open connections are unknown.
	 */
	public WorkerView(int id, long pid, int generation, WorkerState state, Instant stateSince, String reason,
			Instant startedAt, int restarts, LastExit lastExit, Heap heap, String health, boolean leader,
			Instant restartAt) {
		this(id, pid, generation, state, stateSince, reason, startedAt, restarts, lastExit, heap, health, leader,
				restartAt, -1);
	}

	public WorkerView {
		if (restartAt != null && state != WorkerState.RESTARTING) {
			throw new IllegalArgumentException("a restart time for a worker that is not restarting: " + state);
		}
	}

	/**
	 * A worker that is not waiting for a restart.
	 */
	public WorkerView(int id, long pid, int generation, WorkerState state, Instant stateSince, String reason,
			Instant startedAt, int restarts, LastExit lastExit, Heap heap, String health, boolean leader) {
		this(id, pid, generation, state, stateSince, reason, startedAt, restarts, lastExit, heap, health, leader,
				null);
	}

	/**
	 * A worker that does not lead.
	 */
	public WorkerView(int id, long pid, int generation, WorkerState state, Instant stateSince, String reason,
			Instant startedAt, int restarts, LastExit lastExit, Heap heap, String health) {
		this(id, pid, generation, state, stateSince, reason, startedAt, restarts, lastExit, heap, health, false);
	}

	/**
	 * Whether it accepts connections.
	 * @return whether it is ready
	 */
	public boolean ready() {
		return this.state == WorkerState.READY;
	}

	/**
	 * Whether its process runs: starting, ready or draining.
	 * @return whether it is alive
	 */
	public boolean alive() {
		return this.state.isLive();
	}

	/**
	 * The exit code of the slot's last exited worker.
	 * @return the code, {@code null} when none exited
	 */
	public Integer lastExitCode() {
		return (this.lastExit != null) ? this.lastExit.code() : null;
	}

	/**
	 * The signal that ended the slot's last exited worker.
	 * @return the signal name, {@code null} when none exited or it exited by itself
	 */
	public String lastExitSignal() {
		return (this.lastExit != null) ? this.lastExit.signal() : null;
	}

	/**
	 * When the slot's last exited worker ended.
	 * @return the time, {@code null} when none exited
	 */
	public Instant lastExitAt() {
		return (this.lastExit != null) ? this.lastExit.at() : null;
	}

	/**
	 * Why the slot's last exited worker ended.
	 * @return the reason, {@code null} when none exited
	 */
	public String lastExitReason() {
		return (this.lastExit != null) ? this.lastExit.reason() : null;
	}

	/**
	 * How a worker ended.
	 *
	 * @param code its exit code
	 * @param signal the signal that ended it, {@code null} when it exited by itself
	 * @param at when it ended
	 * @param reason why: crashed, stopped, killed after the shutdown timeout...
	 */
	public record LastExit(int code, String signal, Instant at, String reason) {
	}

	/**
	 * A worker's heap, in bytes.
	 *
	 * @param used the heap in use
	 * @param max the maximum heap, -1 when unbounded
	 */
	public record Heap(long used, long max) {
	}

}
