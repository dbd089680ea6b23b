package dev.bootsupervisor.master;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.Posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * The cluster's one listening socket. The master binds it once and places it on its own standard input, which
 * every worker inherits: a worker's {@code System.inheritedChannel()} is this socket. The master never accepts
 * on it; a worker that stops accepting leaves the queue to the others, so no queued connection is ever reset.
 */
public final class SharedListener {

	private static final int AF_INET = 2;

	private static final int AF_INET6 = 10;

	private static final int SOCK_STREAM = 1;

	private static final int SOL_SOCKET = 1;

	private static final int SO_REUSEADDR = 2;

	private static final int IPPROTO_IPV6 = 41;

	private static final int IPV6_V6ONLY = 26;

	private static final int EACCES = 13;

	private static final int EAFNOSUPPORT = 97;

	private static final int EADDRINUSE = 98;

	private static final int EADDRNOTAVAIL = 99;

	private static final int STDIN = 0;

	private static final int SHUT_RDWR = 2;

	private static final int SO_ATTACH_FILTER = 26;

	private static final int IPPROTO_TCP = 6;

	private static final int TCP_INFO = 11;

	private static final int TCP_INFO_LENGTH = 104;

	private static final int TCPI_UNACKED = 24;

	private static final byte TCP_LISTEN = 10;

	private final int port;

	private final String description;

	private SharedListener(int port, String description) {
		this.port = port;
		this.description = description;
	}

	public int port() {
		return this.port;
	}

	public String description() {
		return this.description;
	}

