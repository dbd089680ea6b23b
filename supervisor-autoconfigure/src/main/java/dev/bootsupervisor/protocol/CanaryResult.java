package dev.bootsupervisor.protocol;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How a reload's canary did against the old workers over its period, and the verdict.
 *
 * @param workerId the canary's worker id
 * @param passed whether it passed
 * @param window how long it was compared
 * @param requests the requests it answered in that window
 * @param errorPercent its share of 5xx answers, percent
 * @param p99 its p99 latency
 * @param oldRequests the requests the old workers answered in the same window
 * @param oldErrorPercent their share of 5xx answers, percent
 * @param oldP99 their p99 latency
 * @param verdict the verdict in words, as the reload's answer and the log say it
 */
public record CanaryResult(int workerId, boolean passed, Duration window, long requests, double errorPercent,
		Duration p99, long oldRequests, double oldErrorPercent, Duration oldP99, String verdict) {

	/**
	 * Add this result's fields to a frame's, each name after a prefix.
	 * @param prefix the prefix
	 * @param fields the frame's fields, names and values in turn
	 */
	void addTo(String prefix, List<Object> fields) {
		fields.addAll(List.of(prefix + "worker", this.workerId, prefix + "passed", this.passed, prefix + "window",
				this.window, prefix + "requests", this.requests, prefix + "errorPercent", percent(this.errorPercent),
				prefix + "p99", this.p99, prefix + "oldRequests", this.oldRequests, prefix + "oldErrorPercent",
				percent(this.oldErrorPercent), prefix + "oldP99", this.oldP99, prefix + "verdict", this.verdict));
	}

	/**
	 * Read a result that {@link #addTo} wrote, if the frame has one.
	 * @param frame the frame
	 * @param prefix the prefix
	 * @return the result, {@code null} when there is none
	 * @throws ProtocolException when a field is malformed
	 */
	static CanaryResult from(Frame frame, String prefix) throws ProtocolException {
		if (frame.get(prefix + "worker").isEmpty()) {
			return null;
		}
		try {
			return new CanaryResult(frame.requireInt(prefix + "worker"),
					Boolean.parseBoolean(frame.require(prefix + "passed")), Duration.parse(frame.require(prefix + "window")),
					frame.requireLong(prefix + "requests"), Double.parseDouble(frame.require(prefix + "errorPercent")),
					Duration.parse(frame.require(prefix + "p99")), frame.requireLong(prefix + "oldRequests"),
					Double.parseDouble(frame.require(prefix + "oldErrorPercent")),
					Duration.parse(frame.require(prefix + "oldP99")), frame.require(prefix + "verdict"));
		}
		catch (RuntimeException ex) {
			throw new ProtocolException("malformed canary result: " + ex.getMessage());
		}
	}

	private static String percent(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

}
