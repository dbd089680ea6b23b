package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A process's scheduler state and CPU time, read from {@code /proc/PID/stat}: what tells a stopped or blocked
 * worker from one that is busy on the CPU (a long garbage collection pause, a safepoint stall) when it sends no
 * heartbeat. The master reads it; a worker that cannot send cannot lie about it either.
 *
 * @param state the state letter ({@code R} running, {@code S} sleeping, {@code D} waiting on I/O, {@code T}
 * stopped, {@code Z} zombie...)
 * @param cpu user plus system CPU time
 */
record ProcessSample(char state, Duration cpu) {

	/** The kernel reports CPU times in clock ticks of {@code USER_HZ}, which is 100 on Linux. */
	private static final long NANOS_PER_TICK = 10_000_000L;

	/**
	 * Read a process's sample.
	 * @param pid the process
	 * @return the sample, {@code null} when there is no such process or no {@code /proc}
	 */
	static ProcessSample of(long pid) {
		try {
			return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	static ProcessSample parse(String stat) {
		String[] fields = fields(stat);
		long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		return new ProcessSample(fields[0].charAt(0), Duration.ofNanos(ticks * NANOS_PER_TICK));
	}

	/**
	 * The fields of a {@code /proc/PID/stat} line after the command name: the state first, then the parent pid.
	 * @param stat the line
	 * @return the fields
	 */
	static String[] fields(String stat) {
		// the command name, in parentheses, may hold spaces and parentheses: the fields start after the last ')'
		return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
	}

	/**
	 * Whether the process is stopped by a signal or a tracer: it runs no code until it is continued.
	 * @return whether it is stopped
	 */
	boolean stopped() {
		return this.state == 'T' || this.state == 't';
	}

}
