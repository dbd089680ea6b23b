package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongPredicate;

import com.sun.jna.LastErrorException;

import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.Posix;

/**
 * Reaps the zombies reparented to the master when it runs as PID 1 (a container's entry point), as an init would:
 * the JVM waits only for the processes it started, so a worker's child that outlived it would stay a zombie for
 * good. Workers are never reaped here: the JVM's own reaper waits on each of them, and their exit status is the
 * master's to read.
 */
final class OrphanReaper {

	private static final System.Logger log = System.getLogger(OrphanReaper.class.getName());

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private static final int WNOHANG = 1;

	private final Path proc;

	private final boolean init;

	private final LongPredicate watched;

	private final Waiter waiter;

	private Instant next = Instant.MIN;

	/**
	 * Create a reaper.
	 * @param proc the {@code /proc} file system
	 * @param init whether this process is PID 1, the one orphans are reparented to
	 * @param watched whether a pid is a process the master started and still waits for
	 * @param waiter reaps one zombie without blocking
	 */
	OrphanReaper(Path proc, boolean init, LongPredicate watched, Waiter waiter) {
		this.proc = proc;
		this.init = init;
		this.watched = watched;
		this.waiter = waiter;
	}

	/**
	 * The reaper of this process, which does nothing unless it is PID 1.
	 * @param factory the factory that knows which pids the master started
	 * @return the reaper
	 */
	static OrphanReaper forCurrentProcess(WorkerFactory factory) {
		return new OrphanReaper(Path.of("/proc"), ProcessHandle.current().pid() == 1, factory::watches,
				OrphanReaper::waitpid);
	}

	/**
	 * Reap the orphans that have exited, at most once a second; called from the master loop.
	 * @param now the time
	 */
	void check(Instant now) {
		if (!this.init || now.isBefore(this.next)) {
			return;
		}
		this.next = now.plus(INTERVAL);
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.proc, "[0-9]*")) {
			for (Path entry : entries) {
				long pid = Long.parseLong(entry.getFileName().toString());
				if (pid != 1 && !this.watched.test(pid) && isZombieChild(entry)) {
					reap(pid);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			log.log(System.Logger.Level.DEBUG, "Cannot scan {0} for orphans: {1}", this.proc, ex.toString());
		}
	}

	private boolean isZombieChild(Path entry) {
		String stat;
		try {
			stat = Files.readString(entry.resolve("stat"));
		}
		catch (IOException ex) {
			return false;
		}
		String[] fields = ProcessSample.fields(stat);
		return fields.length > 1 && fields[0].equals("Z") && fields[1].equals("1");
	}

	private void reap(long pid) {
		int status = this.waiter.reap((int) pid);
		if (status < 0) {
			return;
		}
		int signal = status & 0x7f;
		String how = (signal == 0) ? "exit code " + ((status >> 8) & 0xff) : "killed by signal " + signal;
		log.log(System.Logger.Level.INFO, "reaped orphan pid {0} ({1})", String.valueOf(pid), how);
	}

	private static int waitpid(int pid) {
		int[] status = new int[1];
		try {
			return (Posix.libc().waitpid(pid, status, WNOHANG) == pid) ? status[0] : -1;
		}
		catch (LaunchException | LastErrorException ex) {
			// not a child, or already reaped: nothing to do
			return -1;
		}
	}

	/**
	 * Reaps one exited child without blocking.
	 */
	@FunctionalInterface
	interface Waiter {

		/**
		 * Reap a child.
		 * @param pid the child
		 * @return its wait status, or -1 when it was not reaped
		 */
		int reap(int pid);

	}

}
