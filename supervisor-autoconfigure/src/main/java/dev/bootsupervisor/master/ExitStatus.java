package dev.bootsupervisor.master;

import java.time.Instant;

import dev.bootsupervisor.protocol.ExitReason;

/**
 * How a worker process ended.
 *
 * @param code the process exit code (128 + n when killed by signal n)
 * @param at when the master saw it exit
 * @param cause why, classified
 * @param reason why, as users read it: crashed, stopped, killed after timeout...
 */
public record ExitStatus(int code, Instant at, ExitReason cause, String reason) {

	/**
	 * The signal that ended the process, or {@code null} when it exited on its own.
	 * @return the signal name such as {@code KILL}, or {@code null}
	 */
	public String signal() {
		if (this.code <= 128 || this.code > 128 + 64) {
			return null;
		}
		return switch (this.code - 128) {
			case 1 -> "HUP";
			case 2 -> "INT";
			case 3 -> "QUIT";
			case 6 -> "ABRT";
			case 9 -> "KILL";
			case 11 -> "SEGV";
			case 15 -> "TERM";
			default -> "SIG" + (this.code - 128);
		};
	}

	public String describe() {
		String signal = signal();
		return (signal != null) ? "signal " + signal + " (exit code " + this.code + ")" : "exit code " + this.code;
	}

}
