package dev.bootsupervisor.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LogsCommand}: the last lines, then the new ones, across a rotation and a truncation.
 */
class LogsCommandTests {

	@TempDir
	Path dir;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private final AtomicBoolean stopped = new AtomicBoolean();

	private CompletableFuture<Integer> running;

	@AfterEach
	void stop() {
		this.stopped.set(true);
	}

	@Test
	void printsTheLastLinesThenFollowsAcrossAMoveAndATruncation() throws Exception {
		Path log = this.dir.resolve("master-stdout.log");
		Files.writeString(log, "one\ntwo\nthree\nfour\n");
		follow(log, log, 2);
		await().atMost(Duration.ofSeconds(5)).until(() -> out().equals("three\nfour\n"));
		append(log, "five\n");
		await().atMost(Duration.ofSeconds(5)).until(() -> out().endsWith("four\nfive\n"));
		append(log, "six\n");
		Files.move(log, this.dir.resolve("master-stdout.log.1"));
		append(log, "seven\n");
		await().atMost(Duration.ofSeconds(5)).until(() -> out().endsWith("five\nsix\nseven\n"));
		assertThat(err()).contains(log + " was replaced (rotated)");
		// truncated and written again, shorter than before: what a copytruncate rotation does
		Files.writeString(log, "8\n");
		await().atMost(Duration.ofSeconds(5)).until(() -> out().endsWith("seven\n8\n"));
		assertThat(err()).contains(log + " was truncated");
		this.stopped.set(true);
		assertThat(this.running.get()).isZero();
	}

	@Test
	void lastLinesOfALongFileWithoutAFinalNewline() throws Exception {
		Path log = this.dir.resolve("out.log");
		StringBuilder text = new StringBuilder();
		for (int i = 1; i <= 5000; i++) {
			text.append("line ").append(i).append('\n');
		}
		Files.writeString(log, text + "partial");
		follow(log, log, 3);
		await().atMost(Duration.ofSeconds(5)).until(() -> out().equals("line 4999\nline 5000\npartial\n"));
	}

	@Test
	void twoFilesGetAHeaderEach() throws Exception {
		Path stdout = this.dir.resolve("out.log");
		Path stderr = this.dir.resolve("err.log");
		Files.writeString(stdout, "out\n");
		Files.writeString(stderr, "err\n");
		follow(stdout, stderr, 5);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> out().equals("==> " + stdout + " <==\nout\n\n==> " + stderr + " <==\nerr\n"));
	}

	@Test
	void noLogFileIsOneClearLineAndExitCodeOne() {
		Path missing = this.dir.resolve("missing.log");
		LogsCommand command = new LogsCommand("app", new DaemonStarter.DaemonSettings(missing, missing, 10), 50,
				new PrintStream(this.out, true), new PrintStream(this.err, true));
		assertThat(command.run(() -> true)).isEqualTo(1);
		assertThat(err()).startsWith("No log file for app: " + missing + " do not exist").contains("daemon");
		assertThat(err().lines()).hasSize(1);
	}

	private void follow(Path stdout, Path stderr, int lines) {
		LogsCommand command = new LogsCommand("app", new DaemonStarter.DaemonSettings(stdout, stderr, 10), lines,
				new PrintStream(this.out, true, StandardCharsets.UTF_8),
				new PrintStream(this.err, true, StandardCharsets.UTF_8));
		this.running = CompletableFuture.supplyAsync(() -> command.run(this.stopped::get));
	}

	private static void append(Path file, String text) throws IOException {
		Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
	}

	private String out() {
		synchronized (this.out) {
			return this.out.toString(StandardCharsets.UTF_8);
		}
	}

	private String err() {
		return this.err.toString(StandardCharsets.UTF_8);
	}

}
