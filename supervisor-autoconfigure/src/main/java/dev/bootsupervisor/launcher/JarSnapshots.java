package dev.bootsupervisor.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Private copies of the app's jar that workers run from, in the run directory. Overwriting the jar in place
 * (with {@code cp}) while workers run would change the bytes under their open file; a worker that runs from a
 * copy is not affected. A rolling reload takes a new copy of whatever jar is at the app's path now.
 */
final class JarSnapshots {

	private static final System.Logger log = System.getLogger(JarSnapshots.class.getName());

	private final Path source;

	private final Path directory;

	private final AtomicInteger sequence = new AtomicInteger();

	private Snapshot current;

	private Snapshot previous;

	JarSnapshots(Path source, Path directory) {
		this.source = source;
		this.directory = directory;
	}

	/**
	 * The copy new workers run from, taken on first use.
	 * @return the path of the copy
	 * @throws IOException when the jar cannot be copied
	 */
	synchronized Path current() throws IOException {
		if (this.current == null) {
			this.current = take();
		}
		return this.current.path();
	}

	/**
	 * Take a new copy for a reload when the jar at the app's path changed; the previous copy is kept until the
	 * reload ends.
	 * @throws IOException when the jar cannot be copied
	 */
	synchronized void beginReload() throws IOException {
		checkSource();
		if (this.current != null && this.current.matches(this.source)) {
			return;
		}
		this.previous = this.current;
		this.current = take();
		log.log(System.Logger.Level.INFO, "Replacement workers run {0} (a copy of {1} taken now)",
				this.current.path().getFileName(), this.source);
	}

	/**
	 * End a reload: keep the new copy after a success, go back to the previous one after a failure.
	 * @param success whether the reload succeeded
	 */
	synchronized void endReload(boolean success) {
		if (this.previous == null) {
			return;
		}
		Snapshot discard = success ? this.previous : this.current;
		if (!success) {
			this.current = this.previous;
		}
		this.previous = null;
		delete(discard.path());
	}

	/**
	 * Remove every copy in the directory, such as those of a master that was killed and could not clean up.
	 * Call only while holding the run directory's lock, before any worker starts.
	 * @param directory the directory of the copies
	 * @return how many files were removed
	 */
	static int removeLeftovers(Path directory) {
		if (!Files.isDirectory(directory)) {
			return 0;
		}
		int removed = 0;
		try (java.util.stream.Stream<Path> files = Files.list(directory)) {
			for (Path file : (Iterable<Path>) files::iterator) {
				if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
					delete(file);
					removed++;
				}
			}
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.WARNING, "Could not list {0}: {1}", directory, ex.getMessage());
		}
		return removed;
	}

	synchronized void deleteAll() {
		if (this.current != null) {
			delete(this.current.path());
		}
		if (this.previous != null) {
			delete(this.previous.path());
		}
	}

	private void checkSource() throws IOException {
		if (!Files.isRegularFile(this.source)) {
			throw new IOException("the app's jar " + this.source + (Files.exists(this.source) ? " is not a file"
					: " does not exist (deleted or moved?)") + "; put the version to run at that path, then reload");
		}
	}

	private Snapshot take() throws IOException {
		checkSource();
		Files.createDirectories(this.directory);
		FileTime modified = Files.getLastModifiedTime(this.source);
		long size = Files.size(this.source);
		String name = this.source.getFileName().toString().replaceFirst("\\.jar$", "");
		Path target = this.directory.resolve(name + "-" + ProcessHandle.current().pid() + "-"
				+ this.sequence.incrementAndGet() + ".jar");
		Path partial = target.resolveSibling(target.getFileName() + ".partial");
		Files.copy(this.source, partial, StandardCopyOption.REPLACE_EXISTING);
		Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		return new Snapshot(target, modified, size);
	}

	private static void delete(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.DEBUG, "Could not delete {0}: {1}", path, ex.getMessage());
		}
	}

	private record Snapshot(Path path, FileTime modified, long size) {

		boolean matches(Path source) throws IOException {
			return Files.getLastModifiedTime(source).equals(this.modified) && Files.size(source) == this.size;
		}

	}

}
