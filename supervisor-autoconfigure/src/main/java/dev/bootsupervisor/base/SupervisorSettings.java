package dev.bootsupervisor.base;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The master's configuration, resolved and validated from {@code supervisor.*} and {@code server.*}.
 *
 * @param name the app's name
 * @param workers the number of workers
 * @param address the address to bind, {@code null} for every address
 * @param port the port to bind, 0 for any free port, -1 for no listening socket (not a web app)
 * @param backlog the listen backlog
 * @param backoffInitial the first restart delay
 * @param backoffMax the longest restart delay
 * @param backoffReset how long a worker must have been ready for its slot's backoff to start over
 * @param maxRestarts restarts allowed per slot within {@code restartWindow}
 * @param restartWindow the window of {@code maxRestarts}
 * @param startupTimeout how long workers may take to become ready
 * @param shutdownTimeout how long workers may take to stop before they are killed
 * @param reloadTimeout how long a replacement may take to become ready during a rolling reload
 * @param runDir the directory of the pid file and control socket
 * @param watchdog what the watchdogs watch for
 * @param leaderRevokeTimeout how long a revoked leader may take to confirm it stopped its leader-only work
 * @param shutdownDelay how long the workers keep serving with their readiness down when a graceful stop starts
 * @param cds whether and where the master keeps a class-data archive that makes workers start faster
 * @param canary how a rolling reload judges its first replacement
 */
