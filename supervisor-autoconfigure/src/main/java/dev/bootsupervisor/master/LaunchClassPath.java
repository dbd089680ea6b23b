package dev.bootsupervisor.master;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import dev.bootsupervisor.base.WorkerCommand;

/**
 * What a worker's class path is made of, read from its command line the way the {@code java} launcher and Spring
 * Boot's launchers read it: the jar of {@code -jar}; the entries of {@code -cp}, where {@code dir/*} stands for the
 * jars in {@code dir}; the jars that a jar's manifest {@code Class-Path} names, relative to that jar; and the
 * entries of {@code loader.path} for {@code PropertiesLauncher}. It also moves the command under another root, so
 * that a worker reads every one of these files from a snapshot that mirrors their absolute paths (relative
 * references between them, such as {@code Class-Path: lib/a.jar}, then still hold).
 */
final class LaunchClassPath {

	/** The signature of a zip's end-of-central-directory record. */
	private static final int END_SIGNATURE = 0x06054b50;

	/** The length of that record without its comment. */
	private static final int END_RECORD = 22;

	static final String LOADER_PATH = "-Dloader.path=";

	private static final String LOADER_HOME = "-Dloader.home=";

	private final WorkerCommand command;

	private final Map<String, String> environment;

	LaunchClassPath(WorkerCommand command, Map<String, String> environment) {
		this.command = command;
		this.environment = environment;
	}

	/**
	 * A part of the class path to copy.
	 *
	 * @param path the absolute path
	 * @param kind how much of it
	 */
	record Source(Path path, Kind kind) {

	}

	enum Kind {

		/** One file: a jar, with the jars its manifest names listed as sources of their own. */
		FILE,

		/** A directory and everything under it. */
		TREE,

		/** The jars directly in a directory: a {@code dir/*} class path entry. */
		JARS

	}

	/**
	 * The parts of the class path that exist now, in class path order.
	 * @return the sources
	 */
	List<Source> sources() {
		Set<Source> sources = new LinkedHashSet<>();
		List<String> target = this.command.launchTarget();
		if (target.size() >= 2 && target.get(0).equals("-jar")) {
			addFile(sources, Path.of(target.get(1)).toAbsolutePath());
		}
		else if (target.size() >= 2) {
			for (String entry : target.get(1).split(File.pathSeparator, -1)) {
				addEntry(sources, entry, false);
			}
		}
		for (String entry : loaderPath()) {
			addEntry(sources, entry, true);
		}
		return List.copyOf(sources);
	}

	/**
	 * Fail with a message a person can act on when the app's files are not there: the jar of {@code -jar}, or every
	 * entry of {@code -cp}.
	 * @throws IOException when they are missing
	 */
	void check() throws IOException {
		List<String> target = this.command.launchTarget();
		if (target.size() >= 2 && target.get(0).equals("-jar")) {
			Path jar = Path.of(target.get(1)).toAbsolutePath();
			if (!Files.isRegularFile(jar)) {
				throw new IOException("the app's jar " + jar + (Files.exists(jar) ? " is not a file"
						: " does not exist (deleted or moved?)") + "; put the version to run at that path, then reload");
			}
		}
		else if (sources().isEmpty()) {
			throw new IOException("no entry of the app's class path " + ((target.size() >= 2) ? target.get(1) : "")
					+ " exists (deleted or moved?); put the version to run at those paths, then reload");
		}
	}

