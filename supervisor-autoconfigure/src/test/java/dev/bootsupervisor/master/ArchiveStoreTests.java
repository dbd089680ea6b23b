package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ArchiveStore}: keys, the ready check, and which archives are cleaned up.
 */
class ArchiveStoreTests {

	private static final Map<Path, String> FILES = Map.of(Path.of("/srv/app.jar"), "aa11", Path.of("/srv/lib/x.jar"),
			"bb22");

	private static final String CURRENT = "app-00000000000000c1";

	private static final String PREVIOUS = "app-00000000000000b1";

	private static final String OTHER_MASTER = "app-00000000000000a1";

	private static final String OLD = "app-0000000000000011";

	private static final String NEWEST = "app-00000000000000d1";

	@TempDir
	Path temp;

	@Test
	void keyChangesWithTheContentTheJvmAndTheOptionsOnly() {
		String key = key("jvm 17", List.of("-Xmx256m"), FILES);
		assertThat(key).startsWith("my_app-").hasSize("my_app-".length() + 16);
		assertThat(key("jvm 17", List.of("-Xmx256m"), Map.of(Path.of("/srv/lib/x.jar"), "bb22",
				Path.of("/srv/app.jar"), "aa11"))).isEqualTo(key);
		assertThat(key("jvm 17", List.of("-Xmx256m"), Map.of(Path.of("/srv/app.jar"), "cc33",
				Path.of("/srv/lib/x.jar"), "bb22"))).isNotEqualTo(key);
		assertThat(key("jvm 17.0.16", List.of("-Xmx256m"), FILES)).isNotEqualTo(key);
		assertThat(key("jvm 17", List.of("-Xmx512m"), FILES)).isNotEqualTo(key);
	}

