package dev.bootsupervisor.worker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Tests for {@link PerfData}.
 */
class PerfDataTests {

	@TempDir
	Path directory;

	@ParameterizedTest
	@ValueSource(strings = { "LITTLE_ENDIAN", "BIG_ENDIAN" })
	void readsCountersAndStringsOfAMappedFileInPlace(String order) throws IOException {
		ByteOrder byteOrder = "BIG_ENDIAN".equals(order) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
		Map<String, Object> entries = new LinkedHashMap<>();
		entries.put("sun.gc.collector.0.name", "G1 young collection pauses");
		entries.put("sun.gc.collector.2.name", "G1 concurrent cycle pauses");
		entries.put("sun.gc.collector.2.invocations", 6L);
		entries.put("sun.gc.generation.1.space.0.used", 123_456_789L);
		Path file = this.directory.resolve("4242");
		Files.write(file, perfData(byteOrder, entries));
		PerfData data;
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
			data = new PerfData(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
		}
		assertThat(data.string("sun.gc.collector.2.name")).isEqualTo("G1 concurrent cycle pauses");
		LongSupplier invocations = data.counter("sun.gc.collector.2.invocations");
		assertThat(invocations.getAsLong()).isEqualTo(6);
		assertThat(data.counter("sun.gc.generation.1.space.0.used").getAsLong()).isEqualTo(123_456_789L);
		// The JVM updates its counters in place: the mapping shows a new value without opening the file again
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size())
				.order(byteOrder)
				.putLong(dataOffset(channel, byteOrder, "sun.gc.collector.2.invocations"), 8);
		}
		assertThat(invocations.getAsLong()).isEqualTo(8);
	}

	@Test
	void refusesWhatIsNotPerformanceDataOfVersionTwo() {
		assertThatIOException().isThrownBy(() -> new PerfData(ByteBuffer.allocate(64)))
			.withMessageContaining("not HotSpot performance data");
		ByteBuffer version1 = ByteBuffer.wrap(perfData(ByteOrder.LITTLE_ENDIAN, Map.of("a", 1L)));
		version1.put(5, (byte) 1);
		assertThatIOException().isThrownBy(() -> new PerfData(version1)).withMessageContaining("version 1");
	}

	@Test
	void refusesANameThatIsNotThereOrOfAnotherType() throws IOException {
		PerfData data = new PerfData(
				ByteBuffer.wrap(perfData(ByteOrder.LITTLE_ENDIAN, Map.of("sun.gc.collector.2.name", "G1"))));
		assertThatIOException().isThrownBy(() -> data.counter("sun.gc.collector.2.invocations"))
			.withMessageContaining("no counter sun.gc.collector.2.invocations");
		assertThatIOException().isThrownBy(() -> data.counter("sun.gc.collector.2.name"));
	}

	@Test
	void readsThisJvmsOwnFile() throws IOException {
		PerfData data = PerfData.ofThisJvm();
		assertThat(data.counter("sun.rt.vmInitDoneTime").getAsLong())
			.isEqualTo(ManagementFactory.getRuntimeMXBean().getStartTime());
		assertThat(data.string("sun.gc.collector.0.name")).isNotBlank();
	}

	/** HotSpot's layout: a 32-byte prologue, then entries of a 20-byte header, a NUL-terminated name and data. */
	static byte[] perfData(ByteOrder order, Map<String, Object> entries) {
		ByteBuffer buffer = ByteBuffer.allocate(4096).order(order);
		buffer.order(ByteOrder.BIG_ENDIAN).putInt(0, 0xcafec0c0).order(order);
		buffer.put(4, (byte) ((order == ByteOrder.BIG_ENDIAN) ? 0 : 1));
		buffer.put(5, (byte) 2);
		buffer.put(6, (byte) 0);
		buffer.put(7, (byte) 1);
		buffer.putInt(24, 32);
		buffer.putInt(28, entries.size());
		int entry = 32;
		for (Map.Entry<String, Object> counter : entries.entrySet()) {
			byte[] name = (counter.getKey() + "\0").getBytes(StandardCharsets.UTF_8);
			boolean isLong = counter.getValue() instanceof Long;
			byte[] text = isLong ? new byte[0] : (counter.getValue() + "\0").getBytes(StandardCharsets.UTF_8);
			int dataOffset = align(20 + name.length, 8);
			int length = align(dataOffset + (isLong ? 8 : text.length), 8);
			buffer.putInt(entry, length);
			buffer.putInt(entry + 4, 20);
			buffer.putInt(entry + 8, isLong ? 0 : text.length);
			buffer.put(entry + 12, (byte) (isLong ? 'J' : 'B'));
			buffer.putInt(entry + 16, dataOffset);
			buffer.put(entry + 20, name);
			if (isLong) {
				buffer.putLong(entry + dataOffset, (Long) counter.getValue());
			}
			else {
				buffer.put(entry + dataOffset, text);
			}
			entry += length;
		}
		buffer.putInt(8, entry);
		return buffer.array();
	}

	private static int dataOffset(FileChannel channel, ByteOrder order, String name) throws IOException {
		ByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(order);
		int entry = buffer.getInt(24);
		for (int i = 0; i < buffer.getInt(28); i++) {
			byte[] bytes = new byte[name.length()];
			buffer.get(entry + buffer.getInt(entry + 4), bytes);
			if (new String(bytes, StandardCharsets.UTF_8).equals(name)) {
				return entry + buffer.getInt(entry + 16);
			}
			entry += buffer.getInt(entry);
		}
		throw new IOException("no " + name);
	}

	private static int align(int value, int to) {
		return (value + to - 1) / to * to;
	}

}
