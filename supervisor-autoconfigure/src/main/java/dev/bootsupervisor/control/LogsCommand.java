package dev.bootsupervisor.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import dev.bootsupervisor.base.SignalRouter;

/**
 * {@code --supervisor.command=logs}: the last lines of a daemon's log files, then the lines written to them
 * from then on, as {@code tail -F} does: a file moved away and created again, or truncated, is read anew from its
 * start. Exit codes: 0 when interrupted, 1 when there is no log file.
 */
final class LogsCommand {

	private static final Duration POLL = Duration.ofMillis(200);

	private final String name;

	private final List<Followed> files = new ArrayList<>();

	private final int lines;

	private final PrintStream out;

	private final PrintStream err;

	private Followed lastPrinted;

	/**
	 * Create the command.
	 * @param name the app's name
	 * @param daemon the daemon's log files
	 * @param lines how many lines of each file to print first
	 * @param out where the lines go
	 * @param err where notices go
	 */
	LogsCommand(String name, DaemonStarter.DaemonSettings daemon, int lines, PrintStream out, PrintStream err) {
		this.name = name;
		this.files.add(new Followed(daemon.stdout()));
		if (!daemon.stderr().equals(daemon.stdout())) {
			this.files.add(new Followed(daemon.stderr()));
		}
		this.lines = lines;
		this.out = out;
		this.err = err;
	}

	/**
	 * Print the last lines, then follow until INT or TERM.
	 * @return the exit code
	 */
	int run() {
		AtomicBoolean interrupted = new AtomicBoolean();
		// a person ends tail -F with Ctrl-C: that is its normal end, not a failure
		SignalRouter.route(List.of("INT", "TERM"), (signal) -> interrupted.set(true));
		return run(interrupted::get);
	}

	/**
	 * Print the last lines, then follow until {@code stopped} says so.
	 * @param stopped whether to stop following, checked between polls
	 * @return the exit code
	 */
	int run(BooleanSupplier stopped) {
		if (this.files.stream().noneMatch((file) -> Files.isRegularFile(file.path))) {
			this.err.println("No log file for " + this.name + ": " + String.join(" and ",
					this.files.stream().map((file) -> file.path.toString()).toList()) + " do not exist. Only a "
					+ "daemon (supervisor.daemon=true) writes log files; an app in the foreground logs to its "
					+ "terminal or to whatever runs it (journalctl, kubectl logs)");
			return 1;
		}
		for (Followed file : this.files) {
			file.open(true);
			header(file);
			file.last(this.lines).forEach(this.out::println);
		}
		this.out.flush();
		while (!stopped.getAsBoolean()) {
			for (Followed file : this.files) {
				poll(file);
			}
			this.out.flush();
			try {
				Thread.sleep(POLL.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		for (Followed file : this.files) {
			file.close();
		}
		return 0;
	}

	private void poll(Followed file) {
		Object key = fileKey(file.path);
		if (file.channel != null && key != null && !key.equals(file.key)) {
			// moved away and created again: what was written to the old file before the move comes first
			print(file, file.read());
			file.close();
			this.err.println("logs: " + file.path + " was replaced (rotated); following the new file");
		}
		if (file.channel == null) {
			if (key == null) {
				return;
			}
			file.open(false);
		}
		else if (file.size() < file.position) {
			this.err.println("logs: " + file.path + " was truncated; following it from its start");
			file.position = 0;
			file.partial.reset();
		}
		print(file, file.read());
	}

	private void print(Followed file, List<String> lines) {
		if (!lines.isEmpty()) {
			header(file);
			lines.forEach(this.out::println);
		}
	}

	private void header(Followed file) {
		if (this.files.size() > 1 && this.lastPrinted != file) {
			this.out.println(((this.lastPrinted != null) ? "\n" : "") + "==> " + file.path + " <==");
		}
		this.lastPrinted = file;
	}

	private static Object fileKey(Path path) {
		try {
			return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** One file followed: its open channel, the identity of the file it reads, how far it read. */
	private static final class Followed {

		private final Path path;

		private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

		private FileChannel channel;

		private Object key;

		private long position;

		Followed(Path path) {
			this.path = path;
		}

		void open(boolean atEnd) {
			try {
				this.channel = FileChannel.open(this.path, StandardOpenOption.READ);
				this.key = Objects.requireNonNullElse(fileKey(this.path), "");
				this.position = atEnd ? this.channel.size() : 0;
				this.partial.reset();
			}
			catch (IOException ex) {
				// missing (rotated, not created again yet) or unreadable: tried again at the next poll
				this.channel = null;
			}
		}

		/** The last lines before the position it was opened at, read backwards from there in blocks. */
		List<String> last(int count) {
			if (this.channel == null || count <= 0) {
				return List.of();
			}
			long start = this.position;
			byte[] tail = new byte[0];
			try {
				// a block more until it holds one line more than asked for, or the whole file
				while (start > 0 && newlines(tail) <= count) {
					int length = (int) Math.min(8192, start);
					ByteBuffer block = ByteBuffer.allocate(length);
					while (block.hasRemaining() && this.channel.read(block, start - length + block.position()) > 0) {
						// read the whole block
					}
					start -= length;
					byte[] joined = new byte[length + tail.length];
					System.arraycopy(block.array(), 0, joined, 0, length);
					System.arraycopy(tail, 0, joined, length, tail.length);
					tail = joined;
				}
			}
			catch (IOException ex) {
				return List.of();
			}
			List<String> lines = new String(tail, StandardCharsets.UTF_8).lines().toList();
			return lines.subList(Math.max(0, lines.size() - count), lines.size());
		}

		private static int newlines(byte[] bytes) {
			int count = 0;
			for (int i = 0; i < bytes.length - 1; i++) {
				if (bytes[i] == '\n') {
					count++;
				}
			}
			return count;
		}

		long size() {
			try {
				return this.channel.size();
			}
			catch (IOException ex) {
				return this.position;
			}
		}

		/** The complete lines written since the last read; a line still being written waits for its end. */
		List<String> read() {
			List<String> lines = new ArrayList<>();
			if (this.channel == null) {
				return lines;
			}
			ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
			try {
				int read;
				while ((read = this.channel.read(buffer, this.position)) > 0) {
					this.position += read;
					for (int i = 0; i < read; i++) {
						byte b = buffer.get(i);
						if (b == '\n') {
							lines.add(this.partial.toString(StandardCharsets.UTF_8));
							this.partial.reset();
						}
						else {
							this.partial.write(b);
						}
					}
					buffer.clear();
				}
			}
			catch (IOException ex) {
				// read again at the next poll
			}
			return lines;
		}

		void close() {
			if (this.channel != null) {
				try {
					this.channel.close();
				}
				catch (IOException ex) {
					// nothing is written through it
				}
				this.channel = null;
			}
		}

	}

}
