package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.BiConsumer;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.SupervisorSettings;

/**
 * The cluster's start: the configured workers are started, and the master stops when they are not all ready within
 * the startup timeout or when one exits before; once all are ready, the ready line is logged.
 */
final class Startup {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final SupervisorSettings settings;

	private final WorkerTable table;

	private final Instant launchedAt;

	private final int port;

	private final BiConsumer<String, Integer> stop;

	private Instant deadline;

	/**
	 * Create the cluster's start.
	 * @param settings the settings
	 * @param table the worker table
	 * @param launchedAt when this JVM was launched, for the ready line
	 * @param port the port actually bound, -1 when none
	 * @param stop stops the master, with why and the exit code
	 */
	Startup(SupervisorSettings settings, WorkerTable table, Instant launchedAt, int port,
			BiConsumer<String, Integer> stop) {
		this.settings = settings;
		this.table = table;
		this.launchedAt = launchedAt;
		this.port = port;
		this.stop = stop;
	}

	void begin(Instant now) {
		this.deadline = now.plus(this.settings.startupTimeout());
		log.log(System.Logger.Level.INFO, "Starting {0} workers of {1}{2}", this.settings.workers(),
				this.settings.name(), (this.port >= 0) ? " on port " + this.port : "");
		for (int id = 1; id <= this.settings.workers(); id++) {
			if (this.table.spawn(this.table.addSlot(id)) == null) {
				this.stop.accept("worker " + id + " could not be started", ExitCodes.BOOT_FAILED);
				return;
			}
		}
	}

	/**
	 * Stop the master when the startup timeout has passed.
	 * @param now the current time
	 */
	void checkDeadline(Instant now) {
		if (now.isAfter(this.deadline)) {
			String timeout = Durations.format(this.settings.startupTimeout());
			log.log(System.Logger.Level.ERROR, "{0} was not ready within the startup timeout of {1}; stopping",
					this.settings.name(), timeout);
			this.stop.accept("not ready within the startup timeout of " + timeout, ExitCodes.BOOT_FAILED);
		}
	}

	/**
	 * A worker became ready: when all are, the cluster is.
	 * @param now the current time
	 * @return whether every worker is ready
	 */
	boolean workerReady(Instant now) {
		if (!this.table.allReady()) {
			return false;
		}
		Duration sinceLaunch = Duration.between(this.launchedAt, now);
		log.log(System.Logger.Level.INFO, "Supervisor ready: {0} with {1} workers {2} ({3} s since launch)",
				this.settings.name(), this.settings.workers(),
				(this.port >= 0) ? "on port " + this.port : "and no HTTP port",
				String.format(Locale.ROOT, "%.3f", sinceLaunch.toMillis() / 1000.0));
		return true;
	}

	/**
	 * A worker exited before the cluster was ready: the master stops.
	 * @param worker the worker
	 * @param exit how it ended
	 */
	void workerExited(WorkerHandle worker, ExitStatus exit) {
		String error = (worker.startupError() != null)
				? ": " + worker.startupError() + ExclusiveResources.advice(worker.startupError()) : "";
		log.log(System.Logger.Level.ERROR,
				"Worker {0} (pid {1}) exited with {2} before {3} was ready; stopping (see its output above){4}",
				worker.workerId(), String.valueOf(worker.pid()), exit.describe(), this.settings.name(), error);
		this.stop.accept("worker " + worker.workerId() + " (pid " + worker.pid() + ") exited with " + exit.describe()
				+ " before the cluster was ready" + error, ExitCodes.BOOT_FAILED);
	}

}
