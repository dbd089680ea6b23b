package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The directory of class-data archives ({@code supervisor.cds.dir}): one directory per key, holding the layout the
 * archive was trained on, the archive, and a {@code ready} file with the size and time of every file of both, as
 * the JVM checks them. A master holds a shared lock on {@code KEY.use} while its workers may run a key's layout, so
 * that another master sharing the directory never deletes it under them; a training run holds {@code KEY.train}.
 */
class ArchiveStore {

	private static final System.Logger log = System.getLogger(ArchiveStore.class.getName());

	static final String LAYOUT = "layout";

	static final String READY = "ready";

	static final String REFUSED = "refused";

	/**
	 * How long a key no master used stays: its app, or that version of it, was not run for that long. A master
	 * touches its keys' {@code KEY.use} files when it takes their locks, and holds them while it runs.
	 */
	static final Duration RETENTION = Duration.ofDays(14);

	/** A key's directory name: the app's name made safe, a dash, 16 hex digits (see {@link #key}). */
	private static final Pattern KEY = Pattern.compile("(.+)-[0-9a-f]{16}");

	private final Path directory;

	private final Map<String, Use> uses = new HashMap<>();

	ArchiveStore(Path directory) {
		this.directory = directory;
	}

	Path directory() {
		return this.directory;
	}