	/**
	 * Bind and listen, then move the socket to file descriptor 0.
	 * @param address the address, {@code null} or empty for every address (IPv6 and IPv4)
	 * @param port the port, 0 for any free port
	 * @param backlog the listen backlog
	 * @return the listener
	 * @throws LaunchException when the port cannot be bound, with a message for the user
	 */
	public static SharedListener bindOnStandardInput(String address, int port, int backlog) throws LaunchException {
		Posix.LibC libc = Posix.libc();
		InetAddress bindAddress = resolve(address);
		String shown = ((bindAddress != null) ? bindAddress.getHostAddress() : "*") + ":" + port;
		int fd = -1;
		try {
			boolean ipv6 = bindAddress == null || !(bindAddress instanceof Inet4Address);
			try {
				fd = libc.socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
			}
			catch (LastErrorException ex) {
				if (ex.getErrorCode() != EAFNOSUPPORT || bindAddress != null) {
					throw ex;
				}
				ipv6 = false;
				fd = libc.socket(AF_INET, SOCK_STREAM, 0);
			}
			libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, new int[] { 1 }, 4);
			if (ipv6 && bindAddress == null) {
				libc.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, new int[] { 0 }, 4);
			}
			byte[] sockaddr = ipv6 ? sockaddrIn6(bindAddress, port) : sockaddrIn(bindAddress, port);
			libc.bind(fd, sockaddr, sockaddr.length);
			libc.listen(fd, backlog);
			byte[] bound = new byte[28];
			libc.getsockname(fd, bound, new int[] { bound.length });
			int actualPort = ((bound[2] & 0xff) << 8) | (bound[3] & 0xff);
			libc.dup2(fd, STDIN);
			libc.close(fd);
			return new SharedListener(actualPort,
					"one listening socket on " + shown.replaceFirst(":\\d+$", ":" + actualPort)
							+ ", owned by the master and inherited by every worker");
		}
		catch (LastErrorException ex) {
			if (fd >= 0) {
				try {
					libc.close(fd);
				}
				catch (LastErrorException ignored) {
					// already failing
				}
			}
			throw new LaunchException(describe(ex.getErrorCode(), shown, port), ExitCodes.CONFIG);
		}
	}

	/**
	 * The listening socket at file descriptor 0, as a stop uses it: first no new connection, then, once the workers
	 * took every queued one, closed.
	 * @return the socket
	 */
	public static ListeningSocket standardInput() {
		// Built now, at the master's start: a jar overwritten in place by a redeploy could not give JNA's classes
		// that building it loads later, at the stop
		RefusalFilter filter = RefusalFilter.build();
		return new ListeningSocket() {

			@Override
			public boolean refuseNewConnections() {
				return SharedListener.refuseNewConnections(filter);
			}

			@Override
			public int queuedConnections() {
				return SharedListener.queuedConnections();
			}

			@Override
			public void close() {
				stopListening();
			}

		};
	}

	/**
	 * Make the kernel take no new connection on the socket at file descriptor 0, while the connections it already
	 * took stay queued for the workers: a socket filter drops every segment that opens a connection (SYN without
	 * ACK), so a client's connect is retried by its kernel and refused once the socket closes. The rest passes, so a
	 * handshake already under way completes.
	 * @param filter the filter, {@code null} when JNA could not build it
	 * @return whether the filter is in place
	 */
	static boolean refuseNewConnections(RefusalFilter filter) {
		try {
			if (filter == null) {
				throw new IllegalStateException("JNA could not build the socket filter");
			}
			Posix.libc().setsockopt(STDIN, SOL_SOCKET, SO_ATTACH_FILTER, filter.program(), 16);
			return true;
		}
		catch (LaunchException | LinkageError | RuntimeException ex) {
			System.getLogger(SharedListener.class.getName())
				.log(System.Logger.Level.WARNING, "Could not stop new connections on the listening socket ({0}): "
						+ "connections that arrive while the workers stop may be reset", ex.getMessage());
			return false;
		}
	}

	/**
	 * How many connections the kernel took on the socket at file descriptor 0 that no worker accepted yet.
	 * @return the count, -1 when it cannot be read
	 */
	static int queuedConnections() {
		byte[] info = new byte[TCP_INFO_LENGTH];
		try {
			Posix.libc().getsockopt(STDIN, IPPROTO_TCP, TCP_INFO, info, new int[] { info.length });
		}
		catch (LastErrorException | LaunchException ex) {
			return -1;
		}
		ByteBuffer buffer = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder());
		// on a listening socket, tcpi_unacked is the accept queue's length
		return (buffer.get(0) == TCP_LISTEN) ? buffer.getInt(TCPI_UNACKED) : -1;
	}

	/**
	 * Stop listening on the socket at file descriptor 0, for every process that holds it: new connections are
	 * refused at once, and any still in the queue are reset. For a stop, once no worker accepts any more.
	 */
	public static void stopListening() {
		try {
			Posix.libc().shutdown(STDIN, SHUT_RDWR);
		}
		catch (LastErrorException | LaunchException ex) {
			System.getLogger(SharedListener.class.getName())
				.log(System.Logger.Level.WARNING, "Could not close the listening socket: {0}", ex.getMessage());
		}
	}

	private static String describe(int errno, String shown, int port) {
		return switch (errno) {
			case EADDRINUSE -> "Port " + port + " is already in use (" + shown
					+ "): another program listens on it. Stop it, or choose another port with --server.port";
			case EACCES -> "Permission denied binding " + shown + ": ports below 1024 need privileges";
			case EADDRNOTAVAIL -> "Cannot bind " + shown + ": the address is not available on this host "
					+ "(check server.address)";
			default -> "Cannot listen on " + shown + " (errno " + errno + ")";
		};
	}

	private static InetAddress resolve(String address) throws LaunchException {
		if (address == null || address.isBlank()) {
			return null;
		}
		try {
			return InetAddress.getByName(address.trim());
		}
		catch (UnknownHostException ex) {
			throw new LaunchException("Invalid value '" + address + "' for server.address: unknown host",
					ExitCodes.CONFIG);
		}
	}

	private static byte[] sockaddrIn(InetAddress address, int port) {
		ByteBuffer buffer = ByteBuffer.allocate(16);
		buffer.order(ByteOrder.nativeOrder()).putShort((short) AF_INET);
		buffer.order(ByteOrder.BIG_ENDIAN).putShort((short) port);
		buffer.put((address != null) ? address.getAddress() : new byte[4]);
		return buffer.array();
	}

	private static byte[] sockaddrIn6(InetAddress address, int port) {
		ByteBuffer buffer = ByteBuffer.allocate(28);
		buffer.order(ByteOrder.nativeOrder()).putShort((short) AF_INET6);
		buffer.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(0);
		buffer.put((address != null) ? address.getAddress() : new byte[16]);
		buffer.order(ByteOrder.nativeOrder())
			.putInt((address instanceof java.net.Inet6Address v6) ? v6.getScopeId() : 0);
		return buffer.array();
	}

	/**
	 * The socket filter that refuses new connections, as the kernel takes it: {@code program} is the
	 * {@code struct sock_fprog} that points to {@code code}, classic BPF on the TCP header,
	 * {@code A = flags byte; A &= SYN|ACK; A == SYN ? drop : keep}. Holding both keeps the code from being freed
	 * while the program points to it.
	 *
	 * @param program the program
	 * @param code its instructions
	 */
	record RefusalFilter(Memory program, Memory code) {

		/**
		 * Build the filter.
		 * @return the filter, {@code null} when JNA cannot build it
		 */
		static RefusalFilter build() {
			int[][] instructions = { { 0x30, 0, 0, 13 }, { 0x54, 0, 0, 0x12 }, { 0x15, 0, 1, 0x02 },
					{ 0x06, 0, 0, 0 }, { 0x06, 0, 0, 0xFFFFFFFF } };
			try {
				Memory code = new Memory(8L * instructions.length);
				for (int i = 0; i < instructions.length; i++) {
					code.setShort(8L * i, (short) instructions[i][0]);
					code.setByte(8L * i + 2, (byte) instructions[i][1]);
					code.setByte(8L * i + 3, (byte) instructions[i][2]);
					code.setInt(8L * i + 4, instructions[i][3]);
				}
				Memory program = new Memory(16);
				program.clear();
				program.setShort(0, (short) instructions.length);
				program.setPointer(8, code);
				return new RefusalFilter(program, code);
			}
			catch (LinkageError | RuntimeException ex) {
				return null;
			}
		}

	}

}