	@Test
	void anArchiveIsReadyUntilAFileOfItsLayoutChanges() throws IOException {
		ArchiveStore store = new ArchiveStore(this.temp.resolve("cds"));
		assertThat(store.prepare()).isNull();
		Path layout = Files.createDirectories(store.keyDirectory("k").resolve(ArchiveStore.LAYOUT).resolve("lib"));
		Path jar = Files.writeString(layout.resolve("x.jar"), "jar");
		Path archive = Files.writeString(store.keyDirectory("k").resolve("app.jsa"), "archive");
		assertThat(store.checkReady("k", archive)).isEmpty();
		store.markReady("k", archive);
		assertThat(store.checkReady("k", archive)).isNull();
		Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 5000));
		assertThat(store.checkReady("k", archive)).isEqualTo("changed since it was trained: layout/lib/x.jar");
	}

	@Test
	void aDirectoryOthersCanWriteIsRefused() throws IOException {
		Path shared = Files.createDirectory(this.temp.resolve("shared"));
		Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
		assertThat(new ArchiveStore(shared).prepare()).contains("writable by others");
		ArchiveStore own = new ArchiveStore(this.temp.resolve("own/cds"));
		assertThat(own.prepare()).isNull();
		assertThat(Files.getPosixFilePermissions(this.temp.resolve("own/cds")))
			.isEqualTo(PosixFilePermissions.fromString("rwx------"));
	}

	@Test
	void cleanupKeepsTheKeysInUseHereOrElsewhere() throws IOException {
		ArchiveStore store = new ArchiveStore(this.temp.resolve("cds"));
		store.prepare();
		for (String key : List.of(CURRENT, PREVIOUS, OTHER_MASTER, OLD)) {
			Files.createDirectories(store.keyDirectory(key).resolve(ArchiveStore.LAYOUT));
		}
		store.use(PREVIOUS, Set.of());
		store.use(CURRENT, Set.of(PREVIOUS));
		// a shared lock held on a channel of its own, as another master holds one
		try (FileChannel channel = FileChannel.open(store.directory().resolve(OTHER_MASTER + ".use"),
				StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
				FileLock lock = channel.lock(0, Long.MAX_VALUE, true)) {
			assertThat(store.removeUnused("app", Set.of())).isEqualTo(1);
		}
		assertThat(store.keyDirectory(OLD)).doesNotExist();
		assertThat(store.keyDirectory(CURRENT)).isDirectory();
		assertThat(store.keyDirectory(PREVIOUS)).isDirectory();
		assertThat(store.keyDirectory(OTHER_MASTER)).isDirectory();
		store.use(NEWEST, Set.of(CURRENT));
		store.close();
		assertThat(store.removeUnused("app", Set.of(NEWEST))).isEqualTo(3);
	}

	@Test
	void cleanupLeavesOtherAppsArchivesInASharedDirectory() throws IOException {
		ArchiveStore store = new ArchiveStore(this.temp.resolve("cds"));
		store.prepare();
		for (String key : List.of(CURRENT, OLD, "app-store-0123456789abcdef", "orders-0123456789abcdef", "notes")) {
			Files.createDirectories(store.keyDirectory(key).resolve(ArchiveStore.LAYOUT));
		}
		assertThat(store.removeUnused("app", Set.of(CURRENT))).isEqualTo(1);
		assertThat(store.keyDirectory(OLD)).doesNotExist();
		assertThat(store.keyDirectory(CURRENT)).isDirectory();
		assertThat(store.keyDirectory("app-store-0123456789abcdef")).as("the app named app-store").isDirectory();
		assertThat(store.keyDirectory("orders-0123456789abcdef")).isDirectory();
		assertThat(store.keyDirectory("notes")).as("not a key").isDirectory();
	}

	@Test
	void archivesNoMasterUsedForTheRetentionAreRemovedWhateverTheirApp() throws IOException {
		ArchiveStore store = new ArchiveStore(this.temp.resolve("cds"));
		store.prepare();
		Instant now = Instant.now();
		FileTime stale = FileTime.from(now.minus(ArchiveStore.RETENTION).minusSeconds(60));
		FileTime recent = FileTime.from(now.minus(ArchiveStore.RETENTION).plusSeconds(60));
		for (String key : List.of(CURRENT, OLD, "orders-0123456789abcdef", "notes-0123456789abcdef", "mine")) {
			Files.createDirectories(store.keyDirectory(key).resolve(ArchiveStore.LAYOUT));
		}
		store.use(CURRENT, Set.of());
		Files.setLastModifiedTime(store.directory().resolve(CURRENT + ".use"), stale);
		Files.setLastModifiedTime(Files.writeString(store.directory().resolve(OLD + ".use"), ""), stale);
		Files.setLastModifiedTime(Files.writeString(store.directory().resolve("orders-0123456789abcdef.use"), ""),
				stale);
		Files.setLastModifiedTime(Files.writeString(store.directory().resolve("notes-0123456789abcdef.use"), ""),
				recent);
		Files.setLastModifiedTime(store.keyDirectory("mine"), stale);
		assertThat(store.removeStale(now)).isEqualTo(2);
		assertThat(store.keyDirectory(OLD)).doesNotExist();
		assertThat(store.directory().resolve(OLD + ".use")).doesNotExist();
		assertThat(store.keyDirectory("orders-0123456789abcdef")).as("another app, not run for long").doesNotExist();
		assertThat(store.keyDirectory(CURRENT)).as("held by this master").isDirectory();
		assertThat(store.keyDirectory("notes-0123456789abcdef")).as("used lately").isDirectory();
		assertThat(store.keyDirectory("mine")).as("not a key").isDirectory();
		store.close();
	}

	@Test
	void theStaleArchivesOfOtherAppNamesDefaultDirectoriesAreRemovedToo() throws IOException {
		Path base = this.temp.resolve("base");
		ArchiveStore own = new ArchiveStore(base.resolve("shop/cds"));
		own.prepare();
		ArchiveStore gone = new ArchiveStore(base.resolve("trial-7/cds"));
		gone.prepare();
		ArchiveStore shared = new ArchiveStore(base.resolve("open/cds"));
		shared.prepare();
		Instant now = Instant.now();
		FileTime stale = FileTime.from(now.minus(ArchiveStore.RETENTION).minusSeconds(60));
		for (ArchiveStore store : List.of(own, gone, shared)) {
			Files.createDirectories(store.keyDirectory("app-0123456789abcdef").resolve(ArchiveStore.LAYOUT));
			Files.setLastModifiedTime(Files.writeString(store.directory().resolve("app-0123456789abcdef.use"), ""),
					stale);
		}
		Files.createDirectories(gone.keyDirectory("app-fedcba9876543210").resolve(ArchiveStore.LAYOUT));
		Files.setPosixFilePermissions(shared.directory(), PosixFilePermissions.fromString("rwxrwxrwx"));
		Files.createDirectories(base.resolve("no-archives"));

		assertThat(ArchiveStore.removeStaleElsewhere(own.directory(), base, now)).isEqualTo(1);
		assertThat(gone.keyDirectory("app-0123456789abcdef")).as("an app name not run for long").doesNotExist();
		assertThat(gone.keyDirectory("app-fedcba9876543210")).as("a key of that name used lately").isDirectory();
		assertThat(own.keyDirectory("app-0123456789abcdef")).as("this master's own directory is its own to clean")
			.isDirectory();
		assertThat(shared.keyDirectory("app-0123456789abcdef")).as("a directory others can write").isDirectory();
		assertThat(ArchiveStore.removeStaleElsewhere(own.directory(), this.temp.resolve("none"), now)).isZero();
	}

	@Test
	void takingAKeysLockRecordsTheTimeOfItsUse() throws IOException {
		ArchiveStore store = new ArchiveStore(this.temp.resolve("cds"));
		store.prepare();
		Path use = Files.writeString(store.directory().resolve(CURRENT + ".use"), "");
		Files.setLastModifiedTime(use, FileTime.fromMillis(0));
		store.use(CURRENT, Set.of());
		assertThat(Files.getLastModifiedTime(use).toInstant()).isAfter(Instant.now().minusSeconds(60));
		store.close();
	}

	private static String key(String jvm, List<String> options, Map<Path, String> files) {
		return ArchiveStore.key("my app", jvm, options, List.of("-jar", "/srv/app.jar"), files);
	}

}
