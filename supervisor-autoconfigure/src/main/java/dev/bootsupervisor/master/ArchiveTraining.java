package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import dev.bootsupervisor.base.WorkerCommand;

/**
 * Makes one archive: lays the app out as class data sharing needs it (Boot's extracted layout for a fat jar, a
 * mirror of the snapshot otherwise), runs the app once on that layout with the training option until its context
 * has refreshed ({@code spring.context.exit=onRefresh}, as Spring Boot documents for CDS), then checks that the JVM
 * accepts the archive. Runs on a thread of its own; the processes it starts are ended by {@link #cancel()}.
 */
final class ArchiveTraining {

	/** What a training ended with. */
	enum Result {

		/** The archive is in place and the JVM accepts it. */
		READY,

		/** The JVM refused the archive it wrote: it will refuse it again. */
		REFUSED,

		/** No archive: the training run failed or could not start, which may pass. */
		FAILED,

		/** No archive: the master is stopping and ended the training run; the next launch trains again. */
		CANCELLED

	}

	/**
	 * What a training ended with.
	 *
	 * @param result the result
	 * @param detail for the view and the log
	 */
	record Outcome(Result result, String detail) {

	}

	/** What the training JVM is told it is: it then runs as a plain app, see {@code LaunchMode}. */
	static final String ROLE = "-Dsupervisor.role=training";

	static final String EXIT_ON_REFRESH = "-Dspring.context.exit=onRefresh";

	private static final String TOOLS = "BOOT-INF/lib/spring-boot-jarmode-tools";

	private final ArchiveFormat format;

	private final Duration timeout;

	private volatile Process process;

	private volatile boolean cancelled;

	/** The pids of the processes started and not yet seen exit: an orphan reaper leaves them to this class. */
	private final Set<Long> running;

	ArchiveTraining(ArchiveFormat format, Duration timeout, Set<Long> running) {
		this.format = format;
		this.timeout = timeout;
		this.running = running;
	}

	/**
	 * Whether a snapshot's jar is a Boot fat jar that Boot's own tools can extract; {@code null} when it is not a
	 * fat jar at all.
	 * @param jar the jar
	 * @return whether it can be extracted, or {@code null}
	 * @throws IOException when it cannot be read
	 */
	static Boolean extractable(Path jar) throws IOException {
		try (JarFile file = new JarFile(jar.toFile())) {
			Manifest manifest = file.getManifest();
			String main = (manifest != null) ? manifest.getMainAttributes().getValue("Main-Class") : null;
			if (main == null || !main.startsWith("org.springframework.boot.loader.")
					|| manifest.getMainAttributes().getValue("Start-Class") == null) {
				return null;
			}
			return file.stream().anyMatch((entry) -> entry.getName().startsWith(TOOLS));
		}
	}

	/**
	 * Extract a fat jar into Boot's layout, with Boot's own tools ({@code -Djarmode=tools extract}).
	 * @param javaExecutable the JVM
	 * @param jar the fat jar
	 * @param destination the directory, which must not exist
	 * @param log where the tool's output goes
	 * @return the extracted jar
	 * @throws IOException when the extraction fails
	 */
	Path extract(String javaExecutable, Path jar, Path destination, Path log) throws IOException {
		List<String> command = List.of(javaExecutable, "-Djarmode=tools", "-jar", jar.toString(), "extract",
				"--destination", destination.toString());
		int code = run(command, log);
		Path extracted = destination.resolve(jar.getFileName());
		if (code != 0 || !Files.isRegularFile(extracted)) {
			throw new IOException("extracting " + jar + " failed (exit code " + code + "), see " + log);
		}
		return extracted;
	}

	/**
	 * Train an archive for workers that run this command, and check it.
	 * @param command the workers' command on the layout
	 * @param archive where the archive goes
	 * @param log where the training run's output goes
	 * @return the outcome
	 */
	Outcome train(WorkerCommand command, Path archive, Path log) {
		Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
		try {
			Files.deleteIfExists(partial);
			List<String> line = new ArrayList<>();
			line.add(command.javaExecutable());
			line.addAll(command.jvmOptions());
			line.add(this.format.train(partial));
			line.add(ROLE);
			line.add(EXIT_ON_REFRESH);
			line.addAll(command.launchTarget());
			line.addAll(command.arguments());
			int code = run(line, log);
			if (this.cancelled) {
				Files.deleteIfExists(partial);
				return new Outcome(Result.CANCELLED, "the master stopped during the training run");
			}
			if (code != 0 || !Files.isRegularFile(partial)) {
				return new Outcome(Result.FAILED, "the training run " + ((code < 0) ? "did not end within "
						+ this.timeout.toSeconds() + " s" : "exited with code " + code) + " and wrote no archive; see " + log);
			}
			String refusal = check(command, partial, log);
			if (this.cancelled) {
				// a check killed by the stopping master proves nothing: no refusal is recorded
				Files.deleteIfExists(partial);
				return new Outcome(Result.CANCELLED, "the master stopped during the training run");
			}
			if (refusal != null) {
				Files.deleteIfExists(partial);
				return new Outcome(Result.REFUSED, refusal);
			}
			Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return new Outcome(Result.READY, "");
		}
		catch (IOException ex) {
			return new Outcome(Result.FAILED, "cannot train: " + ex.getMessage());
		}
	}

	/**
	 * Start a JVM that must use the archive and ends at once: {@code null} when it could, else the JVM's words.
	 */
	private String check(WorkerCommand command, Path archive, Path log) throws IOException {
		List<String> line = new ArrayList<>();
		line.add(command.javaExecutable());
		line.addAll(command.jvmOptions());
		line.addAll(this.format.strict(archive));
		line.add("-cp");
		line.add(classPath(command.launchTarget()));
		line.add("-version");
		Path output = log.resolveSibling("check.log");
		int code = run(line, output);
		if (code == 0) {
			return null;
		}
		List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
		String words = lines.stream()
			.filter((text) -> !text.isBlank() && !text.startsWith("Error occurred during initialization"))
			.map(String::trim)
			.findFirst()
			.orElse("exit code " + code);
		Files.writeString(log, "\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
				java.nio.file.StandardOpenOption.APPEND);
		return "the JVM refused the archive it wrote: " + words;
	}

	private static String classPath(List<String> launchTarget) {
		return launchTarget.get(1);
	}

	/** Run a command to its end, its output to a file; -1 when it did not end in time and was killed. */
	private int run(List<String> command, Path log) throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			// a pipe the master never writes to: it ends when the master does, kill -9 included, and the run with it
			.redirectInput(ProcessBuilder.Redirect.PIPE);
		builder.environment().keySet().removeIf(MasterSpec::isSpecVariable);
		builder.environment().keySet().removeAll(SystemdNotifier.VARIABLES);
		if (this.cancelled) {
			return -1;
		}
		Process started = builder.start();
		this.running.add(started.pid());
		started.onExit().whenComplete((exited, failure) -> this.running.remove(started.pid()));
		this.process = started;
		try {
			if (!started.waitFor(this.timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				started.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				return -1;
			}
			return started.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			started.destroyForcibly();
			return -1;
		}
		finally {
			this.process = null;
		}
	}

	/**
	 * End the process running now, if any, and run no more. It is killed, not asked to stop: a training JVM asked
	 * to stop would first write the archive that nobody will use (seconds of a stopping master's time).
	 */
	void cancel() {
		this.cancelled = true;
		Process running = this.process;
		if (running != null) {
			try {
				running.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				running.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
	}

}
