package dev.bootsupervisor.protocol;

import java.time.Instant;

/**
 * One worker as the master sees it.
 *
 * @param id the worker slot, 1..N
 * @param pid the process id
 * @param generation how many workers this slot has had, this one included
 * @param state starting, ready, draining, stopped or failed
 * @param stateSince when it entered that state
 * @param reason why it entered that state
 * @param startedAt when the process was started
 * @param ready whether it accepts connections
 * @param restarts how often this slot's worker was restarted
 * @param lastExitCode the exit code of the slot's last exited worker, {@code null} when none
 * @param lastExitSignal the signal that ended it, {@code null} when none
 * @param lastExitAt when it exited
 * @param lastExitReason crashed, stopped, killed after the shutdown timeout...
 * @param heapUsed heap in use in bytes, -1 when not reported yet
 * @param heapMax maximum heap in bytes, -1 when unknown
 * @param health the worker's own health status, {@code UNKNOWN} when not reported
 */
public record WorkerView(int id, long pid, int generation, String state, Instant stateSince, String reason,
		Instant startedAt, boolean ready, int restarts, Integer lastExitCode, String lastExitSignal,
		Instant lastExitAt, String lastExitReason, long heapUsed, long heapMax, String health) {
}
