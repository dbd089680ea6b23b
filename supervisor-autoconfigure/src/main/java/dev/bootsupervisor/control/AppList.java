package dev.bootsupervisor.control;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.RunDirectory;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * {@code --supervisor.command=list}: every app of this user that runs supervised on this host, found through the
 * run directories (the default ones, and those registered by masters that run elsewhere), never by scanning
 * processes. A run directory that no master locks is stale and not shown.
 */
final class AppList {

	/** A master that does not answer this soon is listed as not answering, so one hung app cannot stall list. */
	private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(3);

	private final PrintStream out;

	private final PrintStream err;

	AppList(PrintStream out, PrintStream err) {
		this.out = out;
		this.err = err;
	}

	/**
	 * One running app: its view, or why it has none.
	 *
	 * @param name the app's name when it does not answer: its run directory's name in the default base, else its path
	 * @param runDir its run directory
	 * @param view its view, {@code null} when it does not answer
	 * @param pid the master's pid from the pid file, -1 when unknown
	 * @param error why it does not answer, {@code null} when it does
	 */
	record Entry(String name, Path runDir, ClusterView view, long pid, String error) {

	}

	int run(OutputFormat format) {
		List<Entry> entries = find();
		if (format == OutputFormat.JSON) {
			JsonWriter json = new JsonWriter().beginObject().field("user", System.getProperty("user.name"))
				.name("apps").beginArray();
			for (Entry entry : entries) {
				json.beginObject();
				if (entry.view() != null) {
					ViewJson.summary(json, entry.view());
				}
				else {
					json.field("name", entry.name()).field("running", true).field("answering", false)
						.field("masterPid", entry.pid()).field("error", entry.error());
				}
				json.field("runDir", entry.runDir().toString()).endObject();
			}
			this.out.println(json.endArray().endObject());
			return 0;
		}
		if (entries.isEmpty()) {
			this.out.println("No supervised app of " + System.getProperty("user.name") + " runs on this host "
					+ "(looked in " + RunDirectory.defaultBase() + ")");
			return 0;
		}
		// Locale.US: plain digits, and no locale data to load
		String row = "%-24s %-8s %-6s %-7s %-8s %s%n";
		this.out.printf(Locale.US, row, "NAME", "PID", "PORT", "READY", "UPTIME", "STATE");
		for (Entry entry : entries) {
			ClusterView view = entry.view();
			if (view == null) {
				this.out.printf(Locale.US, row, entry.name(), (entry.pid() >= 0) ? entry.pid() : "-", "-", "-", "-",
						"not answering (" + entry.error() + ")");
				continue;
			}
			long ready = view.workers().stream().filter(WorkerView::ready).count();
			this.out.printf(Locale.US, row, view.name(), view.masterPid(), (view.port() >= 0) ? view.port() : "-",
					ready + "/" + view.configuredWorkers(), ControlCommands.age(view.masterStartedAt(), view.at()),
					view.state().label());
		}
		return 0;
	}

	/**
	 * The running apps, in the order of their run directories' paths.
	 */
	List<Entry> find() {
		List<Entry> entries = new ArrayList<>();
		for (Path path : candidates()) {
			RunDirectory directory = new RunDirectory(path);
			try {
				directory.verifyIfExists();
			}
			catch (LaunchException ex) {
				this.err.println("Boot Supervisor: skipped " + path + ": " + ex.getMessage());
				continue;
			}
			if (!directory.isLocked()) {
				continue;
			}
			long pid = directory.readPid().orElse(-1L);
			// until it answers, an app is known by its run directory: the name in the default base, else the path
			String name = RunDirectory.defaultBase().equals(path.getParent()) ? path.getFileName().toString()
					: path.toString();
			try (ControlClient client = ControlClient.connect(directory)) {
				entries.add(new Entry(name, path, client.view(REPLY_TIMEOUT), pid, null));
			}
			catch (IOException ex) {
				entries.add(new Entry(name, path, null, pid, String.valueOf(ex.getMessage())));
			}
		}
		return entries;
	}

	private Set<Path> candidates() {
		Set<Path> paths = new LinkedHashSet<>();
		Path base = RunDirectory.defaultBase();
		if (Files.isDirectory(base)) {
			try {
				new RunDirectory(base).verifyIfExists();
				for (Path path : sorted(base)) {
					if (!path.getFileName().toString().startsWith(".") && Files.isDirectory(path)) {
						paths.add(path.toAbsolutePath());
					}
				}
				RunDirectory.verifyRegistryIfExists();
				if (Files.isDirectory(RunDirectory.registry())) {
					for (Path entry : sorted(RunDirectory.registry())) {
						// an entry left by a master that died is harmless: its directory is not locked, so skipped
						String target = Files.readString(entry).trim();
						if (!target.isEmpty() && Path.of(target).isAbsolute()) {
							if (Files.isDirectory(Path.of(target))) {
								paths.add(Path.of(target));
							}
							else {
								// its run directory is gone, so no master can hold it: the entry can only pile up
								Files.deleteIfExists(entry);
							}
						}
					}
				}
			}
			catch (IOException | LaunchException ex) {
				this.err.println("Boot Supervisor: cannot read " + base + ": " + ex.getMessage());
			}
		}
		return paths;
	}

	private static List<Path> sorted(Path directory) throws IOException {
		List<Path> paths = new ArrayList<>();
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
			stream.forEach(paths::add);
		}
		paths.sort(null);
		return paths;
	}

}
