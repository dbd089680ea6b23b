package dev.bootsupervisor.sample;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Stands in for systemd: an {@code AF_UNIX} datagram socket of the test's own (through JNA, as Java 17 has none),
 * bound to a path or an abstract {@code @name}, that keeps every notification with the time it arrived.
 */
final class NotifySocketListener implements AutoCloseable {

	private static final int AF_UNIX = 1;

	private static final int SOCK_DGRAM = 2;

	private static final int SOL_SOCKET = 1;

	private static final int SO_RCVTIMEO = 20;

	private static final int EAGAIN = 11;

	private static final int CLOCK_MONOTONIC = 1;

	private static final LibC libc = Native.load("c", LibC.class);

	private final String name;

	private final int fd;

	private final List<Notification> received = new CopyOnWriteArrayList<>();

	private final Thread reader;

	private volatile boolean open = true;

	private NotifySocketListener(String name) {
		this.name = name;
		this.fd = libc.socket(AF_UNIX, SOCK_DGRAM, 0);
		byte[] address = address(name);
		libc.bind(this.fd, address, address.length);
		// a receive timeout, so the reader sees close() without a signal
		libc.setsockopt(this.fd, SOL_SOCKET, SO_RCVTIMEO, new long[] { 0, 200_000 }, 16);
		this.reader = new Thread(this::read, "notify-socket-" + name);
		this.reader.setDaemon(true);
		this.reader.start();
	}

	static NotifySocketListener bind(Path path) {
		return new NotifySocketListener(path.toString());
	}

	static NotifySocketListener bindAbstract(String name) {
		return new NotifySocketListener("@" + name);
	}

	/** The environment systemd gives its service: {@code NOTIFY_SOCKET}. */
	Map<String, String> environment() {
		return Map.of("NOTIFY_SOCKET", this.name);
	}

	/** {@code CLOCK_MONOTONIC} in microseconds, systemd's clock for {@code MONOTONIC_USEC=}. */
	static long monotonicMicros() {
		long[] timespec = new long[2];
		libc.clock_gettime(CLOCK_MONOTONIC, timespec);
		return timespec[0] * 1_000_000L + timespec[1] / 1_000L;
	}

	List<Notification> received() {
		return new ArrayList<>(this.received);
	}

	/**
	 * Wait for the first notification after {@code from} that has this field.
	 * @param field such as {@code READY=1}, or {@code EXTEND_TIMEOUT_USEC=} for any value
	 * @param from the index of the first notification to look at
	 * @param timeout how long to wait
	 * @return the notification
	 */
	Notification await(String field, int from, Duration timeout) {
		Predicate<Notification> has = (n) -> n.has(field);
		try {
			Awaitility.await("a notification with " + field).atMost(timeout)
				.until(() -> this.received.stream().skip(from).anyMatch(has));
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(ex.getMessage() + "; received from " + from + ": " + this.received, ex);
		}
		return this.received.stream().skip(from).filter(has).findFirst().orElseThrow();
	}

	private void read() {
		byte[] buffer = new byte[4096];
		while (this.open) {
			try {
				long length = libc.recv(this.fd, buffer, buffer.length, 0);
				if (length > 0) {
					this.received.add(new Notification(new String(buffer, 0, (int) length, StandardCharsets.UTF_8),
							System.nanoTime(), monotonicMicros()));
				}
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() != EAGAIN) {
					return;
				}
			}
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.open = false;
		this.reader.join(2_000);
		libc.close(this.fd);
	}

	private static byte[] address(String name) {
		boolean abstractName = name.startsWith("@");
		byte[] path = (abstractName ? name.substring(1) : name).getBytes(StandardCharsets.UTF_8);
		ByteBuffer address = ByteBuffer.allocate(2 + 1 + path.length).order(ByteOrder.nativeOrder());
		address.putShort((short) AF_UNIX);
		if (abstractName) {
			address.put((byte) 0).put(path);
		}
		else {
			address.put(path).put((byte) 0);
		}
		return address.array();
	}

	/**
	 * One datagram.
	 *
	 * @param text its text, one {@code KEY=VALUE} a line
	 * @param nanoTime when it arrived, on {@link System#nanoTime()}
	 * @param monotonicMicros when it arrived, on {@code CLOCK_MONOTONIC}
	 */
	record Notification(String text, long nanoTime, long monotonicMicros) {

		boolean has(String field) {
			return this.text.lines().anyMatch(field.endsWith("=") ? (l) -> l.startsWith(field) : field::equals);
		}

		String value(String key) {
			return this.text.lines().filter((l) -> l.startsWith(key + "=")).map((l) -> l.substring(key.length() + 1))
				.findFirst().orElse(null);
		}

		@Override
		public String toString() {
			return "[" + this.text.replace('\n', ' ') + "]";
		}

	}

	private interface LibC extends Library {

		int socket(int domain, int type, int protocol) throws LastErrorException;

		int bind(int fd, byte[] address, int length) throws LastErrorException;

		int setsockopt(int fd, int level, int name, long[] value, int length) throws LastErrorException;

		long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

		int close(int fd) throws LastErrorException;

		int clock_gettime(int clock, long[] timespec) throws LastErrorException;

	}

}
