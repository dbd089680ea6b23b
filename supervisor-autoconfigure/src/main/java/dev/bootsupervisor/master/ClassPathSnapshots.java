package dev.bootsupervisor.master;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.bootsupervisor.base.WorkerCommand;

/**
 * Private snapshots of the app's class path that workers run from, in the run directory: whatever the layout (a fat
 * jar, an extracted {@code app.jar} with its {@code lib/}, {@code -cp} jars, directories and wildcards,
 * {@code loader.path}), every file a worker may read is copied, so replacing the app's files while workers run
 * changes nothing under them. A snapshot mirrors the absolute paths of its files under a root of its own; each file
 * is a hard link into a store keyed by content (SHA-256), so a library that did not change between two deploys is
 * stored once. A rolling reload takes a new snapshot of the class path at the app's paths now; the previous one is
 * kept until the reload ends, and restored when it fails.
 */
final class ClassPathSnapshots {

	private static final System.Logger log = System.getLogger(ClassPathSnapshots.class.getName());

	private static final String STORE = "store";

	private final LaunchClassPath classPath;

	private final Path directory;

	private final Path store;

	private final AtomicInteger sequence = new AtomicInteger();

	private Snapshot current;

	private Snapshot previous;

	private Snapshot contentsOf;

	private Contents contents;

	ClassPathSnapshots(WorkerCommand command, Map<String, String> environment, Path directory) {
		this.classPath = new LaunchClassPath(command, environment);
		this.directory = directory;
		this.store = directory.resolve(STORE);
	}

	/**
	 * The command new workers run, on a snapshot taken on first use.
	 * @return the command
	 * @throws IOException when the class path cannot be copied
	 */
	synchronized WorkerCommand current() throws IOException {
		if (this.current == null) {
			this.current = take(null);
		}
		return this.current.command();
	}

	/**
	 * A digest of the current snapshot: every file's path and content digest, so two deploys of the same files
	 * read the same, for a reload's history.
	 * @return {@code sha256:} and the digest's first 12 hex digits, {@code null} before the first snapshot
	 */
	synchronized String version() {
		if (this.current == null) {
			return null;
		}
		MessageDigest digest = sha256();
		new TreeMap<>(this.current.files()).forEach((path, content) -> {
			digest.update(path.toString().getBytes(StandardCharsets.UTF_8));
			digest.update((byte) 0);
			digest.update(content.getBytes(StandardCharsets.UTF_8));
			digest.update((byte) '\n');
		});
		return "sha256:" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
	}

	/**
	 * What the current snapshot holds, for a class-data archive of it.
	 * @return its contents
	 * @throws IOException when the class path cannot be copied
	 */
	synchronized Contents contents() throws IOException {
		current();
		if (this.contents == null || this.contentsOf != this.current) {
			// once per snapshot: reading the class path's sources opens the jar for its manifest
			boolean directories = this.classPath.sources().stream()
				.anyMatch((source) -> source.kind() == LaunchClassPath.Kind.TREE);
			this.contents = new Contents(this.current.command(), this.current.files(), this.current.directories(),
					directories);
			this.contentsOf = this.current;
		}
		return this.contents;
	}

	/**
	 * Link the files of a snapshot under another root, as a snapshot does, and return the command that runs them
	 * there.
	 * @param contents the snapshot's contents
	 * @param root the new root
	 * @return the command
	 * @throws IOException when a file cannot be linked or copied
	 */
	WorkerCommand mirror(Contents contents, Path root) throws IOException {
		for (Map.Entry<Path, String> file : contents.files().entrySet()) {
			Path link = mirror(root, file.getKey());
			Files.createDirectories(link.getParent());
			link(link, this.store.resolve(file.getValue()));
		}
		for (Path path : contents.directories()) {
			Files.createDirectories(mirror(root, path));
		}
		return this.classPath.relocate(root);
	}

	/**
	 * The command that runs the class path mirrored under another root.
	 * @param root the root
	 * @return the command
	 */
	WorkerCommand relocated(Path root) {
		return this.classPath.relocate(root);
	}

	/**
	 * Take a new snapshot for a reload when a file of the class path changed; the previous one is kept until the
	 * reload ends. A jar that {@code java -jar} would not start is refused first, so the old workers keep serving.
	 * @throws IOException when the class path cannot be copied, or its jar cannot be run
	 */
	synchronized void beginReload() throws IOException {
		this.classPath.check();
		this.classPath.checkRunnable();
		Snapshot next = take(this.current);
		if (next == this.current) {
			log.log(System.Logger.Level.INFO, "Replacement workers run the same class path: no file of it changed");
			return;
		}
		this.previous = this.current;
		this.current = next;
	}

	/**
	 * End a reload: keep the new snapshot after a success, go back to the previous one after a failure.
	 * @param success whether the reload succeeded
	 */
	synchronized void endReload(boolean success) {
		if (this.previous == null) {
			return;
		}
		Snapshot discard = success ? this.previous : this.current;
		if (!success) {
			this.current = this.previous;
			log.log(System.Logger.Level.INFO, "New workers run the previous class path again ({0})",
					this.current.root().getFileName());
		}
		this.previous = null;
		deleteTree(discard.root());
		collectGarbage();
	}