	/**
	 * Create the directory, owner-only, or say why it cannot hold archives: a directory others can write could
	 * have an archive replaced under the workers.
	 * @return {@code null} when it is fit, else the reason
	 */
	String prepare() {
		try {
			if (!Files.isDirectory(this.directory)) {
				Files.createDirectories(this.directory,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
			PosixFileAttributes attributes = Files.readAttributes(this.directory, PosixFileAttributes.class);
			if (writableByOthers(attributes)) {
				return this.directory + " is writable by others than its owner, who could replace an archive: use "
						+ "a directory only its owner can write (supervisor.cds.dir)";
			}
			if (!Files.isWritable(this.directory)) {
				return "cannot write " + this.directory + " (supervisor.cds.dir)";
			}
			return null;
		}
		catch (IOException | UnsupportedOperationException ex) {
			return "cannot create " + this.directory + " (supervisor.cds.dir): " + ex.getMessage();
		}
	}

	Path keyDirectory(String key) {
		return this.directory.resolve(key);
	}

	/**
	 * Hold a shared lock on a key while this master's workers may run it, releasing the keys not in {@code keep}.
	 * @param key the key
	 * @param keep the keys to go on holding
	 */
	synchronized void use(String key, Set<String> keep) {
		if (!this.uses.containsKey(key)) {
			try {
				FileChannel channel = FileChannel.open(this.directory.resolve(key + ".use"), StandardOpenOption.CREATE,
						StandardOpenOption.WRITE, StandardOpenOption.READ);
				this.uses.put(key, new Use(channel, channel.lock(0, Long.MAX_VALUE, true)));
				// the time of the last use, which the retention reads
				Files.setLastModifiedTime(this.directory.resolve(key + ".use"), FileTime.from(Instant.now()));
			}
			catch (IOException | OverlappingFileLockException ex) {
				log.log(System.Logger.Level.DEBUG, "Cannot lock {0}: {1}", key, ex.getMessage());
			}
		}
		this.uses.keySet().removeIf((held) -> {
			if (held.equals(key) || keep.contains(held)) {
				return false;
			}
			this.uses.get(held).close();
			return true;
		});
	}

	/**
	 * Delete every key of this app that no master uses, except these: the app's other versions. Other apps' keys,
	 * in a directory that apps share, are theirs to remove.
	 * @param name the app's name
	 * @param keep the keys to keep
	 * @return how many were deleted
	 */
	synchronized int removeUnused(String name, Set<String> keep) {
		String own = safeName(name);
		return remove((key, entry) -> own.equals(appOf(key)) && !keep.contains(key));
	}

	/**
	 * Delete every key, of any app, that no master uses and none used for {@link #RETENTION}: the archives of
	 * apps and versions not run for that long.
	 * @param now the current time
	 * @return how many were deleted
	 */
	synchronized int removeStale(Instant now) {
		FileTime before = FileTime.from(now.minus(RETENTION));
		return remove((key, entry) -> appOf(key) != null && lastUse(key, entry).compareTo(before) < 0);
	}

	/**
	 * Delete the stale keys of the other apps' default archive directories ({@code <base>/<app>/cds}): an app name
	 * that is never run again leaves its archives there, where no master of its own would come to remove them. A
	 * directory that is not this user's, or that others can write, is left alone.
	 * @param own this master's archive directory, skipped
	 * @param base the default run directories' base
	 * @param now the current time
	 * @return how many keys were deleted
	 */
	static int removeStaleElsewhere(Path own, Path base, Instant now) {
		int removed = 0;
		if (!Files.isDirectory(base)) {
			return 0;
		}
		try (Stream<Path> apps = Files.list(base)) {
			for (Path app : (Iterable<Path>) apps::iterator) {
				Path directory = app.resolve("cds");
				if (directory.toAbsolutePath().normalize().equals(own.toAbsolutePath().normalize())
						|| !ownedAndPrivate(directory, own)) {
					continue;
				}
				removed += new ArchiveStore(directory).removeStale(now);
			}
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.DEBUG, "Cannot look for stale archives in {0}: {1}", base, ex.getMessage());
		}
		return removed;
	}

	private static boolean ownedAndPrivate(Path directory, Path own) {
		try {
			if (!Files.isDirectory(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
				return false;
			}
			PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
					java.nio.file.LinkOption.NOFOLLOW_LINKS);
			return attributes.owner().equals(Files.getOwner(own)) && !writableByOthers(attributes);
		}
		catch (IOException | UnsupportedOperationException ex) {
			return false;
		}
	}

	/** Whether others than its owner can write a directory, so could replace an archive in it. */
	private static boolean writableByOthers(PosixFileAttributes attributes) {
		Set<PosixFilePermission> permissions = attributes.permissions();
		return permissions.contains(PosixFilePermission.GROUP_WRITE)
				|| permissions.contains(PosixFilePermission.OTHERS_WRITE);
	}

	private FileTime lastUse(String key, Path entry) {
		for (Path file : List.of(this.directory.resolve(key + ".use"), entry)) {
			try {
				return Files.getLastModifiedTime(file);
			}
			catch (IOException ex) {
				// no use file: the directory's own time
			}
		}
		return FileTime.from(Instant.EPOCH);
	}

	private static String appOf(String key) {
		java.util.regex.Matcher matcher = KEY.matcher(key);
		return matcher.matches() ? matcher.group(1) : null;
	}

	private static String safeName(String name) {
		return name.replaceAll("[^A-Za-z0-9._-]", "_");
	}

	/** Delete the keys that pass {@code which} and that no master holds. */
	private int remove(java.util.function.BiPredicate<String, Path> which) {
		int removed = 0;
		try (Stream<Path> entries = Files.list(this.directory)) {
			for (Path entry : (Iterable<Path>) entries::iterator) {
				String name = entry.getFileName().toString();
				if (!Files.isDirectory(entry) || this.uses.containsKey(name) || !which.test(name, entry)) {
					continue;
				}
				Path lockFile = this.directory.resolve(name + ".use");
				try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
						StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
					if (lock == null) {
						continue;
					}
					deleteTree(entry);
					Files.deleteIfExists(this.directory.resolve(name + ".train"));
					Files.deleteIfExists(lockFile);
					removed++;
				}
				catch (IOException | OverlappingFileLockException ex) {
					log.log(System.Logger.Level.DEBUG, "Cannot remove {0}: {1}", entry, ex.getMessage());
				}
			}
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.DEBUG, "Cannot list {0}: {1}", this.directory, ex.getMessage());
		}
		return removed;
	}

	/**
	 * Wait for, then hold, the right to train a key: only one master trains a key at a time.
	 * @param key the key
	 * @return the lock, to close when the training ends
	 * @throws IOException when the lock cannot be taken
	 */
	FileLock lockTraining(String key) throws IOException {
		FileChannel channel = FileChannel.open(this.directory.resolve(key + ".train"), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE);
		try {
			return channel.lock();
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	/**
	 * Record that a key's archive is ready: the size and time of every file of its layout and of the archive.
	 * @param key the key
	 * @param archive the archive
	 * @throws IOException when it cannot be written
	 */
	void markReady(String key, Path archive) throws IOException {
		Files.writeString(keyDirectory(key).resolve(READY), fingerprint(key, archive), StandardCharsets.UTF_8);
	}

	/**
	 * Whether a key's archive is ready and its files are exactly as they were when it was trained.
	 * @param key the key
	 * @param archive the archive
	 * @return {@code null} when it is ready, {@code ""} when it has not been trained, else what changed
	 */
	String checkReady(String key, Path archive) {
		Path ready = keyDirectory(key).resolve(READY);
		if (!Files.isRegularFile(ready)) {
			return "";
		}
		try {
			List<String> recorded = Files.readAllLines(ready, StandardCharsets.UTF_8);
			List<String> now = List.of(fingerprint(key, archive).split("\n"));
			if (recorded.equals(now)) {
				return null;
			}
			for (String line : recorded) {
				if (!now.contains(line)) {
					return "changed since it was trained: " + line.substring(0, line.lastIndexOf(' ', line.lastIndexOf(' ') - 1));
				}
			}
			return "a file was added since it was trained";
		}
		catch (IOException | RuntimeException ex) {
			return "cannot read it: " + ex.getMessage();
		}
	}

	/**
	 * Why the JVM refused a key's archive, {@code null} when it did not.
	 * @param key the key
	 * @return the JVM's words
	 */
	String refusal(String key) {
		try {
			return Files.readString(keyDirectory(key).resolve(REFUSED), StandardCharsets.UTF_8).trim();
		}
		catch (IOException ex) {
			return null;
		}
	}

	void markRefused(String key, String reason) throws IOException {
		Files.writeString(keyDirectory(key).resolve(REFUSED), reason, StandardCharsets.UTF_8);
	}

	/** Forget a key's archive and layout, such as one whose files changed. */
	void drop(String key) {
		deleteTree(keyDirectory(key));
	}

	synchronized void close() {
		this.uses.values().forEach(Use::close);
		this.uses.clear();
	}

	private String fingerprint(String key, Path archive) throws IOException {
		Path root = keyDirectory(key);
		List<String> lines = new ArrayList<>();
		try (Stream<Path> files = Files.walk(root.resolve(LAYOUT))) {
			for (Path file : (Iterable<Path>) files.sorted()::iterator) {
				BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
				if (attributes.isRegularFile()) {
					lines.add(root.relativize(file) + " " + attributes.size() + " "
							+ attributes.lastModifiedTime().toMillis());
				}
			}
		}
		BasicFileAttributes attributes = Files.readAttributes(archive, BasicFileAttributes.class);
		lines.add(root.relativize(archive) + " " + attributes.size() + " " + attributes.lastModifiedTime().toMillis());
		return String.join("\n", lines);
	}

	static void deleteTree(Path root) {
		ClassPathSnapshots.deleteTree(root);
	}

	/**
	 * The key of an archive: everything the JVM checks before it uses one, so that a key's archive is valid for
	 * every launch with the same key, and a change of any of them (a redeploy, a JVM update, an option) makes a new
	 * key instead of a stale archive.
	 * @param name the app's name, to tell keys apart by eye
	 * @param jvm the JVM's identity: vendor, version, home and the size and time of its libjvm
	 * @param jvmOptions the workers' JVM options
	 * @param launchTarget the workers' launch target on the snapshot
	 * @param files the content hash of every class path file, by its path in the app
	 * @return the key
	 */
	static String key(String name, String jvm, List<String> jvmOptions, List<String> launchTarget,
			Map<Path, String> files) {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
		StringBuilder text = new StringBuilder("boot-supervisor-cds-1\n").append(jvm).append('\n');
		jvmOptions.forEach((option) -> text.append("option ").append(option).append('\n'));
		text.append("target ").append(launchTarget.get(0)).append('\n');
		files.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.forEach((file) -> text.append("file ").append(file.getKey()).append(' ').append(file.getValue()).append('\n'));
		byte[] hash = digest.digest(text.toString().getBytes(StandardCharsets.UTF_8));
		return safeName(name) + "-" + HexFormat.of().formatHex(hash, 0, 8);
	}

	private record Use(FileChannel channel, FileLock lock) {

		void close() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// released with the channel anyway
			}
		}

	}

}
