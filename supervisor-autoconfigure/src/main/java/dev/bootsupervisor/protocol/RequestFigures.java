package dev.bootsupervisor.protocol;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * A worker's HTTP requests since it started, by status class and by latency, as its heartbeat carries them: the
 * master subtracts two of them to judge a worker over a window (a reload's canary). Latencies fall into fixed
 * buckets four to an octave, from 250 µs to about 65 s, so a percentile is known within 19%.
 *
 * @param byStatusClass requests answered with a 1xx, 2xx, 3xx, 4xx and 5xx status, in that order (five counts)
 * @param byLatency requests per latency bucket, {@link #BUCKETS} counts, the last for every longer request
 */
public record RequestFigures(long[] byStatusClass, long[] byLatency) {

	/** How many latency buckets there are, the last one open-ended. */
	public static final int BUCKETS = 73;

	/** The heartbeat field of the status classes. */
	public static final String STATUSES = "statuses";

	/** The heartbeat field of the latency buckets. */
	public static final String LATENCIES = "latencies";

	/** No request yet. */
	public static final RequestFigures NONE = new RequestFigures(new long[5], new long[BUCKETS]);

	private static final long FIRST_BOUND_NANOS = 250_000;

	public RequestFigures {
		if (byStatusClass.length != 5 || byLatency.length != BUCKETS) {
			throw new IllegalArgumentException("5 status classes and " + BUCKETS + " latency buckets expected");
		}
		byStatusClass = byStatusClass.clone();
		byLatency = byLatency.clone();
	}

	/**
	 * Return the bucket a latency falls into.
	 * @param nanos the latency
	 * @return its bucket, from 0
	 */
	public static int bucket(long nanos) {
		if (nanos <= FIRST_BOUND_NANOS) {
			return 0;
		}
		int bucket = (int) Math.ceil(4 * Math.log((double) nanos / FIRST_BOUND_NANOS) / Math.log(2));
		return Math.min(bucket, BUCKETS - 1);
	}

	/**
	 * Return the longest latency of a bucket.
	 * @param bucket the bucket
	 * @return its upper bound ({@code 2^(bucket/4)} times 250 µs)
	 */
	public static Duration upperBound(int bucket) {
		return Duration.ofNanos(Math.round(FIRST_BOUND_NANOS * Math.pow(2, bucket / 4.0)));
	}

	/**
	 * Return the status class of a status.
	 * @param status an HTTP status
	 * @return 0 for 1xx to 4 for 5xx; anything else counts as 5xx
	 */
	public static int statusClass(int status) {
		return (status >= 100 && status < 500) ? status / 100 - 1 : 4;
	}

	/** Every request counted. */
	public long total() {
		return Arrays.stream(this.byStatusClass).sum();
	}

	/** Requests answered with a 5xx status. */
	public long serverErrors() {
		return this.byStatusClass[4];
	}

	/**
	 * Return the share of requests answered with a 5xx status.
	 * @return the share, in percent, 0 without requests
	 */
	public double serverErrorPercent() {
		long total = total();
		return (total > 0) ? 100.0 * serverErrors() / total : 0;
	}

	/**
	 * Return a percentile of the latencies: the upper bound of the bucket that holds it.
	 * @param quantile the quantile, for example 0.99
	 * @return the latency, {@link Duration#ZERO} without requests
	 */
	public Duration percentile(double quantile) {
		long count = Arrays.stream(this.byLatency).sum();
		if (count == 0) {
			return Duration.ZERO;
		}
		long rank = (long) Math.ceil(quantile * count);
		long seen = 0;
		for (int i = 0; i < BUCKETS; i++) {
			seen += this.byLatency[i];
			if (seen >= rank) {
				return upperBound(i);
			}
		}
		return upperBound(BUCKETS - 1);
	}

	/**
	 * Return what was counted since an earlier reading of the same worker.
	 * @param earlier the earlier reading
	 * @return the difference, never negative
	 */
	public RequestFigures since(RequestFigures earlier) {
		return new RequestFigures(minus(this.byStatusClass, earlier.byStatusClass),
				minus(this.byLatency, earlier.byLatency));
	}

	/**
	 * Return these figures added to others, to sum workers.
	 * @param other the others
	 * @return the sum
	 */
	public RequestFigures plus(RequestFigures other) {
		long[] statuses = this.byStatusClass.clone();
		long[] latencies = this.byLatency.clone();
		for (int i = 0; i < statuses.length; i++) {
			statuses[i] += other.byStatusClass[i];
		}
		for (int i = 0; i < latencies.length; i++) {
			latencies[i] += other.byLatency[i];
		}
		return new RequestFigures(statuses, latencies);
	}

	private static long[] minus(long[] later, long[] earlier) {
		long[] difference = new long[later.length];
		for (int i = 0; i < later.length; i++) {
			difference[i] = Math.max(0, later[i] - earlier[i]);
		}
		return difference;
	}

	/**
	 * Return the two heartbeat fields: the status classes as five counts, and the latency buckets that are not
	 * empty as {@code bucket:count} pairs.
	 * @return the fields, by name
	 */
	public Map<String, String> fields() {
		StringBuilder statuses = new StringBuilder();
		for (long count : this.byStatusClass) {
			statuses.append((statuses.length() > 0) ? "," : "").append(count);
		}
		StringBuilder latencies = new StringBuilder();
		for (int i = 0; i < BUCKETS; i++) {
			if (this.byLatency[i] > 0) {
				latencies.append((latencies.length() > 0) ? "," : "").append(i).append(':').append(this.byLatency[i]);
			}
		}
		return Map.of(STATUSES, statuses.toString(), LATENCIES, latencies.toString());
	}

	/**
	 * Read the figures of a heartbeat; a heartbeat without them (a worker without a web server) has none.
	 * @param frame the heartbeat
	 * @return the figures
	 * @throws ProtocolException when a field is malformed
	 */
	public static RequestFigures from(Frame frame) throws ProtocolException {
		String statuses = frame.get(STATUSES).orElse(null);
		String latencies = frame.get(LATENCIES).orElse("");
		if (statuses == null) {
			return NONE;
		}
		long[] byStatusClass = new long[5];
		String[] counts = statuses.split(",", -1);
		if (counts.length != 5) {
			throw new ProtocolException("malformed " + STATUSES + " '" + excerpt(statuses) + "'");
		}
		for (int i = 0; i < 5; i++) {
			byStatusClass[i] = count(counts[i], STATUSES, statuses);
		}
		long[] byLatency = new long[BUCKETS];
		if (!latencies.isEmpty()) {
			for (String pair : latencies.split(",", -1)) {
				int colon = pair.indexOf(':');
				int bucket = (colon > 0 && colon <= 2) ? (int) count(pair.substring(0, colon), LATENCIES, latencies)
						: -1;
				if (bucket < 0 || bucket >= BUCKETS || byLatency[bucket] != 0) {
					throw new ProtocolException("malformed " + LATENCIES + " '" + excerpt(latencies) + "'");
				}
				byLatency[bucket] = count(pair.substring(colon + 1), LATENCIES, latencies);
			}
		}
		return new RequestFigures(byStatusClass, byLatency);
	}

	private static long count(String text, String field, String value) throws ProtocolException {
		try {
			long count = Long.parseLong(text);
			if (count >= 0 && !text.startsWith("+")) {
				return count;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new ProtocolException("malformed " + field + " '" + excerpt(value) + "'");
	}

	private static String excerpt(String value) {
		return (value.length() > 80) ? value.substring(0, 80) + "..." : value;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof RequestFigures figures && Arrays.equals(this.byStatusClass, figures.byStatusClass)
				&& Arrays.equals(this.byLatency, figures.byLatency);
	}

	@Override
	public int hashCode() {
		return 31 * Arrays.hashCode(this.byStatusClass) + Arrays.hashCode(this.byLatency);
	}

	@Override
	public String toString() {
		return "RequestFigures" + fields();
	}

}
