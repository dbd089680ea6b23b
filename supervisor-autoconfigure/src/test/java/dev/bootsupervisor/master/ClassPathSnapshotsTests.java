package dev.bootsupervisor.master;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import dev.bootsupervisor.base.WorkerCommand;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Tests for {@link ClassPathSnapshots} and {@link LaunchClassPath}.
 */
class ClassPathSnapshotsTests {

	@TempDir
	Path temp;

	@Test
	void extractedLayoutSnapshotsTheJarAndTheLibrariesItsManifestNames() throws IOException {
		Path app = this.temp.resolve("app");
		jar(app.resolve("lib/a.jar"), "a", "1", null);
		jar(app.resolve("lib/b.jar"), "b", "1", null);
		jar(app.resolve("lib/unlisted.jar"), "u", "1", null);
		jar(app.resolve("app.jar"), "app", "1", "lib/a.jar lib/b.jar lib/missing.jar");
		ClassPathSnapshots snapshots = snapshots(List.of("-jar", app.resolve("app.jar").toString()), List.of());
		WorkerCommand first = snapshots.current();
		Path root = root(first.launchTarget().get(1), app.resolve("app.jar"));
		assertThat(first.launchTarget().get(0)).isEqualTo("-jar");
		assertThat(read(mirror(root, app.resolve("lib/a.jar")))).isEqualTo("1");
		assertThat(mirror(root, app.resolve("lib/unlisted.jar"))).doesNotExist();
		jar(app.resolve("lib/b.jar"), "b", "2", null);
		snapshots.beginReload();
		WorkerCommand second = snapshots.current();
		Path next = root(second.launchTarget().get(1), app.resolve("app.jar"));
		assertThat(next).isNotEqualTo(root);
		assertThat(read(mirror(next, app.resolve("lib/b.jar")))).isEqualTo("2");
		assertThat(read(mirror(root, app.resolve("lib/b.jar")))).as("a running worker's library").isEqualTo("1");
		assertThat(Files.isSameFile(mirror(root, app.resolve("lib/a.jar")), mirror(next, app.resolve("lib/a.jar"))))
			.as("an unchanged library is stored once")
			.isTrue();
		snapshots.endReload(false);
		assertThat(snapshots.current()).isEqualTo(first);
		assertThat(next).doesNotExist();
		snapshots.deleteAll();
		assertThat(this.temp.resolve("run")).doesNotExist();
	}

	@Test
	void theContentsOfASnapshotAreReadOnce() throws IOException {
		Path jar = this.temp.resolve("app.jar");
		jar(jar, "app", "1", null);
		ClassPathSnapshots snapshots = snapshots(List.of("-jar", jar.toString()), List.of());
		ClassPathSnapshots.Contents first = snapshots.contents();
		// the master asks on every tick: the jar is not read again while the snapshot is the same
		Files.delete(jar);
		assertThat(snapshots.contents()).isSameAs(first);
	}

	@Test
	void reloadWithNothingChangedKeepsTheSnapshot() throws IOException {
		Path jar = this.temp.resolve("app.jar");
		jar(jar, "app", "1", null);
		ClassPathSnapshots snapshots = snapshots(List.of("-jar", jar.toString()), List.of());
		WorkerCommand first = snapshots.current();
		snapshots.beginReload();
		assertThat(snapshots.current()).isSameAs(first);
		snapshots.endReload(true);
		assertThat(Path.of(first.launchTarget().get(1))).exists();
	}

	@Test
	void aReloadOntoATruncatedJarIsRefusedAndWorkersKeepTheirSnapshot() throws IOException {
		Path jar = this.temp.resolve("app.jar");
		jar(jar, "app", "1", null);
		ClassPathSnapshots snapshots = snapshots(List.of("-jar", jar.toString()), List.of());
		WorkerCommand first = snapshots.current();
		jar(jar, "app", "2".repeat(10_000), null);
		byte[] whole = Files.readAllBytes(jar);
		Files.write(jar, Arrays.copyOf(whole, whole.length / 2));
		assertThatIOException().isThrownBy(snapshots::beginReload)
			.withMessageContaining("the app's jar " + jar + " is an invalid or corrupt jarfile")
			.withMessageContaining("then reload");
		assertThat(snapshots.current()).isSameAs(first);
		assertThat(read(Path.of(first.launchTarget().get(1)))).isEqualTo("1");
	}

