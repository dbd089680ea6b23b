package dev.bootsupervisor.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One rolling reload as the history keeps it: when it started, what asked for it, the version it rolled out, how
 * it ended and how its canary did.
 *
 * @param startedAt when it started
 * @param trigger what asked for it ({@code HUP}, {@code control command}, {@code actuator})
 * @param version the class path it rolled out ({@code sha256:} and the start of a digest of every file on it), or
 * {@code -} when unknown
 * @param outcome how it ended: {@code succeeded}, {@code canary-failed}, {@code failed} or {@code interrupted}
 * @param duration how long it ran
 * @param detail what happened, as the reload's answer said it
 * @param canary how its canary did, {@code null} without one
 */
public record ReloadRecord(Instant startedAt, String trigger, String version, String outcome, Duration duration,
		String detail, CanaryResult canary) {

	/** How many reloads the history keeps. */
	public static final int KEPT = 10;

	private static final String COUNT = "reloadHistory";

	/**
	 * Add a history's fields to a frame's.
	 * @param history the reloads, oldest first
	 * @param fields the frame's fields, names and values in turn
	 */
	static void addTo(List<ReloadRecord> history, List<Object> fields) {
		fields.addAll(List.of(COUNT, history.size()));
		for (int i = 0; i < history.size(); i++) {
			ReloadRecord reload = history.get(i);
			String p = "r" + i + ".";
			fields.addAll(List.of(p + "startedAt", reload.startedAt, p + "trigger", reload.trigger, p + "version",
					reload.version, p + "outcome", reload.outcome, p + "duration", reload.duration, p + "detail",
					reload.detail));
			if (reload.canary != null) {
				reload.canary.addTo(p + "canary.", fields);
			}
		}
	}

	/**
	 * Read the history that {@link #addTo} wrote; a frame without one has an empty history.
	 * @param frame the frame
	 * @return the reloads, oldest first
	 * @throws ProtocolException when a field is malformed
	 */
	static List<ReloadRecord> from(Frame frame) throws ProtocolException {
		int count = frame.get(COUNT).isPresent() ? frame.requireInt(COUNT) : 0;
		if (count < 0 || count > KEPT) {
			throw new ProtocolException("reload history out of range: " + count);
		}
		List<ReloadRecord> history = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String p = "r" + i + ".";
			try {
				history.add(new ReloadRecord(Instant.parse(frame.require(p + "startedAt")), frame.require(p + "trigger"),
						frame.require(p + "version"), frame.require(p + "outcome"),
						Duration.parse(frame.require(p + "duration")), frame.require(p + "detail"),
						CanaryResult.from(frame, p + "canary.")));
			}
			catch (RuntimeException ex) {
				throw new ProtocolException("malformed reload history: " + ex.getMessage());
			}
		}
		return history;
	}

}
