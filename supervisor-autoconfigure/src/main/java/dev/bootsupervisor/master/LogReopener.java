package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.file.Path;

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

	private Path stdout;

	private Path stderr;

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
	 * Reopen the log files in the master and tell every worker to do the same.
	 * @param trigger what asked for it, for the log line
	 * @return whether it worked, and what happened
	 */
	Outcome reopen(String trigger) {
		if (this.stdout == null) {
			String message = "no log files to reopen: this master runs in the foreground, its output goes where "
					+ "it was started";
			log.log(System.Logger.Level.INFO, "{0}: {1}", trigger, message);
			return new Outcome(false, message);
		}
		try {
			OutputFiles.reopen(this.stdout, this.stderr);
		}
		catch (IOException ex) {
			String message = "cannot reopen the log files, the master keeps writing to the old ones: "
					+ ex.getMessage();
			log.log(System.Logger.Level.WARNING, "{0}: {1}", trigger, message);
			return new Outcome(false, message);
		}
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
	 * What a reopen did.
	 *
	 * @param ok whether the master reopened its files
	 * @param message what happened
	 */
	record Outcome(boolean ok, String message) {
	}

}
