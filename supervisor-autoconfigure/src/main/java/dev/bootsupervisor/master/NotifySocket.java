package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import com.sun.jna.LastErrorException;

import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.Posix;

/**
 * systemd's notify socket: an {@code AF_UNIX} datagram socket, through JNA since Java 17's
 * {@code DatagramChannel} has no {@code AF_UNIX}. {@code NOTIFY_SOCKET} is a path, or {@code @name} in the
 * abstract namespace.
 */
final class NotifySocket implements SystemdNotifier.Sink {

	private static final int AF_UNIX = 1;

	private static final int SOCK_DGRAM = 2;

	private static final int SOCK_CLOEXEC = 0x80000;

	private static final int MSG_NOSIGNAL = 0x4000;

	private static final int CLOCK_MONOTONIC = 1;

	private static final int SUN_PATH = 108;

	private final String name;

	private final byte[] address;

	private int fd = -1;

	NotifySocket(String name) {
		this.name = name;
		this.address = address(name);
	}

	/**
	 * The {@code sockaddr_un} of a notify socket. In the abstract namespace {@code sun_path[0]} is 0 and the length
	 * counts only the name, without a terminating 0: the kernel compares every byte of it.
	 * @param name the value of {@code NOTIFY_SOCKET}
	 * @return the address, exactly as long as the length passed to {@code sendto}
	 */
	static byte[] address(String name) {
		boolean abstractName = name.startsWith("@");
		byte[] path = (abstractName ? name.substring(1) : name).getBytes(StandardCharsets.UTF_8);
		int pathLength = path.length + 1;
		if (path.length == 0 || pathLength > SUN_PATH) {
			throw new IllegalArgumentException("NOTIFY_SOCKET '" + name + "' is not a socket path of 1 to "
					+ (SUN_PATH - 1) + " bytes");
		}
		ByteBuffer address = ByteBuffer.allocate(2 + pathLength).order(ByteOrder.nativeOrder());
		address.putShort((short) AF_UNIX);
		if (abstractName) {
			address.put((byte) 0).put(path);
		}
		else {
			address.put(path).put((byte) 0);
		}
		return address.array();
	}

	@Override
	public void send(String message) throws IOException {
		byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
		try {
			Posix.LibC libc = Posix.libc();
			if (this.fd < 0) {
				this.fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			}
			libc.sendto(this.fd, bytes, bytes.length, MSG_NOSIGNAL, this.address, this.address.length);
		}
		catch (LastErrorException ex) {
			throw new IOException("sendto " + this.name + ": errno " + ex.getErrorCode(), ex);
		}
		catch (LaunchException ex) {
			throw new IOException(ex.getMessage(), ex);
		}
	}

	@Override
	public String toString() {
		return this.name;
	}

	/**
	 * {@code CLOCK_MONOTONIC} in microseconds, the clock of {@code MONOTONIC_USEC=}.
	 * @return the time
	 */
	static long monotonicMicros() {
		try {
			long[] timespec = new long[2];
			Posix.libc().clock_gettime(CLOCK_MONOTONIC, timespec);
			return timespec[0] * 1_000_000L + timespec[1] / 1_000L;
		}
		catch (LaunchException | RuntimeException ex) {
			// HotSpot's nanoTime reads CLOCK_MONOTONIC on Linux
			return System.nanoTime() / 1_000L;
		}
	}

}
