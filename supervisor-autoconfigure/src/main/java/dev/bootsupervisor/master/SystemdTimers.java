package dev.bootsupervisor.master;

import java.time.Duration;
import java.util.Map;

/**
 * When the {@link SystemdNotifier} extends systemd's timeout and pings its watchdog, on {@code CLOCK_MONOTONIC}
 * microseconds so that a change of the wall clock neither stops nor floods the pings.
 */
final class SystemdTimers {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private long deadline = -1;

	private long nextExtend;

	private long nextPing;

	/**
	 * systemd's watchdog interval for this process.
	 * @param environment the environment
	 * @param pid this process's pid
	 * @return the interval, {@code null} when systemd has no watchdog for this process
	 */
	static Duration watchdog(Map<String, String> environment, long pid) {
		String usec = environment.get("WATCHDOG_USEC");
		String forPid = environment.get("WATCHDOG_PID");
		if (usec == null || (forPid != null && !forPid.trim().equals(String.valueOf(pid)))) {
			return null;
		}
		try {
			long micros = Long.parseLong(usec.trim());
			return (micros > 0) ? Duration.ofNanos(micros * 1_000L) : null;
		}
		catch (NumberFormatException ex) {
			log.log(System.Logger.Level.WARNING, "systemd: WATCHDOG_USEC=''{0}'' is not a number of microseconds; "
					+ "no watchdog pings are sent", usec);
			return null;
		}
	}

	boolean hasDeadline() {
		return this.deadline >= 0;
	}

	/**
	 * The master's own deadline for the start or the stop, past which no extension reaches.
	 * @param deadline the deadline, margin included
	 */
	void deadline(long deadline) {
		this.deadline = deadline;
		this.nextExtend = 0;
	}

	/**
	 * The extension to send now, if any: every half extension while the start or the drain goes on, never past
	 * the master's own deadline.
	 * @param now the current time
	 * @param progressing whether the start or the drain goes on with workers alive
	 * @return microseconds for {@code EXTEND_TIMEOUT_USEC=}, 0 for none
	 */
	long extension(long now, boolean progressing) {
		if (!progressing || this.deadline < 0 || now < this.nextExtend || now >= this.deadline) {
			return 0;
		}
		this.nextExtend = now + SystemdNotifier.EXTEND_USEC / 2;
		return Math.min(SystemdNotifier.EXTEND_USEC, this.deadline - now);
	}

	/**
	 * Whether to ping the watchdog now: every half interval, while workers serve.
	 * @param now the current time
	 * @param serving whether at least one worker is ready (or the loop drains live workers)
	 * @param interval systemd's watchdog interval
	 * @return whether to send {@code WATCHDOG=1}
	 */
	boolean ping(long now, boolean serving, Duration interval) {
		if (!serving || now < this.nextPing) {
			return false;
		}
		this.nextPing = now + interval.toNanos() / 2_000L;
		return true;
	}

}
