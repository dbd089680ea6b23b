package dev.bootsupervisor.autoconfigure;

import java.time.Duration;

import dev.bootsupervisor.base.CanarySettings;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of Boot Supervisor: the master, its workers, and how they start, restart and stop.
 */
@ConfigurationProperties("supervisor")
public class SupervisorProperties {

	/**
	 * Whether "java -jar" starts a master that runs and supervises worker processes. When false, the app runs as
	 * a single ordinary process.
	 */
	private boolean enabled = true;

	/**
	 * Number of worker processes, a whole number from 1 to 1024, or "auto" for one per CPU of the container's
	 * CPU quota (cgroup v1 or v2), else one per available processor.
	 */
	private String workers = "2";

	/**
	 * Name of the app, used by control commands, the run directory and on every worker's command line. Defaults
	 * to spring.application.name, else the jar's file name without ".jar".
	 */
	private String name;

	/**
	 * Directory of the pid file, lock and control socket, accessible to its owner only. Defaults to
	 * $XDG_RUNTIME_DIR/boot-supervisor/NAME when XDG_RUNTIME_DIR is set, else
	 * TMPDIR/boot-supervisor-USER/NAME.
	 */
	private String runDir;

	/**
	 * How long the workers may take to become ready, at startup and after a restart.
	 */
	private Duration startupTimeout = Duration.ofMinutes(5);

	/**
	 * How long workers may take to stop gracefully before the master kills them.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(30);

	/**
	 * How long the workers keep serving after a graceful stop starts (TERM, INT or the stop command) with their
	 * readiness already down, before they drain: time for a load balancer or Kubernetes to take the app out of
	 * rotation, instead of a preStop sleep. 0 drains at once.
	 */
	private Duration shutdownDelay = Duration.ZERO;

	/**
	 * How long a stopping worker waits for its open connections to close after it stopped accepting, before
	 * Spring's graceful shutdown finishes the requests still in flight.
	 */
	private Duration drainTimeout = Duration.ofSeconds(10);

	/**
	 * How long a draining worker leaves its long-lived exchanges open after it published WorkerDrainingEvent, so
	 * that the app can say goodbye its own way, before it closes the WebSocket sessions (1001 Going Away) and
	 * completes the streamed responses (server-sent events) still open. Part of the drain timeout. 0 closes them
	 * at once.
	 */
	private Duration drainGrace = Duration.ofMillis(500);

	/**
	 * Whether "java -jar" starts the app in the background: the command returns once every worker is ready,
	 * the master's output goes to log files. Refused as PID 1 and inside Kubernetes.
	 */
	private boolean daemon;

	/**
	 * Directory of a daemon's log files. Defaults to ${user.home}/logs/NAME.
	 */
	private String logDir;

	/**
	 * Standard output log file of a daemon. Defaults to LOG-DIR/master-stdout.log.
	 */
	private String stdout;

	/**
	 * Standard error log file of a daemon. Defaults to LOG-DIR/master-stderr.log.
	 */
	private String stderr;

	/**
	 * How many rotated files of each daemon log to keep; a log that exists at start is renamed with a
	 * .yyyyMMdd.HHmmss suffix.
	 */
	private int logRetention = 10;

	/**
	 * Control command to run instead of starting the app: "status", "stop", "reload", "scale", "list", "logs",
	 * "reopen-logs" or "systemd-unit".
	 */
	private String command;

	/**
	 * How many lines of each log file the "logs" command prints before it follows them.
	 */
	private int lines = 50;

	/**
	 * How the status and list commands print their answer: "text" for a person, or "json" for one JSON document
	 * on standard output, for scripts.
	 */
	private String format = "text";

	private final Restart restart = new Restart();

	private final Reload reload = new Reload();

	private final Worker worker = new Worker();

	private final Health health = new Health();

	private final Watchdog watchdog = new Watchdog();

	private final Recycle recycle = new Recycle();

	private final Leader leader = new Leader();

	private final Cds cds = new Cds();

	private final Metrics metrics = new Metrics();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getWorkers() {
		return this.workers;
	}

