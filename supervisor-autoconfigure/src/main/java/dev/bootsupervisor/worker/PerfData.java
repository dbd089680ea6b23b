package dev.bootsupervisor.worker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * The counters HotSpot publishes in its performance data file ({@code hsperfdata}, what {@code jstat} and
 * {@code jcmd PerfCounter.print} read), mapped read-only: a counter is then read in place, in a few nanoseconds.
 * Only this JVM's own file is opened; the format is HotSpot's version 2 ({@code perfMemory.hpp}).
 */
final class PerfData {

	private static final int MAGIC = 0xcafec0c0;

	private static final int PROLOGUE_SIZE = 32;

	private static final int ENTRY_HEADER_SIZE = 20;

	private final ByteBuffer buffer;

	/**
	 * Read the performance data in this buffer.
	 * @param buffer the buffer, from its prologue on
	 * @throws IOException when it is not HotSpot performance data of version 2, or not yet ready
	 */
	PerfData(ByteBuffer buffer) throws IOException {
		if (buffer.limit() < PROLOGUE_SIZE || buffer.order(ByteOrder.BIG_ENDIAN).getInt(0) != MAGIC) {
			throw new IOException("not HotSpot performance data");
		}
		if (buffer.get(5) != 2) {
			throw new IOException("performance data of version " + buffer.get(5) + "." + buffer.get(6)
					+ ", not 2.x");
		}
		if (buffer.get(7) == 0) {
			throw new IOException("performance data not accessible yet");
		}
		this.buffer = buffer.order((buffer.get(4) == 0) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
	}

	/**
	 * Map this JVM's own performance data file: {@code <tmp>/hsperfdata_<user>/<pid>}, which HotSpot writes unless
	 * started with {@code -XX:-UsePerfData} or {@code -XX:+PerfDisableSharedMem}. The file is checked to be this
	 * JVM's, not a stale one of an earlier process of the same pid, by the time the JVM finished its start.
	 * @return the counters
	 * @throws IOException when the file is absent, unreadable or another JVM's
	 */
	static PerfData ofThisJvm() throws IOException {
		// HotSpot writes to /tmp on Linux whatever java.io.tmpdir says, elsewhere to the platform's temporary directory
		String tmp = System.getProperty("os.name", "").startsWith("Linux") ? "/tmp"
				: System.getProperty("java.io.tmpdir");
		Path file = Path.of(tmp, "hsperfdata_" + System.getProperty("user.name"),
				Long.toString(ProcessHandle.current().pid()));
		PerfData data;
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			// the mapping stays valid once the channel is closed
			data = new PerfData(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
		}
		long started = ManagementFactory.getRuntimeMXBean().getStartTime();
		if (data.counter("sun.rt.vmInitDoneTime").getAsLong() != started) {
			throw new IOException(file + " is not this JVM's (another start time)");
		}
		return data;
	}

	/**
	 * Return a reader of one counter (a {@code long}), which reads its current value at each call.
	 * @param name the counter's name, such as {@code sun.gc.collector.2.invocations}
	 * @return the reader
	 * @throws IOException when there is no such counter
	 */
	LongSupplier counter(String name) throws IOException {
		int data = find(name, 'J');
		return () -> this.buffer.getLong(data);
	}

	/**
	 * Return the value of a string constant.
	 * @param name the constant's name, such as {@code sun.gc.collector.2.name}
	 * @return its value
	 * @throws IOException when there is no such string
	 */
	String string(String name) throws IOException {
		int data = find(name, 'B');
		return nulTerminated(data, this.buffer.limit());
	}

	/** Find the entry of this name and type: its data's offset in the buffer. */
	private int find(String name, char type) throws IOException {
		int entry = this.buffer.getInt(24);
		int count = this.buffer.getInt(28);
		for (int i = 0; i < count && entry + ENTRY_HEADER_SIZE <= this.buffer.limit(); i++) {
			int length = this.buffer.getInt(entry);
			if (length <= 0) {
				break;
			}
			if (this.buffer.get(entry + 12) == type
					&& nulTerminated(entry + this.buffer.getInt(entry + 4), entry + length).equals(name)) {
				int vector = this.buffer.getInt(entry + 8);
				if ((type == 'J') == (vector == 0)) {
					return entry + this.buffer.getInt(entry + 16);
				}
			}
			entry += length;
		}
		throw new IOException("no counter " + name);
	}

	private String nulTerminated(int from, int limit) {
		int end = from;
		while (end < limit && this.buffer.get(end) != 0) {
			end++;
		}
		byte[] bytes = new byte[end - from];
		this.buffer.get(from, bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
