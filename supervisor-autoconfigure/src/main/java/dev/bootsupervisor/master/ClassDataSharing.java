package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.bootsupervisor.base.CdsSettings;
import dev.bootsupervisor.base.RunDirectory;
import dev.bootsupervisor.base.WorkerCommand;
import dev.bootsupervisor.protocol.CdsView;

/**
 * Fast worker starts: once the cluster is settled, the master trains a class-data archive of the app in the
 * background, and every later worker (a crash restart, a reload slot, a scale-up, the next launch) starts with it.
 * An archive belongs to a key made of everything the JVM checks (see {@link ArchiveStore#key}), so a redeploy, a JVM
 * update or another option makes a new one, and a stale one is never used.
 */
final class ClassDataSharing {

	private static final System.Logger log = System.getLogger(ClassDataSharing.class.getName());

	private final String name;

	private final ArchiveFormat format;

	private final ArchiveStore store;

	private final ArchiveTraining training;

	private final String unfit;

	/** The keys this master tried to train, at most once each. */
	private final Set<String> attempted = new HashSet<>();

	/** The keys whose layout this master's workers may run, newest last: the current one and the one before. */
	private final LinkedHashSet<String> recent = new LinkedHashSet<>();

	private volatile CdsView view;

	private Candidate candidate;

	private final ClassPathSnapshots snapshots;

	private Thread trainer;

	/**
	 * Create the archives of a master.
	 * @param name the app's name
	 * @param settings where the archives are
	 * @param timeout how long a training run may take
	 * @param snapshots the class path snapshots the workers run
	 * @param running the pids of the factory's running processes, which the training's join
	 */
	ClassDataSharing(String name, CdsSettings settings, Duration timeout, ClassPathSnapshots snapshots,
			Set<Long> running) {
		this(name, new ArchiveStore(settings.directory()),
				new ArchiveTraining(ArchiveFormat.of(Runtime.version().feature()), timeout, running), snapshots);
	}

	ClassDataSharing(String name, ArchiveStore store, ArchiveTraining training, ClassPathSnapshots snapshots) {
		this.name = name;
		this.snapshots = snapshots;
		this.format = ArchiveFormat.of(Runtime.version().feature());
		this.store = store;
		this.training = training;
		this.unfit = this.store.prepare();
		this.view = (this.unfit != null) ? none(this.unfit) : none("no archive yet: one is trained once every worker is ready");
		if (this.unfit != null) {
			log.log(System.Logger.Level.WARNING, "Workers start without a class-data archive: {0}", this.unfit);
		}
		else {
			java.time.Instant now = java.time.Instant.now();
			int stale = this.store.removeStale(now);
			Path defaultDirectory = RunDirectory.defaultPath(name).resolve("cds").toAbsolutePath().normalize();
			if (this.store.directory().toAbsolutePath().normalize().equals(defaultDirectory)) {
				// the default layout keeps one archive directory per app name: look at the other names' too
				int elsewhere = ArchiveStore.removeStaleElsewhere(defaultDirectory,
						defaultDirectory.getParent().getParent(), now);
				if (elsewhere > 0) {
					log.log(System.Logger.Level.INFO, "Removed {0} class-data archive{1} of other app names that no "
							+ "app used for {2} days, from {3}", String.valueOf(elsewhere), (elsewhere == 1) ? "" : "s",
							String.valueOf(ArchiveStore.RETENTION.toDays()), defaultDirectory.getParent().getParent());
				}
			}
			if (stale > 0) {
				log.log(System.Logger.Level.INFO, "Removed {0} class-data archive{1} that no app used for {2} days "
						+ "from {3}", String.valueOf(stale), (stale == 1) ? "" : "s",
						String.valueOf(ArchiveStore.RETENTION.toDays()), this.store.directory());
			}
		}
	}

	CdsView view() {
		return this.view;
	}

	/**
	 * The command the next worker runs: on the archive's layout, with the archive, when the current snapshot has a
	 * ready one; else the snapshot's own command.
	 * @return the command
	 * @throws IOException when the class path cannot be copied
	 */
	synchronized WorkerCommand launch() throws IOException {
		ClassPathSnapshots.Contents contents = this.snapshots.contents();
		Candidate current = candidate(contents);
		if (current.reason() != null) {
			this.view = none(current.reason());
			return contents.command();
		}
		String refusal = this.store.refusal(current.key());
		if (refusal != null) {
			this.view = new CdsView("refused", "", refusal);
			return contents.command();
		}
		String changed = this.store.checkReady(current.key(), current.archive());
		if (changed == null && Files.isRegularFile(current.launchFile())) {
			// nothing to train: the settled ticks need not look at the store again
			this.attempted.add(current.key());
			this.view = new CdsView("ready", current.archive().toString(), this.format.label() + " of "
					+ current.key() + ": workers start with it");
			return current.layout().withLaunch(withUse(current), current.layout().launchTarget());
		}
		if (changed != null && !changed.isEmpty()) {
			log.log(System.Logger.Level.WARNING, "Dropped the class-data archive {0}: {1}; a new one is trained once "
					+ "every worker is ready", current.archive(), changed);
			this.store.drop(current.key());
			this.attempted.remove(current.key());
			this.view = none("dropped: " + changed);
		}
		return contents.command();
	}

