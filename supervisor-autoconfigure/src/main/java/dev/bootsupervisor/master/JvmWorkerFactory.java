package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.jna.LastErrorException;

import dev.bootsupervisor.base.CdsSettings;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.Posix;
import dev.bootsupervisor.base.WorkerCommand;
import dev.bootsupervisor.protocol.CdsView;

/**
 * Starts workers as child JVMs. Standard input is inherited, so a worker's fd 0 is the master's listening
 * socket; standard output and error are inherited, so worker logs go where the master's go.
 */
public final class JvmWorkerFactory implements WorkerFactory {

	private static final System.Logger log = System.getLogger(JvmWorkerFactory.class.getName());

	private static final CdsView DISABLED = new CdsView("none", "", "supervisor.cds.enabled=false");

	private static final int SIGQUIT = 3;

	private static final int SIGCONT = 18;

	private final WorkerCommand command;

	private final Map<String, String> environment;

	private final ClassPathSnapshots snapshots;

	private final ClassDataSharing cds;

	/** The pids of the workers started and not yet seen exit, which an orphan reaper must leave alone. */
	private final Set<Long> running = ConcurrentHashMap.newKeySet();

	/**
	 * Create a factory.
	 * @param command the worker command
	 * @param environment environment variables added for workers
	 * @param snapshotDirectory where workers' private snapshots of the class path go, {@code null} to run the app's
	 * files themselves
	 */
	public JvmWorkerFactory(WorkerCommand command, Map<String, String> environment, Path snapshotDirectory) {
		this(command, environment, snapshotDirectory, CdsSettings.OFF, Duration.ofMinutes(5));
	}

	/**
	 * Create a factory whose workers start with a class-data archive once one is trained.
	 * @param command the worker command
	 * @param environment environment variables added for workers
	 * @param snapshotDirectory where workers' private snapshots of the class path go, {@code null} to run the app's
	 * files themselves (and then no archive)
	 * @param cds whether and where archives are kept
	 * @param trainingTimeout how long a training run may take
	 */
	public JvmWorkerFactory(WorkerCommand command, Map<String, String> environment, Path snapshotDirectory,
			CdsSettings cds, Duration trainingTimeout) {
		this.command = command;
		this.environment = Map.copyOf(environment);
		this.snapshots = (snapshotDirectory != null)
				? new ClassPathSnapshots(command, System.getenv(), snapshotDirectory) : null;
		this.cds = (this.snapshots != null && cds.enabled())
				? new ClassDataSharing(command.name(), cds, trainingTimeout, this.snapshots, this.running) : null;
	}

	@Override
	public WorkerProcess start(int workerId, int generation) throws IOException {
		WorkerCommand launch = (this.cds != null) ? this.cds.launch()
				: (this.snapshots != null) ? this.snapshots.current() : this.command;
		List<String> commandLine = launch.forWorker(workerId, generation);
		ProcessBuilder builder = new ProcessBuilder(commandLine).redirectInput(ProcessBuilder.Redirect.INHERIT)
			.redirectOutput(ProcessBuilder.Redirect.INHERIT)
			.redirectError(ProcessBuilder.Redirect.INHERIT);
		builder.environment().keySet().removeIf(MasterSpec::isSpecVariable);
		// systemd talks to the master only: a worker that saw NOTIFY_SOCKET could report READY=1 for the cluster
		builder.environment().keySet().removeAll(SystemdNotifier.VARIABLES);
		builder.environment().putAll(this.environment);
		Process process = builder.start();
		this.running.add(process.pid());
		process.onExit().whenComplete((exited, failure) -> this.running.remove(process.pid()));
		return new JvmWorkerProcess(process);
	}

	@Override
	public boolean watches(long pid) {
		return this.running.contains(pid);
	}

	@Override
	public void beginReload() throws IOException {
		if (this.snapshots != null) {
			this.snapshots.beginReload();
		}
	}

	@Override
	public void endReload(boolean success) {
		if (this.snapshots != null) {
			this.snapshots.endReload(success);
		}
		if (this.cds != null && success) {
			this.cds.reloadSucceeded();
		}
	}

	@Override
	public void tick(boolean settled) {
		if (this.cds != null) {
			this.cds.tick(settled);
		}
	}

	@Override
	public String version() {
		return (this.snapshots != null) ? this.snapshots.version() : null;
	}

	@Override
	public CdsView cds() {
		return (this.cds != null) ? this.cds.view() : DISABLED;
	}

	@Override
	public void close() {
		if (this.cds != null) {
			this.cds.close();
		}
		if (this.snapshots != null) {
			this.snapshots.deleteAll();
		}
	}

	private record JvmWorkerProcess(Process process) implements WorkerProcess {

		@Override
		public long pid() {
			return this.process.pid();
		}

		@Override
		public CompletableFuture<Integer> onExit() {
			return this.process.onExit().thenApply(Process::exitValue);
		}

		@Override
		public void terminate() {
			this.process.destroy();
		}

		@Override
		public void kill() {
			this.process.destroyForcibly();
		}

		@Override
		public void dumpThreads() {
			signal(SIGQUIT, "QUIT");
		}

		@Override
		public void resume() {
			signal(SIGCONT, "CONT");
		}

		private void signal(int signal, String name) {
			if (!this.process.isAlive()) {
				return;
			}
			try {
				Posix.libc().kill((int) this.process.pid(), signal);
			}
			catch (LaunchException | LastErrorException ex) {
				log.log(System.Logger.Level.WARNING, "Cannot send SIG{0} to worker pid {1}: {2}", name,
						String.valueOf(this.process.pid()), ex.getMessage());
			}
		}

	}

}
