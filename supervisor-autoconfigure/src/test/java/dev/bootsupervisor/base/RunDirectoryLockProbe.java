package dev.bootsupervisor.base;

import java.nio.file.Path;

/**
 * Takes a run directory's lock in a child JVM, writes its pid file, and holds the lock until a line arrives on
 * standard input: {@code locked}, or {@code refused <message>}.
 */
public final class RunDirectoryLockProbe {

	private RunDirectoryLockProbe() {
	}

	public static void main(String[] args) throws Exception {
		RunDirectory runDirectory = new RunDirectory(Path.of(args[0]));
		try {
			runDirectory.lock();
		}
		catch (LaunchException ex) {
			System.out.println("refused " + ex.getMessage());
			System.exit(1);
		}
		runDirectory.writeOwnerOnly(runDirectory.pidFile(), String.valueOf(ProcessHandle.current().pid()));
		System.out.println("locked");
		System.out.flush();
		System.in.read();
		runDirectory.release();
		System.out.println("released");
	}

}
