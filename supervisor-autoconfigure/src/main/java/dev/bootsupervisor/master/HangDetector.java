package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.LongFunction;

import dev.bootsupervisor.base.Durations;

/**
 * Decides whether a ready worker is hung: silent (no heartbeat) for the timeout, or with requests in flight and none
 * completed for the timeout. A silent worker that keeps using CPU, as {@code /proc} tells, is in a long collection
 * pause or a safepoint stall, not hung: it gets one more timeout, and the warning says what was seen. Requests stuck
 * while the old generation is being collected (its count rose within the timeout) are a collection storm, not a hang.
 */
final class HangDetector {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	/** The CPU share of the silent time above which a silent worker is busy, not stuck. */
	private static final double BUSY_SHARE = 0.25;

	private final Duration timeout;

	private final LongFunction<ProcessSample> sampler;

	HangDetector(Duration timeout, LongFunction<ProcessSample> sampler) {
		this.timeout = timeout;
		this.sampler = sampler;
	}

	/**
	 * Why a worker is hung.
	 * @param worker the worker
	 * @param watch what is known about it
	 * @param now the current time
	 * @return what was seen, {@code null} when it is not hung
	 */
	String hung(WorkerHandle worker, WorkerWatch watch, Instant now) {
		Duration silent = Duration.between(watch.seen(), now);
		if (silent.compareTo(this.timeout) >= 0) {
			return silent(worker, watch, silent, now);
		}
		watch.warned(false);
		WorkerHeartbeat heartbeat = worker.lastHeartbeat();
		if (heartbeat != null && heartbeat.inFlight() > 0
				&& Duration.between(watch.completedSince(), now).compareTo(this.timeout) >= 0) {
			String stuck = heartbeat.inFlight() + " request(s) in flight and none completed for "
					+ Durations.format(Duration.between(watch.completedSince(), now));
			// A worker busy collecting its old generation is slow, not hung; one that only thrashes is for the
			// memory watchdog and the OutOfMemoryError report to end.
			if (watch.collectedAt() != null
					&& Duration.between(watch.collectedAt(), now).compareTo(this.timeout) < 0) {
				if (!watch.collecting()) {
					watch.collecting(true);
					log.log(System.Logger.Level.WARNING, "Worker {0} (pid {1}): {2}, but its old generation was "
							+ "collected {3} time(s) meanwhile: garbage collection, not a hang; it is not replaced "
							+ "while the collections go on", worker.workerId(), String.valueOf(worker.pid()), stuck,
							watch.collectionsSinceCompleted());
				}
				return null;
			}
			ProcessSample sample = this.sampler.apply(worker.pid());
			return (sample != null && sample.stopped()) ? stuck + ", " + stopped(sample) : stuck;
		}
		watch.collecting(false);
		return null;
	}

	private String silent(WorkerHandle worker, WorkerWatch watch, Duration silent, Instant now) {
		ProcessSample sample = this.sampler.apply(worker.pid());
		if (sample == null) {
			// gone: its exit is on its way to the loop
			return null;
		}
		String heard = "no heartbeat for " + Durations.format(silent);
		if (sample.stopped()) {
			return heard + ", " + stopped(sample);
		}
		WorkerHeartbeat heartbeat = worker.lastHeartbeat();
		Duration cpu = (heartbeat != null && heartbeat.cpuNanos() >= 0)
				? sample.cpu().minus(Duration.ofNanos(heartbeat.cpuNanos())) : null;
		String used = (cpu != null) ? seconds(cpu) + " of CPU used meanwhile" : "CPU use unknown";
		boolean busy = cpu != null && cpu.toNanos() >= silent.toNanos() * BUSY_SHARE;
		if (busy && silent.compareTo(this.timeout.multipliedBy(2)) < 0) {
			if (!watch.warned()) {
				watch.warned(true);
				log.log(System.Logger.Level.WARNING, "Worker {0} (pid {1}): {2}, but {3} (state {4}): a long "
						+ "garbage collection pause or a busy JVM, not a hang; it gets {5} more",
						worker.workerId(), String.valueOf(worker.pid()), heard, used, sample.state(),
						Durations.format(this.timeout));
			}
			return null;
		}
		return heard + ", " + used + " (state " + sample.state() + ")";
	}

	private static String stopped(ProcessSample sample) {
		return "the process is stopped (state " + sample.state() + ": SIGSTOP or a debugger)";
	}

	private static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.2fs", duration.toNanos() / 1e9);
	}

}
