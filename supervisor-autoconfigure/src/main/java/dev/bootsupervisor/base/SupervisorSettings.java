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
 */
public record SupervisorSettings(String name, int workers, String address, int port, int backlog,
		Duration backoffInitial, Duration backoffMax, Duration backoffReset, int maxRestarts, Duration restartWindow,
		Duration startupTimeout, Duration shutdownTimeout, Duration reloadTimeout, Path runDir) {

	public boolean listens() {
		return this.port >= 0;
	}

}
