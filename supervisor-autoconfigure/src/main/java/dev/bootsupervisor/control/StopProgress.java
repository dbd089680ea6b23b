package dev.bootsupervisor.control;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * The progress of a stop as one line: the workers still running, what each still has open, and how long before
 * the master kills them. On a terminal the line is rewritten in place; in a log (output not a terminal) a line is
 * printed only when what it says changes, the countdown aside.
 */
final class StopProgress {

	private final PrintStream out;

	private final boolean terminal;

	private String lastShown = "";

	private int lastWidth;

	StopProgress(PrintStream out, boolean terminal) {
		this.out = out;
		this.terminal = terminal;
	}

	/**
	 * Show the progress a view gives.
	 * @param view the cluster now
	 * @param killAt when the master kills the workers still running
	 */
	void show(ClusterView view, Instant killAt) {
		String what = describe(view);
		if (this.terminal) {
			long left = Math.max(0, Duration.between(view.at(), killAt).toSeconds());
			String line = what + ((what.startsWith("Waiting")) ? "; " + left + " s before they are killed" : "");
			StringBuilder text = new StringBuilder("\r").append(line);
			for (int i = line.length(); i < this.lastWidth; i++) {
				text.append(' ');
			}
			this.lastWidth = line.length();
			this.out.print(text);
			this.out.flush();
		}
		else if (!what.equals(this.lastShown)) {
			this.out.println(what);
		}
		this.lastShown = what;
	}

	/** End the progress line, once the stop is over. */
	void end() {
		if (this.terminal && this.lastWidth > 0) {
			this.out.println();
		}
	}

	/**
	 * What is still running and open.
	 * @param view the cluster now
	 * @return one line
	 */
	static String describe(ClusterView view) {
		List<WorkerView> running = view.workers().stream().filter(WorkerView::alive).toList();
		if (running.isEmpty()) {
			return "Every worker has stopped; the master exits";
		}
		return "Waiting for " + running.size() + " worker(s): " + running.stream()
			.map(StopProgress::describe)
			.collect(Collectors.joining(", "));
	}

	private static String describe(WorkerView worker) {
		String open = (worker.connections() > 0) ? worker.connections() + " open connection(s)"
				: (worker.connections() == 0) ? "no open connection" : "open connections unknown";
		return "worker " + worker.id() + " (pid " + worker.pid() + ") " + worker.state().label() + ", " + open;
	}

}
