package dev.bootsupervisor.worker;

import java.io.IOException;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Keeps this process's standard output and error across closing the channel it inherited. When
 * {@code System.inheritedChannel()} is closed, the JDK points descriptors 0, 1 <em>and</em> 2 at {@code /dev/null}
 * (it assumes an inetd launch, where all three are the socket), which would silence every later log line of a
 * draining worker. The descriptors are saved with {@code dup} before and put back with {@code dup2} after.
 */
final class StandardStreams {

	private static final Log logger = LogFactory.getLog(StandardStreams.class);

	private static final int STDOUT = 1;

	private static final int STDERR = 2;

	private static volatile LibC libc;

	private StandardStreams() {
	}

	/**
	 * Load the C library now rather than while draining.
	 * @return whether standard output and error can be preserved
	 */
	static boolean prepare() {
		return libc() != null;
	}

	/**
	 * Run the action, then put standard output and error back where they were before it.
	 * @param action the action, closing the inherited channel
	 * @throws IOException if the action fails
	 */
	static void preserveAcross(IoAction action) throws IOException {
		LibC libc = libc();
		int savedOut = -1;
		int savedErr = -1;
		try {
			if (libc != null) {
				savedOut = libc.dup(STDOUT);
				savedErr = libc.dup(STDERR);
			}
		}
		catch (LastErrorException ex) {
			restoreBoth(libc, savedOut, savedErr);
			savedOut = -1;
			savedErr = -1;
		}
		if (savedOut < 0) {
			logger.warn("Could not save standard output and error: this worker's console output ends here, when its "
					+ "inherited listening socket is closed (the JDK then points them at /dev/null)");
		}
		try {
			action.run();
		}
		finally {
			restoreBoth(libc, savedOut, savedErr);
		}
	}

	private static void restoreBoth(LibC libc, int savedOut, int savedErr) {
		restore(libc, savedOut, STDOUT);
		restore(libc, savedErr, STDERR);
	}

	private static void restore(LibC libc, int saved, int target) {
		if (saved < 0) {
			return;
		}
		try {
			libc.dup2(saved, target);
			libc.close(saved);
		}
		catch (LastErrorException ex) {
			// Nowhere to report a failure to put back standard error
		}
	}

	private static LibC libc() {
		if (libc == null) {
			try {
				libc = Native.load("c", LibC.class);
			}
			catch (LinkageError ex) {
				logger.debug("C library not available through JNA", ex);
			}
		}
		return libc;
	}

	@FunctionalInterface
	interface IoAction {

		void run() throws IOException;

	}

	/**
	 * The C library functions used.
	 */
	interface LibC extends Library {

		int dup(int fd) throws LastErrorException;

		int dup2(int fd, int target) throws LastErrorException;

		int close(int fd) throws LastErrorException;

	}

}
