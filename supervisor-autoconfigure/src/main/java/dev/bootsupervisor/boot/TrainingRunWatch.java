package dev.bootsupervisor.boot;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.Posix;

import com.sun.jna.LastErrorException;

/**
 * Ends the master's class-data training run when its master is gone, as a worker ends when its channel closes: the
 * master gives the run a pipe as its standard input and never writes to it, so the pipe ends only when the master
 * does, {@code kill -9} included. The run is then killed, not stopped: a JVM that exits normally would first write
 * the archive nobody will use.
 */
final class TrainingRunWatch implements Runnable {

	private static final int SIGKILL = 9;

	private final InputStream master;

	private final Supplier<Runnable> end;

	/**
	 * Create a watch.
	 * @param master the pipe from the master
	 * @param end what ends this JVM, made on the watch's own thread before it waits (so that a slow preparation
	 * delays nobody)
	 */
	TrainingRunWatch(InputStream master, Supplier<Runnable> end) {
		this.master = master;
		this.end = end;
	}

	/** Watch this JVM's standard input from a daemon thread of its own. */
	static void start() {
		Thread watch = new Thread(new TrainingRunWatch(System.in, TrainingRunWatch::killer),
				"supervisor-training-watch");
		watch.setDaemon(true);
		watch.start();
	}

	@Override
	public void run() {
		Runnable end = this.end.get();
		try {
			byte[] buffer = new byte[256];
			while (this.master.read(buffer) != -1) {
				// the master writes nothing: only the end matters
			}
		}
		catch (IOException ex) {
			// a failed read is a gone master too
		}
		end.run();
	}

	/**
	 * What ends this JVM at once: SIGKILL to itself, through the C library loaded now, while the master is there
	 * (loading JNA takes a second on a busy machine). A JVM that halts instead may still write its archive first.
	 */
	private static Runnable killer() {
		Posix.LibC libc;
		try {
			libc = Posix.libc();
		}
		catch (LaunchException | LinkageError ex) {
			libc = null;
		}
		Posix.LibC loaded = libc;
		int pid = (int) ProcessHandle.current().pid();
		return () -> {
			System.err.println("Boot Supervisor: the master of this class-data training run is gone; the run ends");
			if (loaded != null) {
				try {
					loaded.kill(pid, SIGKILL);
				}
				catch (LastErrorException ex) {
					// halted below
				}
			}
			Runtime.getRuntime().halt(137);
		};
	}

}
