package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.RunDirectory;
import dev.bootsupervisor.base.SignalRouter;
import dev.bootsupervisor.base.SupervisorEnvironment;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WorkerCommand;

/**
 * Brings a master up and down: run directory and lock, shared listening socket, channel, pid file, signals,
 * then the master loop; the run files are removed whatever happens.
 */
public final class MasterLauncher {

	private static final System.Logger log = System.getLogger(MasterLauncher.class.getName());

	private final SupervisorSettings settings;

	private final WorkerCommand command;

	private final Instant launchedAt;

	private WorkerFactory factory;

	public MasterLauncher(SupervisorSettings settings, WorkerCommand command, Instant launchedAt) {
		this.settings = settings;
		this.command = command;
		this.launchedAt = launchedAt;
	}

	/**
	 * Run the cluster until it stops.
	 * @return the master's exit code
	 * @throws LaunchException when the cluster cannot start, with a message for the user
	 */
	public int run() throws LaunchException {
		ClassPreloader.preload(MasterLauncher.class,
				List.of("dev/bootsupervisor/master/", "dev/bootsupervisor/base/", "dev/bootsupervisor/protocol/"));
		RunDirectory runDirectory = new RunDirectory(this.settings.runDir());
		runDirectory.prepare();
		runDirectory.lock((this.command.jar() != null) ? this.command.jar().toAbsolutePath().toString() : null);
		runDirectory.removeStalePidFile()
			.ifPresent((pid) -> log.log(System.Logger.Level.WARNING, "Removed a stale pid file: {0}",
					RunDirectory.describeStale(pid)));
		int leftovers = ClassPathSnapshots.removeLeftovers(runDirectory.path().resolve("jars"));
		if (leftovers > 0) {
			log.log(System.Logger.Level.WARNING, "Removed {0} class path snapshot{1} left in {2} by a master that did "
					+ "not exit cleanly", leftovers, (leftovers == 1) ? "" : "s", runDirectory.path().resolve("jars"));
		}
		ChannelServer channel = null;
		try {
			int port = -1;
			if (this.settings.listens()) {
				SharedListener listener = SharedListener.bindOnStandardInput(this.settings.address(),
						this.settings.port(), this.settings.backlog());
				port = listener.port();
				log.log(System.Logger.Level.INFO, "Port {0}: {1}", String.valueOf(port), listener.description());
			}
			String token = HexFormat.of().formatHex(random(32));
			Master[] master = new Master[1];
			channel = new ChannelServer(runDirectory.socket(), token, (event) -> master[0].post(event));
			WorkerFactory factory = new JvmWorkerFactory(this.command,
					Map.of(SupervisorEnvironment.CHANNEL, runDirectory.socket().toString(),
							SupervisorEnvironment.TOKEN, token),
					runDirectory.path().resolve("jars"), this.settings.cds(), this.settings.startupTimeout());
			this.factory = factory;
			master[0] = new Master(this.settings, factory, Clock.systemUTC(), this.launchedAt, port);
			// a stop's budget: readiness down for the delay, then the drain
			master[0].notifySystemd(SystemdNotifier.fromEnvironment(System.getenv(), this.settings,
					this.settings.shutdownDelay().plus(this.settings.shutdownTimeout())));
			if (port >= 0) {
				master[0].listeningSocket(SharedListener.standardInput());
			}
			String stdout = System.getProperty(WorkerCommand.DAEMON_STDOUT);
			String stderr = System.getProperty(WorkerCommand.DAEMON_STDERR);
			if (stdout != null && stderr != null) {
				master[0].logFiles(Path.of(stdout), Path.of(stderr));
			}
			channel.start();
			runDirectory.writeOwnerOnly(runDirectory.tokenFile(), token);
			runDirectory.writeOwnerOnly(runDirectory.pidFile(), String.valueOf(ProcessHandle.current().pid()));
			SignalRouter.route(List.of("TERM", "INT", "HUP", "TTIN", "TTOU", "USR1"), master[0]::signal);
			int exitCode = master[0].run();
			if (exitCode != 0) {
				System.err.println("Boot Supervisor: " + this.settings.name() + " failed: " + master[0].failure());
			}
			return exitCode;
		}
		catch (IOException ex) {
			throw new LaunchException("Cannot set up the run directory " + runDirectory.path() + ": " + ex.getMessage(),
					ExitCodes.FAILURE);
		}
		finally {
			if (channel != null) {
				channel.close();
			}
			if (this.factory != null) {
				this.factory.close();
			}
			runDirectory.release();
		}
	}

	private static byte[] random(int length) {
		byte[] bytes = new byte[length];
		new SecureRandom().nextBytes(bytes);
		return bytes;
	}

}
