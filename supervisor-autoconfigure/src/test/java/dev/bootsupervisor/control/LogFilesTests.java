package dev.bootsupervisor.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LogFiles}.
 */
class LogFilesTests {

	private static final LocalDateTime NOW = LocalDateTime.of(2026, 3, 4, 5, 6, 7);

	@TempDir
	Path dir;

	@Test
	void nothingToRotateWhenTheFileDoesNotExist() throws IOException {
		Path log = this.dir.resolve("logs/app/master-stdout.log");
		assertThat(LogFiles.rotate(log, 10, NOW)).isNull();
		assertThat(log.getParent()).isDirectory();
		assertThat(log).doesNotExist();
	}

	@Test
	void rotationRenamesWithATimestampSuffixAndKeepsTheContent() throws IOException {
		Path log = this.dir.resolve("master-stdout.log");
		Files.writeString(log, "line 1\nline 2\n");
		Path rotated = LogFiles.rotate(log, 10, NOW);
		assertThat(rotated).isEqualTo(this.dir.resolve("master-stdout.log.20260304.050607"));
		assertThat(rotated).hasContent("line 1\nline 2");
		assertThat(log).doesNotExist();
	}

	@Test
	void collisionGetsACounter() throws IOException {
		Path log = this.dir.resolve("master-stdout.log");
		Files.writeString(log, "first");
		LogFiles.rotate(log, 10, NOW);
		Files.writeString(log, "second");
		Path second = LogFiles.rotate(log, 10, NOW);
		Files.writeString(log, "third");
		Path third = LogFiles.rotate(log, 10, NOW);
		assertThat(second).isEqualTo(this.dir.resolve("master-stdout.log.20260304.050607.1"));
		assertThat(third).isEqualTo(this.dir.resolve("master-stdout.log.20260304.050607.2"));
		assertThat(this.dir.resolve("master-stdout.log.20260304.050607")).hasContent("first");
		assertThat(second).hasContent("second");
		assertThat(third).hasContent("third");
	}

	@Test
	void keepsOnlyTheNewestRotations() throws IOException {
		Path log = this.dir.resolve("master-stdout.log");
		List<Path> rotated = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			Files.writeString(log, "run " + i);
			rotated.add(LogFiles.rotate(log, 3, NOW.plusDays(i)));
		}
		Files.writeString(log, "run 5");
		rotated.add(LogFiles.rotate(log, 3, NOW.plusDays(4)));
		assertThat(LogFiles.rotations(log)).containsExactly(rotated.get(5), rotated.get(4), rotated.get(3));
		assertThat(rotated.get(5)).hasContent("run 5");
		assertThat(rotated.get(3)).hasContent("run 3");
	}

	@Test
	void orderIsByTimeNotByName() throws IOException {
		Path log = this.dir.resolve("out.log");
		Files.writeString(this.dir.resolve("out.log.20260304.050607.10"), "");
		Files.writeString(this.dir.resolve("out.log.20260304.050607.9"), "");
		Files.writeString(this.dir.resolve("out.log.20260304.050607"), "");
		Files.writeString(this.dir.resolve("out.log.20251231.235959"), "");
		Files.writeString(this.dir.resolve("out.log.20270101.000000"), "");
		assertThat(LogFiles.rotations(log)).extracting((p) -> p.getFileName().toString())
			.containsExactly("out.log.20270101.000000", "out.log.20260304.050607.10", "out.log.20260304.050607.9",
					"out.log.20260304.050607", "out.log.20251231.235959");
	}

	@Test
	void otherFilesAreNeverPruned() throws IOException {
		Path log = this.dir.resolve("master-stdout.log");
		Files.writeString(this.dir.resolve("master-stderr.log.20200101.000000"), "stderr");
		Files.writeString(this.dir.resolve("master-stdout.log.old"), "manual");
		Files.writeString(this.dir.resolve("master-stdout.log.20200101.000000.gz"), "compressed");
		Files.writeString(this.dir.resolve("other.txt"), "other");
		Files.writeString(log, "current");
		LogFiles.rotate(log, 1, NOW);
		try (Stream<Path> files = Files.list(this.dir)) {
			assertThat(files.map((p) -> p.getFileName().toString())).containsExactlyInAnyOrder(
					"master-stderr.log.20200101.000000", "master-stdout.log.old",
					"master-stdout.log.20200101.000000.gz", "other.txt", "master-stdout.log.20260304.050607");
		}
	}

	@Test
	void rotationNeverTruncates() throws IOException {
		Path log = this.dir.resolve("master-stdout.log");
		byte[] content = new byte[1024 * 1024];
		for (int i = 0; i < content.length; i++) {
			content[i] = (byte) ('a' + (i % 26));
		}
		Files.write(log, content);
		Path rotated = LogFiles.rotate(log, 2, NOW);
		assertThat(Files.readAllBytes(rotated)).isEqualTo(content);
	}

	@Test
	void tailReturnsTheLastLines() throws IOException {
		Path log = this.dir.resolve("app.log");
		Files.writeString(log, "one\ntwo\nthree\nfour\n");
		assertThat(LogFiles.tail(log, 2)).containsExactly("three", "four");
		assertThat(LogFiles.tail(log, 10)).containsExactly("one", "two", "three", "four");
		assertThat(LogFiles.tail(log, 0)).isEmpty();
	}

	@Test
	void tailOfAMissingFileIsEmpty() {
		assertThat(LogFiles.tail(this.dir.resolve("missing.log"), 5)).isEmpty();
	}

	@Test
	void tailOfALogWithInvalidUtf8StillShowsTheLastLines() throws IOException {
		// a worker or library may write Latin-1 or binary bytes; the startup error must still be shown
		Path log = this.dir.resolve("master-stderr.log");
		Files.write(log, "caf\u00e9 is Latin-1\nError: Port 8080 is already in use\n"
			.getBytes(StandardCharsets.ISO_8859_1));
		assertThat(LogFiles.tail(log, 1)).containsExactly("Error: Port 8080 is already in use");
	}

	@Test
	void aLogFileIsCreatedOwnerOnly() throws IOException {
		Path log = this.dir.resolve("master-stdout.log");
		LogFiles.createOwnerOnly(log);
		assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(log)))
			.isEqualTo("rw-------");
	}

	@Test
	void aLogDirectoryUnderAFileFailsWithTheSystemsReason() throws IOException {
		Path file = Files.writeString(this.dir.resolve("a-file"), "");
		IOException failure = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
				() -> LogFiles.rotate(file.resolve("logs/master-stdout.log"), 1, NOW));
		assertThat(LogFiles.reason(failure)).isEqualTo("Not a directory");
		IOException denied = new java.nio.file.AccessDeniedException("/x/master-stdout.log");
		assertThat(LogFiles.reason(denied)).isEqualTo("Permission denied");
	}

}
