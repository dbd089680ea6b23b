package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

import dev.bootsupervisor.base.OutputFiles;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;

/**
 * Reopens a daemon's log files after a rotation moved them: the master's standard output and error first, then
 * every worker's, which inherited the master's descriptors and so still write to the moved files.
 */
final class LogReopener {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final WorkerTable table;

	private Opener opener = OutputFiles::reopen;

	private Path stdout;

	private Path stderr;

	/** When the files were last reopened: a worker started before may still hold the moved ones. */
	private Instant reopenedAt;

	LogReopener(WorkerTable table) {
		this.table = table;
	}

	/**
	 * Set the log files, known only to a daemon's master.
	 * @param stdout the standard output file
	 * @param stderr the standard error file
	 */
	void files(Path stdout, Path stderr) {
		this.stdout = stdout;
		this.stderr = stderr;
	}

	/**
	 * The log files, for a command that asks where they are.
	 * @return the standard output and error files, empty when this master runs in the foreground
	 */
	java.util.Optional<Path[]> files() {
		return (this.stdout != null) ? java.util.Optional.of(new Path[] { this.stdout, this.stderr })
				: java.util.Optional.empty();
	}

	/**
	 * Set what reopens this process's files, replaced in tests, whose JVM keeps its own output.
	 * @param opener reopens standard output and error on the files
	 */
	void opener(Opener opener) {
		this.opener = opener;
	}

	/**
	 * Reopen the log files in the master and tell every worker to do the same.
	 * @param trigger what asked for it, for the log line
	 * @param now the current time
	 * @return whether it worked, and what happened
	 */
	Outcome reopen(String trigger, Instant now) {
		if (this.stdout == null) {
			String message = "no log files to reopen: this master runs in the foreground, its output goes where "
					+ "it was started";
			log.log(System.Logger.Level.INFO, "{0}: {1}", trigger, message);
			return new Outcome(false, message);
		}
		try {
			this.opener.reopen(this.stdout, this.stderr);
		}
		catch (IOException ex) {
			String message = "cannot reopen the log files, the master keeps writing to the old ones: "
					+ ex.getMessage();
			log.log(System.Logger.Level.WARNING, "{0}: {1}", trigger, message);
			return new Outcome(false, message);
		}
		this.reopenedAt = now;
		int told = 0;
		int live = 0;
		for (WorkerHandle worker : this.table.live()) {
			live++;
			if (worker.send(Frame.of(MessageType.REOPEN_LOGS, "stdout", this.stdout, "stderr", this.stderr))) {
				told++;
			}
		}
		String message = "reopened " + this.stdout + ((this.stderr.equals(this.stdout)) ? "" : " and " + this.stderr)
				+ " in the master and told " + told + " of " + live + " workers to reopen them";
		log.log(System.Logger.Level.INFO, "{0}: {1}", trigger, message);
		return new Outcome(true, message);
	}

	/**
	 * A worker connected: one started before the latest reopen was not connected to be told, and its descriptors
	 * may still be the moved files, so it reopens them now.
	 * @param worker the worker
	 */
	void connected(WorkerHandle worker) {
		if (this.reopenedAt != null && !worker.startedAt().isAfter(this.reopenedAt)) {
			worker.send(Frame.of(MessageType.REOPEN_LOGS, "stdout", this.stdout, "stderr", this.stderr));
		}
	}

	/** Reopens this process's standard output and error on files. */
	@FunctionalInterface
	interface Opener {

		void reopen(Path stdout, Path stderr) throws IOException;

	}

	/**
	 * What a reopen did.
	 *
	 * @param ok whether the master reopened its files
	 * @param message what happened
	 */
	record Outcome(boolean ok, String message) {
	}

}
