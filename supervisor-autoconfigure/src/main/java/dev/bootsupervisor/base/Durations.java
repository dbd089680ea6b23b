package dev.bootsupervisor.base;

import java.time.Duration;

/**
 * Durations as people write them: {@code 1.5 s}, {@code 2 min}.
 */
public final class Durations {

	private Durations() {
	}

	public static String format(Duration duration) {
		long millis = duration.toMillis();
		if (millis < 1000) {
			return millis + " ms";
		}
		if (millis % 60_000 == 0) {
			return (millis / 60_000) + " min";
		}
		if (millis % 1000 == 0) {
			return (millis / 1000) + " s";
		}
		return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
	}

}
