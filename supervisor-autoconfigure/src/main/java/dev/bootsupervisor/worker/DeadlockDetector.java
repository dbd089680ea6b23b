package dev.bootsupervisor.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Looks for Java-level deadlocks (threads waiting on each other's monitors or locks) every few seconds, on a daemon
 * thread of its own, and reports the first it finds, once: a deadlocked worker stays deadlocked.
 */
final class DeadlockDetector {

	/** How often to look: {@code findDeadlockedThreads} is cheap, but takes a safepoint. */
	static final Duration INTERVAL = Duration.ofSeconds(5);

	private static final int MAX_DETAIL = 1000;

	private static final System.Logger log = System.getLogger(DeadlockDetector.class.getName());

	private final ThreadMXBean threads;

	private final Consumer<String> reporter;

	private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(
			Threads.daemon("supervisor-deadlock-check"));

	/**
	 * Create a detector.
	 * @param reporter told of a deadlock, with the deadlocked threads and their locks in one line
	 */
	DeadlockDetector(Consumer<String> reporter) {
		this(ManagementFactory.getThreadMXBean(), reporter);
	}

	DeadlockDetector(ThreadMXBean threads, Consumer<String> reporter) {
		this.threads = threads;
		this.reporter = reporter;
	}

	void start(Duration interval) {
		this.checks.scheduleWithFixedDelay(this::checkAndReport, interval.toMillis(), interval.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	void stop() {
		this.checks.shutdownNow();
	}

	private void checkAndReport() {
		String deadlock;
		try {
			deadlock = check();
		}
		catch (RuntimeException ex) {
			this.checks.shutdown();
			log.log(System.Logger.Level.WARNING, "Cannot look for deadlocks in this JVM ({0}); deadlocks go "
					+ "unreported, the master''s hang watchdog still sees a worker that stops answering", ex.toString());
			return;
		}
		if (deadlock != null) {
			this.checks.shutdown();
			this.reporter.accept(deadlock);
		}
	}

	/**
	 * Look for a deadlock now.
	 * @return the deadlocked threads and the locks they wait for, or {@code null} when there is none
	 */
	String check() {
		long[] ids = this.threads.findDeadlockedThreads();
		if (ids == null) {
			return null;
		}
		StringBuilder detail = new StringBuilder().append(ids.length).append(" threads deadlocked:");
		String separator = " ";
		for (ThreadInfo info : this.threads.getThreadInfo(ids)) {
			if (info != null) {
				detail.append(separator)
					.append('"')
					.append(info.getThreadName())
					.append("\" waits for ")
					.append(info.getLockName())
					.append(" held by \"")
					.append(info.getLockOwnerName())
					.append('"');
				separator = "; ";
			}
		}
		String line = detail.toString().replace('\n', ' ');
		return (line.length() <= MAX_DETAIL) ? line : line.substring(0, MAX_DETAIL - 3) + "...";
	}

}
