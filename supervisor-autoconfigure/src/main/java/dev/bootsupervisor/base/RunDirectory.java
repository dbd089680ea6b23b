package dev.bootsupervisor.base;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The app's run directory: pid file, control socket, token and lock, readable by the owner only. Commands find
 * an app through it, never by scanning processes, so names match exactly and no other user's app is reachable.
 */
public final class RunDirectory {

	private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

	private final Path path;

	private FileChannel lockChannel;

	private FileLock lock;

	public RunDirectory(Path path) {
		this.path = path.toAbsolutePath();
	}

	/**
	 * The default run directory of an app: under {@code $XDG_RUNTIME_DIR} when set, else under the temp
	 * directory, one sub-directory per user and per name.
	 * @param name the app's name
	 * @return the path
	 */
	public static Path defaultPath(String name) {
		String runtime = System.getenv("XDG_RUNTIME_DIR");
		if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
			return Path.of(runtime, "boot-supervisor", name);
		}
		return Path.of(System.getProperty("java.io.tmpdir"), "boot-supervisor-" + System.getProperty("user.name"),
				name);
	}

	public Path path() {
		return this.path;
	}

	public Path pidFile() {
		return this.path.resolve("master.pid");
	}

	public Path socket() {
		return this.path.resolve("master.sock");
	}

	public Path tokenFile() {
		return this.path.resolve("token");
	}

	/**
	 * Create the directory with owner-only permissions, or check an existing one.
	 * @throws LaunchException when it is unsafe or cannot be created
	 */
	public void prepare() throws LaunchException {
		if (Files.exists(this.path) && !Files.isDirectory(this.path)) {
			throw new LaunchException("supervisor.run-dir=" + this.path + " is a file, not a directory; remove it or "
					+ "choose another with --supervisor.run-dir", ExitCodes.CONFIG);
		}
		try {
			if (!Files.isDirectory(this.path)) {
				createOwnerOnly(this.path.getParent());
				Files.createDirectories(this.path);
				Files.setPosixFilePermissions(this.path, OWNER_ONLY);
			}
			checkSafe(this.path);
		}
		catch (FileAlreadyExistsException | NotDirectoryException ex) {
			// a parent on the way is a file: the exception names only the path
			throw new LaunchException("Cannot create the run directory " + this.path + ": " + ex.getFile()
					+ " is a file, not a directory; choose another with --supervisor.run-dir", ExitCodes.CONFIG);
		}
		catch (IOException ex) {
			throw new LaunchException("Cannot create the run directory " + this.path + ": " + ex.getMessage(),
					ExitCodes.CONFIG);
		}
	}

	private static void createOwnerOnly(Path directory) throws IOException, LaunchException {
		if (directory == null || Files.isDirectory(directory)) {
			return;
		}
		createOwnerOnly(directory.getParent());
		Files.createDirectory(directory);
		Files.setPosixFilePermissions(directory, OWNER_ONLY);
	}

	/**
	 * Check an existing run directory before trusting its token and socket; a missing one is fine.
	 * @throws LaunchException when it exists and is unsafe
	 */
	public void verifyIfExists() throws LaunchException {
		try {
			if (Files.isDirectory(this.path)) {
				checkSafe(this.path);
			}
		}
		catch (IOException ex) {
			throw new LaunchException("Cannot check the run directory " + this.path + ": " + ex.getMessage(),
					ExitCodes.FAILURE);
		}
	}

	private static void checkSafe(Path directory) throws IOException, LaunchException {
		String owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).getName();
		String self = System.getProperty("user.name");
		if (!owner.equals(self)) {
			throw new LaunchException("The run directory " + directory + " belongs to " + owner + ", not " + self
					+ "; choose another with --supervisor.run-dir", ExitCodes.CONFIG);
		}
		Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS);
		if (!OWNER_ONLY.containsAll(permissions)) {
			throw new LaunchException("The run directory " + directory + " is accessible to other users ("
					+ PosixFilePermissions.toString(permissions) + "); run 'chmod 700 " + directory
					+ "' or choose another with --supervisor.run-dir", ExitCodes.CONFIG);
		}
	}

	/**
	 * Take the app's lock for the master's whole life: a second start of the same app fails here.
	 * @throws LaunchException when the app is already running
	 */
	public void lock() throws LaunchException {
		lock(null);
	}

	/**
	 * Take the app's lock for the master's whole life and record which app holds it: a second start of the same
	 * app fails here, and a start of another app of the same name is told which one holds the directory.
	 * @param app what this master runs (the jar's path), {@code null} when unknown
	 * @throws LaunchException when the app is already running
	 */
	public void lock(String app) throws LaunchException {
		try {
			this.lockChannel = FileChannel.open(this.path.resolve("lock"), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE);
			this.lock = this.lockChannel.tryLock();
		}
		catch (IOException ex) {
			throw new LaunchException("Cannot lock " + this.path.resolve("lock") + ": " + ex.getMessage(),
					ExitCodes.FAILURE);
		}
		if (this.lock == null) {
			String pid = readPid().map((p) -> " (pid " + p + ")").orElse("");
			Optional<String> holder = readApp();
			boolean other = app != null && holder.isPresent() && !holder.get().equals(app);
			throw new LaunchException("already running" + pid + holder.map((h) -> " from " + h).orElse("")
					+ ": run directory " + this.path + (other ? ". That is another app of the same name: apps are "
							+ "told apart by name, one run directory per user and name. Give this one its own "
							+ "--supervisor.name or --supervisor.run-dir" : ""), ExitCodes.CONFIG);
		}
		if (app != null) {
			try {
				writeOwnerOnly(appFile(), app);
			}
			catch (IOException ex) {
				throw new LaunchException("Cannot write " + appFile() + ": " + ex.getMessage(), ExitCodes.FAILURE);
			}
		}
		register();
	}

	/**
	 * The directory that holds the default run directories of this user's apps, where {@code list} looks.
	 * @return the path
	 */
	public static Path defaultBase() {
		return defaultPath("app").getParent().toAbsolutePath();
	}

	/**
	 * Where a master whose run directory is elsewhere ({@code supervisor.run-dir}) registers it while it runs,
	 * so {@code list} finds it too: owner-only, one file per run directory holding its path.
	 * @return the path
	 */
	public static Path registry() {
		return defaultBase().resolve(".registered");
	}

	/**
	 * Check that the registry can be trusted before reading it.
	 * @throws LaunchException when it exists and is unsafe
	 */
	public static void verifyRegistryIfExists() throws LaunchException {
		new RunDirectory(registry()).verifyIfExists();
	}

	/** This run directory's entry in the {@link #registry() registry}. */
	Path registration() {
		String file = this.path.getFileName() + "-" + Integer.toHexString(this.path.toString().hashCode());
		return registry().resolve(file);
	}

	private boolean outsideDefaultBase() {
		return !defaultBase().equals(this.path.getParent());
	}

	private void register() {
		if (!outsideDefaultBase()) {
			return;
		}
		try {
			// best effort: without the entry the app runs as well, only list does not show it
			createOwnerOnly(registry());
			checkSafe(registry());
			writeOwnerOnly(registration(), this.path.toString());
		}
		catch (IOException | LaunchException ex) {
			System.err.println("Boot Supervisor: cannot register " + this.path + " in " + registry() + " ("
					+ ex.getMessage() + "); --supervisor.command=list will not show this app");
		}
	}

	Path appFile() {
		return this.path.resolve("app");
	}

	private Optional<String> readApp() {
		try {
			return Optional.of(Files.readString(appFile()).trim()).filter((text) -> !text.isEmpty());
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Whether a master holds this directory's lock now.
	 * @return whether the app runs
	 */
	public boolean isLocked() {
		Path lockFile = this.path.resolve("lock");
		if (!Files.exists(lockFile)) {
			return false;
		}
		try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
			FileLock probe = channel.tryLock();
			if (probe != null) {
				probe.release();
				return false;
			}
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Remove a pid file left by a master that is gone; call only while no master holds the lock.
	 * @return the pid the stale file named, if there was one
	 */
	public Optional<Long> removeStalePidFile() {
		if (!Files.exists(pidFile())) {
			return Optional.empty();
		}
		Optional<Long> pid = readPid();
		try {
			Files.deleteIfExists(pidFile());
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		return Optional.of(pid.orElse(-1L));
	}

	/**
	 * Say what the pid of a stale pid file is now. The file is stale because no master holds the lock, so the
	 * pid is never this app's master, even when a process of that number runs (the pid was reused); that
	 * process is left alone.
	 * @param pid the pid the stale file named, -1 when it named none
	 * @return the description
	 */
	public static String describeStale(long pid) {
		if (pid < 0) {
			return "it held no pid";
		}
		boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
		return alive ? "pid " + pid + " is not this app's master (another process has that pid now; left alone)"
				: "pid " + pid + " is not running";
	}

	public Optional<Long> readPid() {
		try {
			return Optional.of(Long.parseLong(Files.readString(pidFile()).trim()));
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

	public void writeOwnerOnly(Path file, String content) throws IOException {
		Files.deleteIfExists(file);
		Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		Files.writeString(file, content, StandardCharsets.UTF_8);
	}

	/** Remove the run files and release the lock. */
	public void release() {
		try {
			Files.deleteIfExists(pidFile());
			Files.deleteIfExists(tokenFile());
			Files.deleteIfExists(socket());
			if (this.lock != null) {
				Files.deleteIfExists(appFile());
				if (outsideDefaultBase()) {
					Files.deleteIfExists(registration());
				}
				this.lock.release();
				this.lockChannel.close();
			}
		}
		catch (IOException ex) {
			// best effort at exit
		}
	}

}
