package dev.bootsupervisor.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.LastErrorException;

/**
 * Points this process's standard output and error (descriptors 1 and 2) at log files opened anew, so that a
 * rotation that moved the files away ({@code logrotate} without {@code copytruncate}) takes effect without a
 * restart. {@code System.out} and {@code System.err} write to those descriptors, so they follow.
 */
public final class OutputFiles {

	/** Linux's {@code O_WRONLY | O_CREAT | O_APPEND}. */
	private static final int FLAGS = 01 | 0100 | 02000;

	/** Owner-only, as the log files hold whatever the app logs. */
	private static final int MODE = 0600;

	private static final int STDOUT = 1;

	private static final int STDERR = 2;

	private OutputFiles() {
	}

	/**
	 * Open the files again (created if missing, appended to) and put them on descriptors 1 and 2.
	 * @param stdout the standard output file
	 * @param stderr the standard error file, which may be the same
	 * @throws IOException when a file cannot be opened or a descriptor replaced
	 */
	public static void reopen(Path stdout, Path stderr) throws IOException {
		System.out.flush();
		System.err.flush();
		Posix.LibC libc;
		try {
			libc = Posix.libc();
		}
		catch (LaunchException ex) {
			throw new IOException(ex.getMessage(), ex);
		}
		onto(libc, stdout, STDOUT);
		if (stderr.equals(stdout)) {
			try {
				libc.dup2(STDOUT, STDERR);
			}
			catch (LastErrorException ex) {
				throw new IOException("cannot put " + stderr + " on descriptor 2 (errno " + ex.getErrorCode() + ")");
			}
		}
		else {
			onto(libc, stderr, STDERR);
		}
	}

	private static void onto(Posix.LibC libc, Path file, int target) throws IOException {
		Path parent = file.toAbsolutePath().getParent();
		if (parent != null) {
			Files.createDirectories(parent);
		}
		int fd;
		try {
			fd = libc.open(file.toString(), FLAGS, MODE);
		}
		catch (LastErrorException ex) {
			throw new IOException("cannot open " + file + " (errno " + ex.getErrorCode() + ")");
		}
		try {
			libc.dup2(fd, target);
		}
		catch (LastErrorException ex) {
			throw new IOException("cannot put " + file + " on descriptor " + target + " (errno " + ex.getErrorCode()
					+ ")");
		}
		finally {
			libc.close(fd);
		}
	}

}