	public void setWorkers(String workers) {
		this.workers = workers;
	}

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public String getRunDir() {
		return this.runDir;
	}

	public void setRunDir(String runDir) {
		this.runDir = runDir;
	}

	public Duration getStartupTimeout() {
		return this.startupTimeout;
	}

	public void setStartupTimeout(Duration startupTimeout) {
		this.startupTimeout = startupTimeout;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getShutdownDelay() {
		return this.shutdownDelay;
	}

	public void setShutdownDelay(Duration shutdownDelay) {
		this.shutdownDelay = shutdownDelay;
	}

	public Duration getDrainGrace() {
		return this.drainGrace;
	}

	public void setDrainGrace(Duration drainGrace) {
		this.drainGrace = drainGrace;
	}

	public Duration getDrainTimeout() {
		return this.drainTimeout;
	}

	public void setDrainTimeout(Duration drainTimeout) {
		this.drainTimeout = drainTimeout;
	}

	public boolean isDaemon() {
		return this.daemon;
	}

	public void setDaemon(boolean daemon) {
		this.daemon = daemon;
	}

	public String getLogDir() {
		return this.logDir;
	}

	public void setLogDir(String logDir) {
		this.logDir = logDir;
	}

	public String getStdout() {
		return this.stdout;
	}

	public void setStdout(String stdout) {
		this.stdout = stdout;
	}

	public String getStderr() {
		return this.stderr;
	}

	public void setStderr(String stderr) {
		this.stderr = stderr;
	}

	public int getLogRetention() {
		return this.logRetention;
	}

	public void setLogRetention(int logRetention) {
		this.logRetention = logRetention;
	}

	public String getCommand() {
		return this.command;
	}

	public void setCommand(String command) {
		this.command = command;
	}

	public int getLines() {
		return this.lines;
	}

	public void setLines(int lines) {
		this.lines = lines;
	}

	public String getFormat() {
		return this.format;
	}

	public void setFormat(String format) {
		this.format = format;
	}

	public Restart getRestart() {
		return this.restart;
	}

	public Reload getReload() {
		return this.reload;
	}

	public Worker getWorker() {
		return this.worker;
	}

	public Health getHealth() {
		return this.health;
	}

	public Watchdog getWatchdog() {
		return this.watchdog;
	}

	public Leader getLeader() {
		return this.leader;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Cds getCds() {
		return this.cds;
	}

	public Recycle getRecycle() {
		return this.recycle;
	}

	/**
	 * How crashed workers are restarted.
	 */
	public static class Restart {

		/**
		 * Delay before the first restart of a crashed worker; each further restart of the same slot waits twice
		 * as long.
		 */
		private Duration backoffInitial = Duration.ofSeconds(1);

		/**
		 * Longest delay between restarts of a crashed worker.
		 */
		private Duration backoffMax = Duration.ofSeconds(30);

		/**
		 * How long a worker must have been ready for its slot's delay to start again from backoff-initial.
		 */
		private Duration backoffReset = Duration.ofMinutes(1);

		/**
		 * Restarts allowed for one worker slot within the window; one more marks the slot failed.
		 */
		private int maxRestarts = 10;

		/**
		 * Window in which max-restarts are counted.
		 */
		private Duration window = Duration.ofSeconds(60);

		public Duration getBackoffInitial() {
			return this.backoffInitial;
		}

		public void setBackoffInitial(Duration backoffInitial) {
			this.backoffInitial = backoffInitial;
		}

		public Duration getBackoffMax() {
			return this.backoffMax;
		}

		public void setBackoffMax(Duration backoffMax) {
			this.backoffMax = backoffMax;
		}

		public Duration getBackoffReset() {
			return this.backoffReset;
		}

		public void setBackoffReset(Duration backoffReset) {
			this.backoffReset = backoffReset;
		}

		public int getMaxRestarts() {
			return this.maxRestarts;
		}

		public void setMaxRestarts(int maxRestarts) {
			this.maxRestarts = maxRestarts;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

	}

	/**
	 * Rolling reloads.
	 */
	public static class Reload {

		/**
		 * How long a replacement worker may take to become ready during a rolling reload before the reload is
		 * rolled back. Defaults to the startup timeout.
		 */
		private Duration timeout;

		/**
		 * How long the first replacement of a rolling reload (the canary) serves beside the old workers before the
		 * master compares its 5xx share and p99 latency with theirs; a canary that does worse is drained and the
		 * reload rolled back. Zero turns the canary off.
		 */
		private Duration canaryPeriod = CanarySettings.DEFAULT_PERIOD;

		/**
		 * Fewest requests the canary must answer in its period to be judged on its figures; with fewer it passes
		 * on its health alone.
		 */
		private int canaryMinRequests = CanarySettings.DEFAULT_MIN_REQUESTS;

		/**
		 * Most percentage points by which the canary's share of 5xx answers may exceed the old workers'.
		 */
		private double canaryMaxErrorIncrease = CanarySettings.DEFAULT_MAX_ERROR_INCREASE;

		/**
		 * Most the canary's p99 latency may be, as a multiple of the old workers' p99.
		 */
		private double canaryMaxLatencyRatio = CanarySettings.DEFAULT_MAX_LATENCY_RATIO;

		/**
		 * How much slower than the old workers' p99 the canary's may always be, whatever the ratio.
		 */
		private Duration canaryLatencyMargin = CanarySettings.DEFAULT_LATENCY_MARGIN;

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Duration getCanaryPeriod() {
			return this.canaryPeriod;
		}

		public void setCanaryPeriod(Duration canaryPeriod) {
			this.canaryPeriod = canaryPeriod;
		}

		public int getCanaryMinRequests() {
			return this.canaryMinRequests;
		}

		public void setCanaryMinRequests(int canaryMinRequests) {
			this.canaryMinRequests = canaryMinRequests;
		}

		public double getCanaryMaxErrorIncrease() {
			return this.canaryMaxErrorIncrease;
		}

		public void setCanaryMaxErrorIncrease(double canaryMaxErrorIncrease) {
			this.canaryMaxErrorIncrease = canaryMaxErrorIncrease;
		}

		public double getCanaryMaxLatencyRatio() {
			return this.canaryMaxLatencyRatio;
		}

		public void setCanaryMaxLatencyRatio(double canaryMaxLatencyRatio) {
			this.canaryMaxLatencyRatio = canaryMaxLatencyRatio;
		}

		public Duration getCanaryLatencyMargin() {
			return this.canaryLatencyMargin;
		}

		public void setCanaryLatencyMargin(Duration canaryLatencyMargin) {
			this.canaryLatencyMargin = canaryLatencyMargin;
		}

	}

	/**
	 * Identity of the current worker, set by the master on each worker's command line; read it, do not set it.
	 */
	public static class Worker {

		/**
		 * Id of this worker, 1 to the number of workers; absent in the master and in unsupervised runs.
		 */
		private Integer id;

		/**
		 * Generation of this worker: 1 for the first worker of its slot, then one more for each replacement.
		 */
		private Integer generation;

		public Integer getId() {
			return this.id;
		}

		public void setId(Integer id) {
			this.id = id;
		}

		public Integer getGeneration() {
			return this.generation;
		}

		public void setGeneration(Integer generation) {
			this.generation = generation;
		}

	}

	/**
	 * How the cluster's state shows in the health of each worker.
	 */
	public static class Health {

		/**
		 * Minimum number of ready workers for the "supervisor" health contributor to report UP; below it, the
		 * contributor reports DOWN, and so does the readiness group that includes it.
		 */
		private int minReadyWorkers = 1;

		public int getMinReadyWorkers() {
			return this.minReadyWorkers;
		}

		public void setMinReadyWorkers(int minReadyWorkers) {
			this.minReadyWorkers = minReadyWorkers;
		}

	}

	/**
	 * Hang detection: how long a ready worker may stay silent or stuck before it is replaced.
	 */
	public static class Watchdog {

		/**
		 * How long a ready worker may go without a heartbeat, or with requests in flight and none completed,
		 * before the master declares it hung and replaces it (after a thread dump). 0 turns hang detection off.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Recycling: workers that leak or wear out are replaced one at a time, the replacement ready before the old
	 * worker drains.
	 */
	public static class Recycle {

		/**
		 * Old-generation use after a collection, in percent of its maximum (1 to 100), above which for three
		 * collections in a row a worker is recycled. Off when not set.
		 */
		private Integer heapAfterGc;

		/**
		 * Requests a worker serves before it is recycled. 0 means no limit.
		 */
		private long maxRequests;

		/**
		 * Largest random number of requests added to max-requests for each worker, so that workers do not all
		 * recycle at once.
		 */
		private long maxRequestsJitter;

		/**
		 * How long a worker may serve before it is recycled. Off when not set; 0 also means off.
		 */
		private Duration maxLifetime;

		public Integer getHeapAfterGc() {
			return this.heapAfterGc;
		}

		public void setHeapAfterGc(Integer heapAfterGc) {
			this.heapAfterGc = heapAfterGc;
		}

		public long getMaxRequests() {
			return this.maxRequests;
		}

		public void setMaxRequests(long maxRequests) {
			this.maxRequests = maxRequests;
		}

		public long getMaxRequestsJitter() {
			return this.maxRequestsJitter;
		}

		public void setMaxRequestsJitter(long maxRequestsJitter) {
			this.maxRequestsJitter = maxRequestsJitter;
		}

		public Duration getMaxLifetime() {
			return this.maxLifetime;
		}

		public void setMaxLifetime(Duration maxLifetime) {
			this.maxLifetime = maxLifetime;
		}

	}

	/**
	 * Leadership: one ready worker leads, and leadership moves before the leader drains.
	 */
	public static class Leader {

		/**
		 * How long the master waits, when leadership moves, for the leader to confirm that its leader-only work
		 * stopped, before it grants leadership to another worker anyway.
		 */
		private Duration revokeTimeout = Duration.ofSeconds(5);

		public Duration getRevokeTimeout() {
			return this.revokeTimeout;
		}

		public void setRevokeTimeout(Duration revokeTimeout) {
			this.revokeTimeout = revokeTimeout;
		}

	}

	/**
	 * Fast worker starts: a class-data archive of the app, trained by the master, that every later worker starts
	 * with (a dynamic CDS archive on Java 17 to 24, an AOT cache on Java 25 and later).
	 */
	public static class Cds {

		/**
		 * Whether the master trains a class-data archive of the app once the cluster is ready, and starts every
		 * later worker (restarts, reload slots, scale-ups, the next launch) with it.
		 */
		private boolean enabled = true;

		/**
		 * Directory of the archives and of the extracted layouts they belong to, accessible to its owner only.
		 * Defaults to the "cds" directory of the run directory.
		 */
		private String dir;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getDir() {
			return this.dir;
		}

		public void setDir(String dir) {
			this.dir = dir;
		}

	}

	/**
	 * The workers' meters: the tag that tells them apart and the merged Prometheus scrape.
	 */
	public static class Metrics {

		/**
		 * Name of the tag, carrying the worker id (1 to the number of workers), that the starter adds to every meter
		 * of every worker, for every registry. Empty turns the tag off, and with it the merged Prometheus scrape.
		 */
		private String workerTag = "worker";

		/**
		 * How long the worker that answers a Prometheus scrape waits for the other ready workers' meters; a worker
		 * that does not answer in time is left out of that scrape and counted in supervisor_scrape_workers.
		 */
		private Duration scrapeTimeout = Duration.ofSeconds(2);

		public String getWorkerTag() {
			return this.workerTag;
		}

		public void setWorkerTag(String workerTag) {
			this.workerTag = workerTag;
		}

		public Duration getScrapeTimeout() {
			return this.scrapeTimeout;
		}

		public void setScrapeTimeout(Duration scrapeTimeout) {
			this.scrapeTimeout = scrapeTimeout;
		}

	}

}
