package dev.bootsupervisor.master;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import dev.bootsupervisor.base.WorkerCommand;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ClassDataSharing}: what a settled master does on every tick.
 */
class ClassDataSharingTests {

	@TempDir
	Path temp;

	@Test
	void aSettledTickWithAWarmArchiveNeitherRebuildsTheCandidateNorReadsTheStore() throws IOException {
		Path jar = this.temp.resolve("app/app.jar");
		Files.createDirectories(jar.getParent());
		try (OutputStream file = Files.newOutputStream(jar);
				JarOutputStream out = new JarOutputStream(file, manifest())) {
			// an empty plain jar: its archive is trained on a mirror of the snapshot
		}
		ClassPathSnapshots snapshots = new ClassPathSnapshots(
				new WorkerCommand("java", List.of(), List.of("-jar", jar.toString()), List.of(), "app"), Map.of(),
				this.temp.resolve("run"));
		CountingStore store = new CountingStore(this.temp.resolve("cds"));
		ArchiveFormat format = ArchiveFormat.of(Runtime.version().feature());
		ClassDataSharing sharing = new ClassDataSharing("app", store,
				new ArchiveTraining(format, Duration.ofSeconds(1), new HashSet<>()), snapshots);
		sharing.launch();
		// an archive trained by an earlier launch: the layout, the archive and its ready file
		Path key;
		try (Stream<Path> entries = Files.list(store.directory())) {
			// the key this master holds a use lock on
			String use = entries.map((entry) -> entry.getFileName().toString())
				.filter((name) -> name.endsWith(".use"))
				.findFirst()
				.orElseThrow();
			key = store.keyDirectory(use.substring(0, use.length() - ".use".length()));
		}
		Path layout = key.resolve(ArchiveStore.LAYOUT);
		Path mirrored = ClassPathSnapshots.mirror(layout, jar);
		Files.createDirectories(mirrored.getParent());
		Files.copy(jar, mirrored);
		Path archive = Files.writeString(key.resolve(format.fileName()), "archive");
		store.markReady(key.getFileName().toString(), archive);
		assertThat(sharing.launch().jvmOptions()).contains(format.use(archive));
		assertThat(sharing.view().state()).isEqualTo("ready");
		store.calls.set(0);
		for (int tick = 0; tick < 20; tick++) {
			sharing.tick(true);
		}
		assertThat(store.calls).as("store calls in 20 settled ticks").hasValue(0);
		assertThat(sharing.view().state()).isEqualTo("ready");
		sharing.close();
	}

	private static Manifest manifest() {
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		return manifest;
	}

	/** Counts the reads of the store and the candidates built (each one resolves its key directory). */
	private static final class CountingStore extends ArchiveStore {

		private final AtomicInteger calls = new AtomicInteger();

		CountingStore(Path directory) {
			super(directory);
		}

		@Override
		Path keyDirectory(String key) {
			this.calls.incrementAndGet();
			return super.keyDirectory(key);
		}

		@Override
		synchronized void use(String key, Set<String> keep) {
			this.calls.incrementAndGet();
			super.use(key, keep);
		}

		@Override
		String refusal(String key) {
			this.calls.incrementAndGet();
			return super.refusal(key);
		}

		@Override
		String checkReady(String key, Path archive) {
			this.calls.incrementAndGet();
			return super.checkReady(key, archive);
		}

	}

}
