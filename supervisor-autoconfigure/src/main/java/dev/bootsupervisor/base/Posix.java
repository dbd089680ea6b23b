package dev.bootsupervisor.base;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few C library calls the JDK does not offer, through JNA: binding the shared socket onto standard input,
 * starting a new session for a daemon, reaping orphans when the master is PID 1, and systemd's notify datagrams
 * (Java 17 has no {@code AF_UNIX} datagrams).
 */
public final class Posix {

	private static volatile LibC libc;

	private Posix() {
	}

	public static LibC libc() throws LaunchException {
		if (libc == null) {
			try {
				libc = Native.load("c", LibC.class);
			}
			catch (UnsatisfiedLinkError ex) {
				throw new LaunchException("Boot Supervisor needs the C library through JNA (sockets, sessions), and "
						+ "it could not be loaded: " + ex.getMessage(), ExitCodes.FAILURE);
			}
		}
		return libc;
	}

	/**
	 * The C library functions used.
	 */
	public interface LibC extends Library {

		int socket(int domain, int type, int protocol) throws LastErrorException;

		int setsockopt(int fd, int level, int name, int[] value, int length) throws LastErrorException;

		int setsockopt(int fd, int level, int name, com.sun.jna.Pointer value, int length) throws LastErrorException;

		int getsockopt(int fd, int level, int name, byte[] value, int[] length) throws LastErrorException;

		int bind(int fd, byte[] address, int length) throws LastErrorException;

		int listen(int fd, int backlog) throws LastErrorException;

		int getsockname(int fd, byte[] address, int[] length) throws LastErrorException;

		int dup2(int fd, int target) throws LastErrorException;

		int open(String path, int flags, int mode) throws LastErrorException;

		int close(int fd) throws LastErrorException;

		int shutdown(int fd, int how) throws LastErrorException;

		long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength)
				throws LastErrorException;

		int clock_gettime(int clock, long[] timespec) throws LastErrorException;

		int setsid() throws LastErrorException;

		int kill(int pid, int signal) throws LastErrorException;

		int execve(String path, String[] argv, String[] envp) throws LastErrorException;

		int waitpid(int pid, int[] status, int options) throws LastErrorException;

		int sigaction(int signal, com.sun.jna.Pointer action, byte[] previous) throws LastErrorException;

		long signal(int signal, long handler) throws LastErrorException;

	}

}