	@Test
	void aFatJarCutShortAfterANestedJarIsRefusedAsCutShortNotAsLackingItsMainClass() throws IOException {
		Path jar = this.temp.resolve("app.jar");
		jar(jar, "app", "1", null);
		ClassPathSnapshots snapshots = snapshots(List.of("-jar", jar.toString()), List.of());
		snapshots.current();
		// a nested library, stored as Spring Boot stores them, then more entries: cut right after the library, the
		// file's last end-of-directory record is the library's, and a zip reader opens the library instead
		java.io.ByteArrayOutputStream library = new java.io.ByteArrayOutputStream();
		try (JarOutputStream out = new JarOutputStream(library)) {
			out.putNextEntry(new JarEntry("lib.txt"));
			out.write("library".getBytes(java.nio.charset.StandardCharsets.UTF_8));
			out.closeEntry();
		}
		byte[] nested = library.toByteArray();
		java.util.jar.Manifest manifest = new java.util.jar.Manifest();
		manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, "com.example.Main");
		try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
			JarEntry entry = new JarEntry("BOOT-INF/lib/lib.jar");
			entry.setMethod(JarEntry.STORED);
			entry.setSize(nested.length);
			entry.setCompressedSize(nested.length);
			java.util.zip.CRC32 crc = new java.util.zip.CRC32();
			crc.update(nested);
			entry.setCrc(crc.getValue());
			out.putNextEntry(entry);
			out.write(nested);
			out.closeEntry();
			out.putNextEntry(new JarEntry("BOOT-INF/classes/app.txt"));
			out.write("2".repeat(10_000).getBytes(java.nio.charset.StandardCharsets.UTF_8));
			out.closeEntry();
		}
		byte[] whole = Files.readAllBytes(jar);
		int end = indexOf(whole, nested) + nested.length;
		Files.write(jar, Arrays.copyOf(whole, end + 10));
		assertThat(LaunchClassPath.endsWithItsDirectory(jar)).isFalse();
		assertThatIOException().isThrownBy(snapshots::beginReload)
			.withMessageContaining("the app's jar " + jar + " is an invalid or corrupt jarfile");
		Files.write(jar, whole);
		assertThat(LaunchClassPath.endsWithItsDirectory(jar)).isTrue();
	}

	private static int indexOf(byte[] data, byte[] part) {
		for (int i = 0; i + part.length <= data.length; i++) {
			if (Arrays.equals(data, i, i + part.length, part, 0, part.length)) {
				return i;
			}
		}
		throw new AssertionError("not found");
	}

	@Test
	void aReloadOntoAJarWithoutMainClassIsRefused() throws IOException {
		Path jar = this.temp.resolve("app.jar");
		jar(jar, "app", "1", null);
		ClassPathSnapshots snapshots = snapshots(List.of("-jar", jar.toString()), List.of());
		WorkerCommand first = snapshots.current();
		try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
			out.putNextEntry(new JarEntry("app.txt"));
			out.closeEntry();
		}
		assertThatIOException().isThrownBy(snapshots::beginReload)
			.withMessageContaining("the app's jar " + jar + " has no Main-Class in its manifest");
		assertThat(snapshots.current()).isSameAs(first);
	}

	@Test
	void classPathWildcardIsExpandedAgainAtAReloadAndDirectoriesAreCopiedWhole() throws IOException {
		Path app = this.temp.resolve("app");
		jar(app.resolve("libs/marker-1.jar"), "m", "1", null);
		Files.createDirectories(app.resolve("classes/com/example"));
		Files.writeString(app.resolve("classes/com/example/Main.class"), "v1");
		String classPath = app.resolve("classes") + ":" + app.resolve("libs") + "/*";
		ClassPathSnapshots snapshots = snapshots(List.of("-cp", classPath, "com.example.Main"), List.of());
		WorkerCommand first = snapshots.current();
		String[] entries = first.launchTarget().get(1).split(":");
		Path root = root(entries[0], app.resolve("classes"));
		assertThat(entries[1]).isEqualTo(mirror(root, app.resolve("libs")) + "/*");
		assertThat(first.launchTarget().get(2)).isEqualTo("com.example.Main");
		assertThat(Files.readString(mirror(root, app.resolve("classes/com/example/Main.class")))).isEqualTo("v1");
		Files.delete(app.resolve("libs/marker-1.jar"));
		jar(app.resolve("libs/marker-2.jar"), "m", "2", null);
		Files.writeString(app.resolve("classes/com/example/Main.class"), "v2");
		snapshots.beginReload();
		Path next = root(snapshots.current().launchTarget().get(1).split(":")[0], app.resolve("classes"));
		assertThat(mirror(next, app.resolve("libs/marker-1.jar"))).doesNotExist();
		assertThat(read(mirror(next, app.resolve("libs/marker-2.jar")))).isEqualTo("2");
		assertThat(Files.readString(mirror(next, app.resolve("classes/com/example/Main.class")))).isEqualTo("v2");
		snapshots.endReload(true);
		assertThat(root).doesNotExist();
	}

	@Test
	void loaderPathEntriesAreResolvedAgainstTheHomeAndRewritten() throws IOException {
		Path jar = this.temp.resolve("app.jar");
		jar(jar, "app", "1", null);
		jar(this.temp.resolve("lib/extra.jar"), "x", "1", null);
		ClassPathSnapshots snapshots = snapshots(
				List.of("-cp", jar.toString(), "org.springframework.boot.loader.launch.PropertiesLauncher"),
				List.of("-Xmx64m", "-Dloader.home=" + this.temp, "-Dloader.path=lib,BOOT-INF/more"));
		WorkerCommand first = snapshots.current();
		Path root = root(first.launchTarget().get(1), jar);
		assertThat(first.jvmOptions()).containsExactly("-Xmx64m", "-Dloader.home=" + this.temp,
				"-Dloader.path=" + mirror(root, this.temp.resolve("lib")) + ",BOOT-INF/more");
		assertThat(read(mirror(root, this.temp.resolve("lib/extra.jar")))).isEqualTo("1");
	}

	@Test
	void loaderPathFromTheEnvironmentBecomesAnOptionOfTheWorkers() throws IOException {
		Path jar = this.temp.resolve("app.jar");
		jar(jar, "app", "1", null);
		Files.createDirectories(this.temp.resolve("lib"));
		LaunchClassPath classPath = new LaunchClassPath(command(List.of("-cp", jar.toString(), "Launcher"), List.of()),
				Map.of("LOADER_PATH", this.temp.resolve("lib").toString()));
		assertThat(classPath.relocate(Path.of("/snap")).jvmOptions())
			.containsExactly("-Dloader.path=/snap" + this.temp.resolve("lib"));
	}

	private ClassPathSnapshots snapshots(List<String> target, List<String> options) {
		return new ClassPathSnapshots(command(target, options), Map.of(), this.temp.resolve("run"));
	}

	private static WorkerCommand command(List<String> target, List<String> options) {
		return new WorkerCommand("java", options, target, List.of(), "app");
	}

	/** The snapshot root under which {@code relocated} mirrors {@code original}. */
	private static Path root(String relocated, Path original) {
		assertThat(relocated).endsWith(original.toString());
		return Path.of(relocated.substring(0, relocated.length() - original.toString().length()));
	}

	private static Path mirror(Path root, Path original) {
		return ClassPathSnapshots.mirror(root, original);
	}

	private static void jar(Path path, String name, String version, String classPath) throws IOException {
		Files.createDirectories(path.getParent());
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "com.example.App");
		if (classPath != null) {
			manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
		}
		try (OutputStream file = Files.newOutputStream(path); JarOutputStream out = new JarOutputStream(file, manifest)) {
			out.putNextEntry(new JarEntry(name + ".txt"));
			out.write(version.getBytes(StandardCharsets.UTF_8));
			out.closeEntry();
		}
	}

	private static String read(Path jar) throws IOException {
		try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
			JarEntry entry = file.stream().filter((e) -> e.getName().endsWith(".txt")).findFirst().orElseThrow();
			return new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
