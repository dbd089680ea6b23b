package dev.bootsupervisor.base;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class of the test classpath, for what must not happen in the test JVM itself
 * (replacing its standard input, holding a file lock another JVM must see). Always {@link #close() closed}.
 */
public final class ChildJvm implements AutoCloseable {

	private final Process process;

	private final BufferedReader out;

	private final List<String> lines = new ArrayList<>();

	private ChildJvm(Process process) {
		this.process = process;
		this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
	}

	public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xshare:auto");
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass.getName());
		command.addAll(List.of(args));
		return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
	}

	public Process process() {
		return this.process;
	}

	/**
	 * Read output lines until one starts with the prefix.
	 * @param prefix the prefix
	 * @return the rest of that line
	 */
	public String awaitLine(String prefix) {
		try {
			String line;
			while ((line = this.out.readLine()) != null) {
				this.lines.add(line);
				if (line.startsWith(prefix)) {
					return line.substring(prefix.length());
				}
			}
			throw new AssertionError("child exited without printing '" + prefix + "': " + this.lines);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Tell the child to go on (it reads a line from its standard input).
	 */
	public void proceed() throws IOException {
		this.process.getOutputStream().write('\n');
		this.process.getOutputStream().flush();
	}

	public int awaitExit() throws InterruptedException {
		if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
			throw new AssertionError("child did not exit: " + this.lines);
		}
		return this.process.exitValue();
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(10, TimeUnit.SECONDS);
	}

}
