package dev.bootsupervisor.metrics;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the Prometheus protobuf scrapes of several workers (length-delimited {@code MetricFamily} messages) into
 * one: each family once, with the fields of its first scrape, followed by every worker's {@code Metric}s; a metric
 * with the same labels as one already kept is dropped. The wire format is read field by field, so no protobuf
 * library is needed.
 */
final class ProtobufExpositionMerger {

	private static final int VARINT = 0;

	private static final int FIXED64 = 1;

	private static final int LENGTH = 2;

	private static final int FIXED32 = 5;

	private static final int FAMILY_NAME = 1;

	private static final int FAMILY_HELP = 2;

	private static final int FAMILY_TYPE = 3;

	private static final int FAMILY_METRIC = 4;

	private static final int METRIC_LABEL = 1;

	private static final int METRIC_GAUGE = 2;

	private static final int TYPE_GAUGE = 1;

	private ProtobufExpositionMerger() {
	}

	/**
	 * Merge scrapes.
	 * @param scrapes the scrapes, the answering worker's first
	 * @param summary what the merged scrape holds, added as a gauge, {@code null} for none
	 * @return the merged scrape
	 * @throws IllegalArgumentException when a scrape is not a delimited stream of messages
	 */
	static byte[] merge(List<byte[]> scrapes, ScrapeSummary summary) {
		Map<String, Family> families = new LinkedHashMap<>();
		for (byte[] scrape : scrapes) {
			Reader stream = new Reader(scrape, 0, scrape.length);
			while (stream.more()) {
				int length = (int) stream.varint();
				Reader message = stream.sub(length);
				read(message, families);
			}
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (Family family : families.values()) {
			delimited(out, family.encode());
		}
		if (summary != null) {
			delimited(out, summary(summary));
		}
		return out.toByteArray();
	}

	private static void read(Reader message, Map<String, Family> families) {
		List<byte[]> fields = new ArrayList<>();
		List<byte[]> metrics = new ArrayList<>();
		String name = null;
		while (message.more()) {
			int start = message.position;
			long tag = message.varint();
			int field = (int) (tag >>> 3);
			int wireType = (int) (tag & 7);
			if (wireType == LENGTH) {
				int length = (int) message.varint();
				int valueStart = message.position;
				message.skip(length);
				if (field == FAMILY_NAME) {
					name = new String(message.bytes, valueStart, length, StandardCharsets.UTF_8);
				}
				if (field == FAMILY_METRIC) {
					metrics.add(Arrays.copyOfRange(message.bytes, valueStart, valueStart + length));
					continue;
				}
			}
			else {
				message.skipValue(wireType);
			}
			fields.add(Arrays.copyOfRange(message.bytes, start, message.position));
		}
		String key = (name != null) ? name : "";
		Family family = families.computeIfAbsent(key, (k) -> new Family(fields));
		for (byte[] metric : metrics) {
			if (family.labels.add(new Labels(labels(metric)))) {
				family.metrics.add(metric);
			}
		}
	}

	private static byte[] labels(byte[] metric) {
		Reader reader = new Reader(metric, 0, metric.length);
		ByteArrayOutputStream labels = new ByteArrayOutputStream();
		while (reader.more()) {
			int start = reader.position;
			long tag = reader.varint();
			reader.skipValue((int) (tag & 7));
			if ((tag >>> 3) == METRIC_LABEL) {
				labels.write(metric, start, reader.position - start);
			}
		}
		return labels.toByteArray();
	}

	private static byte[] summary(ScrapeSummary summary) {
		ByteArrayOutputStream family = new ByteArrayOutputStream();
		string(family, FAMILY_NAME, ScrapeSummary.NAME);
		string(family, FAMILY_HELP, ScrapeSummary.HELP);
		tag(family, FAMILY_TYPE, VARINT);
		varint(family, TYPE_GAUGE);
		for (String[] sample : summary.samples()) {
			ByteArrayOutputStream label = new ByteArrayOutputStream();
			string(label, 1, "outcome");
			string(label, 2, sample[0]);
			ByteArrayOutputStream gauge = new ByteArrayOutputStream();
			tag(gauge, 1, FIXED64);
			gauge.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
				.putDouble(Double.parseDouble(sample[1]))
				.array());
			ByteArrayOutputStream metric = new ByteArrayOutputStream();
			bytes(metric, METRIC_LABEL, label.toByteArray());
			bytes(metric, METRIC_GAUGE, gauge.toByteArray());
			bytes(family, FAMILY_METRIC, metric.toByteArray());
		}
		return family.toByteArray();
	}

	private static void delimited(ByteArrayOutputStream out, byte[] message) {
		varint(out, message.length);
		out.writeBytes(message);
	}

	private static void string(ByteArrayOutputStream out, int field, String value) {
		bytes(out, field, value.getBytes(StandardCharsets.UTF_8));
	}

	private static void bytes(ByteArrayOutputStream out, int field, byte[] value) {
		tag(out, field, LENGTH);
		varint(out, value.length);
		out.writeBytes(value);
	}

	private static void tag(ByteArrayOutputStream out, int field, int wireType) {
		varint(out, ((long) field << 3) | wireType);
	}

	private static void varint(ByteArrayOutputStream out, long value) {
		while ((value & ~0x7FL) != 0) {
			out.write((int) ((value & 0x7F) | 0x80));
			value >>>= 7;
		}
		out.write((int) value);
	}

	private static final class Family {

		private final List<byte[]> fields;

		private final List<byte[]> metrics = new ArrayList<>();

		private final Set<Labels> labels = new HashSet<>();

		Family(List<byte[]> fields) {
			this.fields = fields;
		}

		byte[] encode() {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			this.fields.forEach(out::writeBytes);
			this.metrics.forEach((metric) -> bytes(out, FAMILY_METRIC, metric));
			return out.toByteArray();
		}

	}

	private record Labels(byte[] bytes) {

		@Override
		public boolean equals(Object other) {
			return other instanceof Labels that && Arrays.equals(this.bytes, that.bytes);
		}

		@Override
		public int hashCode() {
			return Arrays.hashCode(this.bytes);
		}

	}

	private static final class Reader {

		private final byte[] bytes;

		private final int end;

		private int position;

		Reader(byte[] bytes, int position, int end) {
			this.bytes = bytes;
			this.position = position;
			this.end = end;
		}

		boolean more() {
			return this.position < this.end;
		}

		long varint() {
			long value = 0;
			for (int shift = 0; shift < 64; shift += 7) {
				if (this.position >= this.end) {
					throw new IllegalArgumentException("truncated varint");
				}
				byte b = this.bytes[this.position++];
				value |= (long) (b & 0x7F) << shift;
				if ((b & 0x80) == 0) {
					return value;
				}
			}
			throw new IllegalArgumentException("malformed varint");
		}

		Reader sub(int length) {
			Reader sub = new Reader(this.bytes, this.position, this.position + length);
			skip(length);
			return sub;
		}

		void skip(int length) {
			if (length < 0 || this.position + length > this.end) {
				throw new IllegalArgumentException("truncated message");
			}
			this.position += length;
		}

		void skipValue(int wireType) {
			switch (wireType) {
				case VARINT -> varint();
				case FIXED64 -> skip(8);
				case LENGTH -> skip((int) varint());
				case FIXED32 -> skip(4);
				default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
			}
		}

	}

}