	/**
	 * Remove every snapshot in the directory, such as those of a master that was killed and could not clean up.
	 * Call only while holding the run directory's lock, before any worker starts.
	 * @param directory the directory of the snapshots
	 * @return how many snapshots were removed
	 */
	static int removeLeftovers(Path directory) {
		if (!Files.isDirectory(directory)) {
			return 0;
		}
		int removed = 0;
		try (Stream<Path> entries = Files.list(directory)) {
			for (Path entry : (Iterable<Path>) entries::iterator) {
				if (!entry.getFileName().toString().equals(STORE)) {
					removed++;
				}
				deleteTree(entry);
			}
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.WARNING, "Could not list {0}: {1}", directory, ex.getMessage());
		}
		return removed;
	}

	synchronized void deleteAll() {
		deleteTree(this.directory);
	}

	/** A new snapshot of the class path, or {@code last} itself when no file of it changed. */
	private Snapshot take(Snapshot last) throws IOException {
		this.classPath.check();
		Map<Path, String> files = new LinkedHashMap<>();
		List<Path> directories = new ArrayList<>();
		for (LaunchClassPath.Source source : this.classPath.sources()) {
			switch (source.kind()) {
				case FILE -> files.put(source.path(), hash(source.path()));
				case JARS -> {
					directories.add(source.path());
					for (Path jar : LaunchClassPath.jarsIn(source.path())) {
						files.put(jar, hash(jar));
					}
				}
				case TREE -> {
					try (Stream<Path> tree = Files.walk(source.path(), FileVisitOption.FOLLOW_LINKS)) {
						for (Path path : (Iterable<Path>) tree::iterator) {
							if (path.startsWith(this.directory)) {
								// a run directory inside a class path directory: never snapshot the snapshots
								continue;
							}
							if (Files.isDirectory(path)) {
								directories.add(path);
							}
							else if (Files.isRegularFile(path)) {
								files.put(path, hash(path));
							}
						}
					}
				}
			}
		}
		if (last != null && last.files().equals(files) && last.directories().equals(directories)) {
			return last;
		}
		Path root = this.directory.resolve(ProcessHandle.current().pid() + "-" + this.sequence.incrementAndGet());
		Files.createDirectories(this.store);
		int copied = 0;
		long bytes = 0;
		Map<Path, String> stored = new LinkedHashMap<>();
		for (Map.Entry<Path, String> file : files.entrySet()) {
			Path content = this.store.resolve(file.getValue());
			if (!Files.exists(content)) {
				// Copied, then named by what was copied: a file that changes meanwhile is stored under its new hash.
				content = copyIntoStore(file.getKey());
				copied++;
				bytes += Files.size(content);
			}
			stored.put(file.getKey(), content.getFileName().toString());
			Path link = mirror(root, file.getKey());
			Files.createDirectories(link.getParent());
			link(link, content);
		}
		for (Path path : directories) {
			Files.createDirectories(mirror(root, path));
		}
		Snapshot snapshot = new Snapshot(root, stored, directories, this.classPath.relocate(root));
		log.log(System.Logger.Level.INFO, "{0} run a snapshot of the class path: {1} files, {2} of them new "
				+ "({3} KB copied), in {4}", (last == null) ? "Workers" : "Replacement workers",
				String.valueOf(files.size()), String.valueOf(copied), String.valueOf(bytes / 1024), root);
		return snapshot;
	}

	private Path copyIntoStore(Path source) throws IOException {
		Path partial = Files.createTempFile(this.store, "copy-", ".partial");
		MessageDigest digest = sha256();
		try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest);
				OutputStream out = Files.newOutputStream(partial)) {
			in.transferTo(out);
		}
		Path content = this.store.resolve(HexFormat.of().formatHex(digest.digest()));
		Files.move(partial, content, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		return content;
	}

	private static void link(Path link, Path content) throws IOException {
		try {
			Files.createLink(link, content);
		}
		catch (UnsupportedOperationException | IOException ex) {
			if (Files.exists(link)) {
				throw ex;
			}
			Files.copy(content, link);
		}
	}

	/** Remove the stored files that no snapshot links to any more. */
	private void collectGarbage() {
		try (Stream<Path> contents = Files.list(this.store)) {
			for (Path content : (Iterable<Path>) contents::iterator) {
				if (((Number) Files.getAttribute(content, "unix:nlink")).intValue() <= 1) {
					Files.deleteIfExists(content);
				}
			}
		}
		catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
			log.log(System.Logger.Level.DEBUG, "Could not clean {0}: {1}", this.store, ex.getMessage());
		}
	}

	static Path mirror(Path root, Path absolute) {
		return Path.of(LaunchClassPath.relocate(root, absolute.toString()));
	}

	private static String hash(Path file) throws IOException {
		MessageDigest digest = sha256();
		try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
			in.transferTo(OutputStream.nullOutputStream());
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	}

	static void deleteTree(Path root) {
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
				Files.deleteIfExists(path);
			}
		}
		catch (NoSuchFileException ex) {
			// nothing to delete
		}
		catch (IOException | RuntimeException ex) {
			log.log(System.Logger.Level.DEBUG, "Could not delete {0}: {1}", root, ex.getMessage());
		}
	}

	/**
	 * What one snapshot holds.
	 *
	 * @param command the command that runs a worker on it
	 * @param files the content hash of every file, by its path in the app
	 * @param directories the directories it mirrors
	 * @param classPathDirectories whether the class path has directories, whose classes no archive can hold
	 */
	record Contents(WorkerCommand command, Map<Path, String> files, List<Path> directories,
			boolean classPathDirectories) {

	}

	/**
	 * One snapshot.
	 *
	 * @param root where it mirrors the class path
	 * @param files the content hash of every file, by its path in the app
	 * @param directories the directories it mirrors, empty ones included
	 * @param command the command that runs a worker on it
	 */
	private record Snapshot(Path root, Map<Path, String> files, List<Path> directories, WorkerCommand command) {

	}

}
