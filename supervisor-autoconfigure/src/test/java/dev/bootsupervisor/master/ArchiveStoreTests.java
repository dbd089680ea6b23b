package dev.bootsupervisor.master;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
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
		for (String key : List.of("current", "previous", "other-master", "old")) {
			Files.createDirectories(store.keyDirectory(key).resolve(ArchiveStore.LAYOUT));
		}
		store.use("previous", Set.of());
		store.use("current", Set.of("previous"));
		// a shared lock held on a channel of its own, as another master holds one
		try (FileChannel channel = FileChannel.open(store.directory().resolve("other-master.use"),
				StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
				FileLock lock = channel.lock(0, Long.MAX_VALUE, true)) {
			assertThat(store.removeUnused(Set.of())).isEqualTo(1);
		}
		assertThat(store.keyDirectory("old")).doesNotExist();
		assertThat(store.keyDirectory("current")).isDirectory();
		assertThat(store.keyDirectory("previous")).isDirectory();
		assertThat(store.keyDirectory("other-master")).isDirectory();
		store.use("newest", Set.of("current"));
		store.close();
		assertThat(store.removeUnused(Set.of("newest"))).isEqualTo(3);
	}

	private static String key(String jvm, List<String> options, Map<Path, String> files) {
		return ArchiveStore.key("my app", jvm, options, List.of("-jar", "/srv/app.jar"), files);
	}

}