	/**
	 * Fail with a message a person can act on when the jar of {@code -jar} is there but {@code java -jar} would not
	 * start it: a truncated or half-copied file ({@code Invalid or corrupt jarfile}), or a jar with no
	 * {@code Main-Class}. Nothing to check for {@code -cp}.
	 * @throws IOException when the jar cannot be run
	 */
	void checkRunnable() throws IOException {
		List<String> target = this.command.launchTarget();
		if (target.size() < 2 || !target.get(0).equals("-jar")) {
			return;
		}
		Path jar = Path.of(target.get(1)).toAbsolutePath();
		Manifest manifest;
		try (JarFile file = new JarFile(jar.toFile())) {
			if (!endsWithItsDirectory(jar)) {
				// a fat jar cut short can still open: the zip reader finds the directory of a nested jar instead
				throw new IOException("its end of central directory is not at its end; it is cut short");
			}
			manifest = file.getManifest();
		}
		catch (IOException | SecurityException ex) {
			throw new IOException("the app's jar " + jar + " is an invalid or corrupt jarfile (" + ex.getMessage()
					+ "): java -jar would not start it. Is it still being copied? Put a complete jar at that path "
					+ "(copy it next to it, then move it over), then reload", ex);
		}
		String mainClass = (manifest != null) ? manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS)
				: null;
		if (mainClass == null || mainClass.isBlank()) {
			throw new IOException("the app's jar " + jar + " has no Main-Class in its manifest: java -jar would not "
					+ "start it. Build it with the Spring Boot plugin (repackage), then reload");
		}
	}

	/**
	 * Whether a zip file ends with its end-of-central-directory record: the last such record in its tail, comment
	 * included, reaches exactly the file's end. A copy cut short ends in the middle of an entry instead.
	 * @param zip the file
	 * @return whether it does
	 * @throws IOException when it cannot be read
	 */
	static boolean endsWithItsDirectory(Path zip) throws IOException {
		try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
			long size = channel.size();
			int tail = (int) Math.min(size, END_RECORD + 0xFFFF);
			ByteBuffer buffer = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
			while (buffer.hasRemaining() && channel.read(buffer, size - tail + buffer.position()) > 0) {
				// read the whole tail
			}
			for (int at = tail - END_RECORD; at >= 0; at--) {
				if (buffer.getInt(at) == END_SIGNATURE) {
					int comment = Short.toUnsignedInt(buffer.getShort(at + 20));
					return at + END_RECORD + comment == tail;
				}
			}
			return false;
		}
	}

	/**
	 * This command, reading every class path part under {@code root} instead of {@code /}.
	 * @param root the root of a snapshot
	 * @return the command
	 */
	WorkerCommand relocate(Path root) {
		List<String> target = new ArrayList<>(this.command.launchTarget());
		if (target.size() >= 2 && target.get(0).equals("-jar")) {
			target.set(1, relocate(root, Path.of(target.get(1)).toAbsolutePath().toString()));
		}
		else if (target.size() >= 2) {
			List<String> entries = new ArrayList<>();
			for (String entry : target.get(1).split(File.pathSeparator, -1)) {
				entries.add(relocateEntry(root, entry, false));
			}
			target.set(1, String.join(File.pathSeparator, entries));
		}
		List<String> options = new ArrayList<>(this.command.jvmOptions());
		List<String> loaderPath = loaderPath();
		if (!loaderPath.isEmpty()) {
			List<String> entries = loaderPath.stream().map((entry) -> relocateEntry(root, entry, true)).toList();
			options.removeIf((option) -> option.startsWith(LOADER_PATH));
			options.add(LOADER_PATH + String.join(",", entries));
		}
		return this.command.withLaunch(options, target);
	}

	/** The entries of {@code loader.path}: a system property first, then the environment, as the launcher reads it. */
	private List<String> loaderPath() {
		String value = option(LOADER_PATH);
		if (value == null) {
			value = this.environment.get("LOADER_PATH");
		}
		if (value == null || value.isBlank()) {
			return List.of();
		}
		List<String> entries = new ArrayList<>();
		for (String entry : value.split(",")) {
			if (!entry.isBlank()) {
				entries.add(entry.trim());
			}
		}
		return entries;
	}

	private String option(String prefix) {
		String value = null;
		for (String option : this.command.jvmOptions()) {
			if (option.startsWith(prefix)) {
				value = option.substring(prefix.length());
			}
		}
		return value;
	}

	/** Where a relative {@code loader.path} entry is resolved: {@code loader.home}, else the working directory. */
	private Path loaderHome() {
		String home = option(LOADER_HOME);
		if (home == null) {
			home = this.environment.get("LOADER_HOME");
		}
		return Path.of((home != null) ? home : System.getProperty("user.dir"));
	}

	private Path resolve(String entry, boolean loader) {
		Path path = Path.of(entry);
		return (loader ? loaderHome().resolve(path) : path.toAbsolutePath()).normalize();
	}

	private void addEntry(Set<Source> sources, String entry, boolean loader) {
		if (entry.isEmpty()) {
			return;
		}
		if (!loader && (entry.equals("*") || entry.endsWith(File.separator + "*"))) {
			Path directory = resolve(entry.substring(0, entry.length() - 1).isEmpty() ? "."
					: entry.substring(0, entry.length() - 1), false);
			if (Files.isDirectory(directory)) {
				sources.add(new Source(directory, Kind.JARS));
				for (Path jar : jarsIn(directory)) {
					addManifestClassPath(sources, jar);
				}
			}
			return;
		}
		Path path = resolve(entry, loader);
		if (Files.isDirectory(path)) {
			sources.add(new Source(path, Kind.TREE));
		}
		else if (Files.isRegularFile(path)) {
			addFile(sources, path);
		}
	}

	private void addFile(Set<Source> sources, Path file) {
		if (Files.isRegularFile(file) && sources.add(new Source(file, Kind.FILE))) {
			addManifestClassPath(sources, file);
		}
	}

	private void addManifestClassPath(Set<Source> sources, Path jar) {
		for (Path entry : manifestClassPath(jar)) {
			if (Files.isDirectory(entry)) {
				sources.add(new Source(entry, Kind.TREE));
			}
			else {
				addFile(sources, entry);
			}
		}
	}

	private String relocateEntry(Path root, String entry, boolean loader) {
		if (entry.isEmpty()) {
			return entry;
		}
		boolean wildcard = !loader && (entry.equals("*") || entry.endsWith(File.separator + "*"));
		String base = wildcard ? entry.substring(0, entry.length() - 1) : entry;
		Path path = resolve(base.isEmpty() ? "." : base, loader);
		if (!Files.exists(path)) {
			return entry;
		}
		return relocate(root, path.toString()) + (wildcard ? File.separator + "*" : "");
	}

	static String relocate(Path root, String absolute) {
		return root.toString() + (absolute.startsWith(File.separator) ? absolute : File.separator + absolute);
	}

	/**
	 * The jars directly in a directory, as the launcher expands {@code dir/*}.
	 * @param directory the directory
	 * @return the jars, by name
	 */
	static List<Path> jarsIn(Path directory) {
		try (var files = Files.list(directory)) {
			return files.filter((file) -> file.getFileName().toString().toLowerCase().endsWith(".jar"))
				.filter(Files::isRegularFile)
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	/** The existing local files a jar's manifest {@code Class-Path} names. */
	private static List<Path> manifestClassPath(Path jar) {
		if (!jar.getFileName().toString().toLowerCase().endsWith(".jar")) {
			return List.of();
		}
		try (JarFile file = new JarFile(jar.toFile())) {
			Manifest manifest = file.getManifest();
			String classPath = (manifest != null) ? manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH)
					: null;
			if (classPath == null) {
				return List.of();
			}
			List<Path> entries = new ArrayList<>();
			URI base = jar.getParent().toUri();
			for (String entry : classPath.trim().split("\\s+")) {
				try {
					URI uri = base.resolve(entry);
					if ("file".equals(uri.getScheme())) {
						entries.add(Path.of(uri).normalize());
					}
				}
				catch (IllegalArgumentException ex) {
					// the java launcher skips an entry it cannot read: so do we
				}
			}
			return entries;
		}
		catch (IOException ex) {
			return List.of();
		}
	}

}