	/**
	 * Train an archive for the current snapshot when the cluster is settled and it has none.
	 * @param settled whether every worker is ready and none is starting or stopping
	 */
	synchronized void tick(boolean settled) {
		if (!settled || (this.trainer != null && this.trainer.isAlive())) {
			return;
		}
		Candidate current;
		try {
			current = candidate(this.snapshots.contents());
		}
		catch (IOException ex) {
			return;
		}
		if (current.reason() != null || this.attempted.contains(current.key())
				|| this.store.refusal(current.key()) != null
				|| this.store.checkReady(current.key(), current.archive()) == null) {
			return;
		}
		this.attempted.add(current.key());
		this.view = new CdsView("training", current.archive().toString(), "training run on " + current.key());
		this.trainer = new Thread(() -> train(current), "supervisor-cds-training");
		this.trainer.setDaemon(true);
		this.trainer.start();
	}

	/**
	 * A reload succeeded: no worker runs the previous version any more, so its archive is no longer kept, and is
	 * removed once the new version's archive is ready.
	 */
	synchronized void reloadSucceeded() {
		if (this.candidate != null && this.candidate.key() != null) {
			this.recent.retainAll(Set.of(this.candidate.key()));
			this.store.use(this.candidate.key(), this.recent);
		}
	}

	/** The master stops: end a training run, release the keys. */
	void close() {
		this.training.cancel();
		Thread running;
		synchronized (this) {
			running = this.trainer;
		}
		if (running != null) {
			try {
				running.join(15_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.store.close();
	}

	private void train(Candidate current) {
		long started = System.nanoTime();
		Path directory = this.store.keyDirectory(current.key());
		try (FileLock lock = this.store.lockTraining(current.key())) {
			if (this.store.checkReady(current.key(), current.archive()) == null) {
				finish(current, "trained by another master");
				return;
			}
			Files.createDirectories(directory);
			Path layout = directory.resolve(ArchiveStore.LAYOUT);
			if (!Files.isRegularFile(current.launchFile())) {
				ArchiveStore.deleteTree(layout);
				current.prepare().run(layout);
			}
			ArchiveTraining.Outcome outcome = this.training.train(current.layout(), current.archive(),
					directory.resolve("training.log"));
			switch (outcome.result()) {
				case READY -> {
					this.store.markReady(current.key(), current.archive());
					finish(current, String.format(Locale.ROOT, "trained in %.1f s",
							(System.nanoTime() - started) / 1e9));
				}
				case REFUSED -> {
					this.store.markRefused(current.key(), outcome.detail());
					this.view = new CdsView("refused", "", outcome.detail());
					log.log(System.Logger.Level.WARNING, "Workers start without a class-data archive: {0}",
							outcome.detail());
				}
				case FAILED -> failed(outcome.detail());
				case CANCELLED -> {
					// the master is stopping: nothing is wrong, and the next launch trains again
					this.view = none(outcome.detail());
					log.log(System.Logger.Level.DEBUG, "Class-data training run ended: {0}", outcome.detail());
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			failed("cannot train: " + ex.getMessage());
		}
	}

	private void finish(Candidate current, String how) {
		long size = 0;
		try {
			size = Files.readAttributes(current.archive(), BasicFileAttributes.class).size();
		}
		catch (IOException ex) {
			// the size is for the log line only
		}
		Set<String> keep;
		synchronized (this) {
			keep = new HashSet<>(this.recent);
		}
		keep.add(current.key());
		// the other versions' archives go first, so that whoever sees this one ready sees them gone
		int removed = this.store.removeUnused(this.name, keep);
		if (removed > 0) {
			log.log(System.Logger.Level.INFO, "Removed {0} class-data archive{1} of other versions of the app",
					String.valueOf(removed), (removed == 1) ? "" : "s");
		}
		this.view = new CdsView("ready", current.archive().toString(), this.format.label() + " of " + current.key()
				+ ", " + how + ": workers start with it");
		log.log(System.Logger.Level.INFO, "Class-data archive ready ({0}, {1} MB, {2}): every worker started from "
				+ "now on starts with it", current.archive(), String.valueOf(size / (1024 * 1024)), how);
	}

	private void failed(String detail) {
		if (this.view.state().equals("training")) {
			this.view = none(detail);
		}
		log.log(System.Logger.Level.WARNING, "No class-data archive: {0}; workers start without one", detail);
	}

	/**
	 * The candidate archive of a snapshot, the last one again while the snapshot is the same: the contents are
	 * built afresh on every call, so they are compared by value (building a candidate reads the jar).
	 */
	private Candidate candidate(ClassPathSnapshots.Contents contents) {
		if (this.candidate != null && this.candidate.contents().equals(contents)) {
			return this.candidate;
		}
		Candidate next = Candidate.of(this, contents);
		this.candidate = next;
		if (next.key() != null) {
			this.recent.remove(next.key());
			this.recent.add(next.key());
			while (this.recent.size() > 2) {
				this.recent.remove(this.recent.iterator().next());
			}
			this.store.use(next.key(), this.recent);
		}
		return next;
	}

	private List<String> withUse(Candidate current) {
		List<String> options = new ArrayList<>(current.layout().jvmOptions());
		options.add(this.format.use(current.archive()));
		return options;
	}

	private static CdsView none(String detail) {
		return new CdsView("none", "", detail);
	}

	/** The JVM as the archive records it: an update in place changes its libjvm. */
	private static String jvmIdentity() {
		Path home = Path.of(System.getProperty("java.home"));
		String libjvm = "";
		try {
			BasicFileAttributes attributes = Files.readAttributes(home.resolve("lib/server/libjvm.so"),
					BasicFileAttributes.class);
			libjvm = attributes.size() + " " + attributes.lastModifiedTime().toMillis();
		}
		catch (IOException ex) {
			// a JVM without a server libjvm: its version still tells
		}
		return String.join(" ", System.getProperty("java.vm.vendor", ""), System.getProperty("java.vm.version", ""),
				home.toString(), libjvm);
	}

	/** Lays out a key's files, once, in a directory that does not exist yet. */
	@FunctionalInterface
	private interface Preparation {

		void run(Path layout) throws IOException;

	}

	/**
	 * What an archive of one snapshot would be.
	 *
	 * @param contents the snapshot
	 * @param key the archive's key, {@code null} when it can have none
	 * @param reason why it can have none, {@code null} when it can
	 * @param layout the workers' command on the archive's layout
	 * @param launchFile the file of the layout the command launches, present once the layout is made
	 * @param archive the archive's file
	 * @param prepare how the layout is made
	 */
	private record Candidate(ClassPathSnapshots.Contents contents, String key, String reason, WorkerCommand layout,
			Path launchFile, Path archive, Preparation prepare) {

		static Candidate of(ClassDataSharing sharing, ClassPathSnapshots.Contents contents) {
			String reason = sharing.unfit;
			WorkerCommand command = contents.command();
			String own = ArchiveFormat.ownSharing(command.jvmOptions());
			if (reason == null && own != null) {
				reason = "the JVM options choose their own class data sharing (" + own + ")";
			}
			if (reason == null && contents.classPathDirectories()) {
				reason = "the class path has directories, whose classes no archive can hold; run a jar";
			}
			if (reason == null && command.launchTarget().contains("org.springframework.boot.loader.launch.PropertiesLauncher")) {
				reason = "PropertiesLauncher loads the app with a class loader of its own, whose classes no archive "
						+ "can hold; run the extracted layout or a fat jar";
			}
			Path jar = command.jar();
			Boolean extractable = null;
			if (reason == null && jar != null) {
				try {
					extractable = ArchiveTraining.extractable(jar);
				}
				catch (IOException ex) {
					reason = "cannot read " + jar + ": " + ex.getMessage();
				}
				if (Boolean.FALSE.equals(extractable)) {
					reason = "the jar has no spring-boot-jarmode-tools to extract it with (built with includeTools "
							+ "false)";
				}
			}
			if (reason != null) {
				return new Candidate(contents, null, reason, null, null, null, null);
			}
			String key = ArchiveStore.key(sharing.name, jvmIdentity(), command.jvmOptions(), command.launchTarget(),
					contents.files());
			Path directory = sharing.store.keyDirectory(key);
			Path layout = directory.resolve(ArchiveStore.LAYOUT);
			Path archive = directory.resolve(sharing.format.fileName());
			if (extractable != null) {
				Path extracted = layout.resolve(jar.getFileName());
				WorkerCommand onLayout = command.withLaunch(command.jvmOptions(), List.of("-jar", extracted.toString()));
				return new Candidate(contents, key, null, onLayout, extracted, archive,
						(target) -> sharing.training.extract(command.javaExecutable(), jar, target,
								directory.resolve("extract.log")));
			}
			return mirrored(sharing, contents, key, layout, archive);
		}

		private static Candidate mirrored(ClassDataSharing sharing, ClassPathSnapshots.Contents contents, String key,
				Path layout, Path archive) {
			WorkerCommand onLayout = sharing.snapshots.relocated(layout);
			Path first = contents.files().keySet().iterator().next();
			Path launchFile = (onLayout.jar() != null) ? onLayout.jar() : ClassPathSnapshots.mirror(layout, first);
			return new Candidate(contents, key, null, onLayout, launchFile, archive,
					(root) -> sharing.snapshots.mirror(contents, root));
		}

	}

}