public record SupervisorSettings(String name, int workers, String address, int port, int backlog,
		Duration backoffInitial, Duration backoffMax, Duration backoffReset, int maxRestarts, Duration restartWindow,
		Duration startupTimeout, Duration shutdownTimeout, Duration reloadTimeout, Path runDir,
		WatchdogSettings watchdog, Duration leaderRevokeTimeout, Duration shutdownDelay, CdsSettings cds,
		CanarySettings canary) {

	/**
	 * Settings with no canary.
	 */
	public SupervisorSettings(String name, int workers, String address, int port, int backlog,
			Duration backoffInitial, Duration backoffMax, Duration backoffReset, int maxRestarts,
			Duration restartWindow, Duration startupTimeout, Duration shutdownTimeout, Duration reloadTimeout,
			Path runDir, WatchdogSettings watchdog, Duration leaderRevokeTimeout, Duration shutdownDelay,
			CdsSettings cds) {
		this(name, workers, address, port, backlog, backoffInitial, backoffMax, backoffReset, maxRestarts,
				restartWindow, startupTimeout, shutdownTimeout, reloadTimeout, runDir, watchdog, leaderRevokeTimeout,
				shutdownDelay, cds, CanarySettings.OFF);
	}

	/**
	 * Settings with no class-data archive.
	 */
	public SupervisorSettings(String name, int workers, String address, int port, int backlog,
			Duration backoffInitial, Duration backoffMax, Duration backoffReset, int maxRestarts,
			Duration restartWindow, Duration startupTimeout, Duration shutdownTimeout, Duration reloadTimeout,
			Path runDir, WatchdogSettings watchdog, Duration leaderRevokeTimeout, Duration shutdownDelay) {
		this(name, workers, address, port, backlog, backoffInitial, backoffMax, backoffReset, maxRestarts,
				restartWindow, startupTimeout, shutdownTimeout, reloadTimeout, runDir, watchdog, leaderRevokeTimeout,
				shutdownDelay, CdsSettings.OFF);
	}

	/** The default of {@code supervisor.leader.revoke-timeout}. */
	public static final Duration DEFAULT_LEADER_REVOKE_TIMEOUT = Duration.ofSeconds(5);

	/**
	 * Settings with no shutdown delay.
	 */
	public SupervisorSettings(String name, int workers, String address, int port, int backlog,
			Duration backoffInitial, Duration backoffMax, Duration backoffReset, int maxRestarts,
			Duration restartWindow, Duration startupTimeout, Duration shutdownTimeout, Duration reloadTimeout,
			Path runDir, WatchdogSettings watchdog, Duration leaderRevokeTimeout) {
		this(name, workers, address, port, backlog, backoffInitial, backoffMax, backoffReset, maxRestarts,
				restartWindow, startupTimeout, shutdownTimeout, reloadTimeout, runDir, watchdog, leaderRevokeTimeout,
				Duration.ZERO);
	}

	/**
	 * Settings with the default leader revoke timeout.
	 */
	public SupervisorSettings(String name, int workers, String address, int port, int backlog,
			Duration backoffInitial, Duration backoffMax, Duration backoffReset, int maxRestarts,
			Duration restartWindow, Duration startupTimeout, Duration shutdownTimeout, Duration reloadTimeout,
			Path runDir, WatchdogSettings watchdog) {
		this(name, workers, address, port, backlog, backoffInitial, backoffMax, backoffReset, maxRestarts,
				restartWindow, startupTimeout, shutdownTimeout, reloadTimeout, runDir, watchdog,
				DEFAULT_LEADER_REVOKE_TIMEOUT);
	}

	/**
	 * Settings with every watchdog off.
	 */
	public SupervisorSettings(String name, int workers, String address, int port, int backlog,
			Duration backoffInitial, Duration backoffMax, Duration backoffReset, int maxRestarts,
			Duration restartWindow, Duration startupTimeout, Duration shutdownTimeout, Duration reloadTimeout,
			Path runDir) {
		this(name, workers, address, port, backlog, backoffInitial, backoffMax, backoffReset, maxRestarts,
				restartWindow, startupTimeout, shutdownTimeout, reloadTimeout, runDir, WatchdogSettings.OFF);
	}

	/**
	 * These settings with other watchdogs.
	 * @param watchdog the watchdogs
	 * @return the settings
	 */
	public SupervisorSettings withWatchdog(WatchdogSettings watchdog) {
		return new SupervisorSettings(this.name, this.workers, this.address, this.port, this.backlog,
				this.backoffInitial, this.backoffMax, this.backoffReset, this.maxRestarts, this.restartWindow,
				this.startupTimeout, this.shutdownTimeout, this.reloadTimeout, this.runDir, watchdog,
				this.leaderRevokeTimeout, this.shutdownDelay, this.cds, this.canary);
	}

	/**
	 * These settings with another leader revoke timeout.
	 * @param timeout the timeout
	 * @return the settings
	 */
	public SupervisorSettings withLeaderRevokeTimeout(Duration timeout) {
		return new SupervisorSettings(this.name, this.workers, this.address, this.port, this.backlog,
				this.backoffInitial, this.backoffMax, this.backoffReset, this.maxRestarts, this.restartWindow,
				this.startupTimeout, this.shutdownTimeout, this.reloadTimeout, this.runDir, this.watchdog, timeout,
				this.shutdownDelay, this.cds, this.canary);
	}

	/**
	 * These settings with another shutdown delay.
	 * @param delay the delay
	 * @return the settings
	 */
	public SupervisorSettings withShutdownDelay(Duration delay) {
		return new SupervisorSettings(this.name, this.workers, this.address, this.port, this.backlog,
				this.backoffInitial, this.backoffMax, this.backoffReset, this.maxRestarts, this.restartWindow,
				this.startupTimeout, this.shutdownTimeout, this.reloadTimeout, this.runDir, this.watchdog,
				this.leaderRevokeTimeout, delay, this.cds, this.canary);
	}

	/**
	 * These settings with another class-data archive setting.
	 * @param cds the setting
	 * @return the settings
	 */
	public SupervisorSettings withCds(CdsSettings cds) {
		return new SupervisorSettings(this.name, this.workers, this.address, this.port, this.backlog,
				this.backoffInitial, this.backoffMax, this.backoffReset, this.maxRestarts, this.restartWindow,
				this.startupTimeout, this.shutdownTimeout, this.reloadTimeout, this.runDir, this.watchdog,
				this.leaderRevokeTimeout, this.shutdownDelay, cds, this.canary);
	}

	/**
	 * These settings with another canary setting.
	 * @param canary the canary setting
	 * @return the settings
	 */
	public SupervisorSettings withCanary(CanarySettings canary) {
		return new SupervisorSettings(this.name, this.workers, this.address, this.port, this.backlog,
				this.backoffInitial, this.backoffMax, this.backoffReset, this.maxRestarts, this.restartWindow,
				this.startupTimeout, this.shutdownTimeout, this.reloadTimeout, this.runDir, this.watchdog,
				this.leaderRevokeTimeout, this.shutdownDelay, this.cds, canary);
	}

	public boolean listens() {
		return this.port >= 0;
	}

}
