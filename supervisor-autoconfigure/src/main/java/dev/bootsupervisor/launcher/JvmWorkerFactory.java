package dev.bootsupervisor.launcher;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Starts workers as child JVMs. Standard input is inherited, so a worker's fd 0 is the master's listening
 * socket; standard output and error are inherited, so worker logs go where the master's go.
 */
public final class JvmWorkerFactory implements WorkerFactory {

	private final WorkerCommand command;

	private final Map<String, String> environment;

	public JvmWorkerFactory(WorkerCommand command, Map<String, String> environment) {
		this.command = command;
		this.environment = Map.copyOf(environment);
	}

	@Override
	public WorkerProcess start(int workerId, int generation) throws IOException {
		List<String> commandLine = this.command.forWorker(workerId, generation);
		ProcessBuilder builder = new ProcessBuilder(commandLine).redirectInput(ProcessBuilder.Redirect.INHERIT)
			.redirectOutput(ProcessBuilder.Redirect.INHERIT)
			.redirectError(ProcessBuilder.Redirect.INHERIT);
		builder.environment().putAll(this.environment);
		return new JvmWorkerProcess(builder.start());
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

	}

}
