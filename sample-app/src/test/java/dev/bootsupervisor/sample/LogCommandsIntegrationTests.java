package dev.bootsupervisor.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.bootsupervisor.sample.SupervisedProcess.CommandResult;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Process-level tests of {@code logs} and {@code reopen-logs} on a daemon of one worker: its log file is moved
 * away as {@code logrotate} does, the daemon reopens it (the master and the worker that inherited its output) on
 * the command and on SIGUSR1, and {@code logs} follows across the rotation.
 */
@Order(16)
class LogCommandsIntegrationTests {

	private static final Pattern MASTER_PID = Pattern.compile("master pid (\\d+)");

	@RegisterExtension
	final ProcessFixture fixture = new ProcessFixture();

	@TempDir
	Path tmp;

	@Test
	void reopenLogsMovesMasterAndWorkerOutputToTheNewFileAndLogsFollowsAcrossTheRotation() throws Exception {
		Path logDir = this.fixture.keepAfterTest(this.tmp.resolve("logs"));
		int port = ProcessFixture.freePort();
		String[] app = { "--server.port=" + port, "--supervisor.workers=1",
				"--supervisor.run-dir=" + this.tmp.resolve("run"), "--supervisor.log-dir=" + logDir };
		CommandResult start = this.fixture.command(with(app, "--supervisor.daemon=true"));
		assertThat(start.exitCode()).as("daemon start\n%s", start).isZero();
		Matcher pid = MASTER_PID.matcher(start.stdout());
		assertThat(pid.find()).isTrue();
		long master = start.adopt(Long.parseLong(pid.group(1))).pid();
		Path log = logDir.resolve("master-stdout.log");
		long worker = workerPid(Files.readString(log));
		// a quiet master from here on: its class-data training run, once the cluster is ready, ends with a log line
		await("the class-data archive").atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> Files.readString(log).contains("Class-data archive ready"));

		// the daemon's files are owner-only from the start, as reopen-logs creates them: logs can hold secrets
		assertThat(permissions(log)).isEqualTo("rw-------");
		assertThat(permissions(logDir.resolve("master-stderr.log"))).isEqualTo("rw-------");

		List<String> before = Files.readAllLines(log);
		// without the start's log directory: the running master says where its files are
		SupervisedProcess asked = this.fixture.startCommand("--supervisor.run-dir=" + this.tmp.resolve("run"),
				"--supervisor.command=logs", "--supervisor.lines=3");
		await("the master's log lines, found through the master").atMost(Duration.ofSeconds(60))
			.until(() -> asked.output().contains(before.get(before.size() - 1))
					|| !SupervisedProcess.isAlive(asked.pid()));
		if (SupervisedProcess.isAlive(asked.pid())) {
			SupervisedProcess.signal(asked.pid(), "TERM");
		}
		CommandResult askedResult = asked.finish(Duration.ofSeconds(30));
		assertThat(askedResult.exitCode()).as("logs without the log directory\n%s", askedResult).isZero();
		assertThat(askedResult.stdout()).contains("==> " + log + " <==").contains(before.get(before.size() - 1));

		SupervisedProcess logs = this.fixture.startCommand(with(app, "--supervisor.command=logs",
				"--supervisor.lines=3"));
		await("the last 3 lines").atMost(Duration.ofSeconds(60))
			.until(() -> logs.output().contains(before.get(before.size() - 1)));
		assertThat(logs.output()).contains(String.join("\n", before.subList(before.size() - 3, before.size())))
			.doesNotContain(before.get(before.size() - 4));

		Path moved = logDir.resolve("master-stdout.log.1");
		Files.move(log, moved);
		String movedContent = Files.readString(moved);
		CommandResult reopen = this.fixture.command(with(app, "--supervisor.command=reopen-logs"));
		assertThat(reopen.exitCode()).as("reopen-logs\n%s", reopen).isZero();
		assertThat(reopen.stdout()).contains("Reopened the log files of sample-app (pid " + master + ")")
			.contains("told 1 of 1 workers");
		// the first request logs on the worker, which inherited the master's output and was told to reopen it
		assertThat(SupervisedProcess.get(port, "/").pid()).isEqualTo(worker);
		await("the worker's lines in the new file").atMost(Duration.ofSeconds(10))
			.until(() -> Files.readString(log).contains("Initializing Servlet 'dispatcherServlet'"));
		String fresh = Files.readString(log);
		assertThat(fresh).contains("[master]").contains("reopen-logs command: reopened " + log)
			.contains("Worker 1 (pid " + worker + "): reopened its log files")
			.containsPattern(" " + worker + " --- .*\\[worker-1\\].*Initializing Servlet 'dispatcherServlet'");
		assertThat(Files.readString(moved)).as("the moved file keeps its content and gets nothing more")
			.isEqualTo(movedContent);
		assertThat(permissions(log)).isEqualTo("rw-------");
		await("logs shows lines written after the rotation").atMost(Duration.ofSeconds(10))
			.until(() -> logs.output().contains("reopen-logs command: reopened")
					&& logs.output().contains("Initializing Servlet 'dispatcherServlet'"));

		// SIGUSR1 does the same, as Gunicorn's does
		Path second = logDir.resolve("master-stdout.log.2");
		Files.move(log, second);
		SupervisedProcess.signal(master, "USR1");
		await("SIGUSR1 reopens").atMost(Duration.ofSeconds(10))
			.until(() -> Files.exists(log) && Files.readString(log).contains("SIGUSR1: reopened"));
		await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("reopened its log files"));

		SupervisedProcess.signal(logs.pid(), "TERM");
		CommandResult followed = logs.finish(Duration.ofSeconds(30));
		assertThat(followed.exitCode()).as("logs ended by TERM\n%s", followed).isZero();
		assertThat(followed.stderr()).contains(log + " was replaced (rotated); following the new file");
		assertThat(followed.stdout()).contains("SIGUSR1: reopened");

		String secondContent = Files.readString(second);
		CommandResult stop = this.fixture.command(with(app, "--supervisor.command=stop"));
		assertThat(stop.exitCode()).as("stop\n%s", stop).isZero();
		// the stop logs on both sides, in the file SIGUSR1 reopened only
		assertThat(Files.readString(log)).containsPattern(" " + worker + " --- .*\\[worker-1\\].*draining")
			.contains("sample-app stopped (exit code 0)");
		assertThat(Files.readString(second)).isEqualTo(secondContent);
		assertThat(Files.readString(moved)).isEqualTo(movedContent);
	}

	@Test
	void logsWithoutALogFileSaysSoAndExitsOne() throws Exception {
		Path logDir = this.tmp.resolve("none");
		CommandResult logs = this.fixture.command("--supervisor.run-dir=" + this.tmp.resolve("run"),
				"--supervisor.log-dir=" + logDir, "--supervisor.command=logs");
		assertThat(logs.exitCode()).as("logs\n%s", logs).isEqualTo(1);
		assertThat(logs.stderr()).contains("No log file for sample-app: " + logDir.resolve("master-stdout.log"))
			.contains("Only a daemon (supervisor.daemon=true) writes log files")
			.doesNotContain("Exception");
	}

	private static String[] with(String[] args, String... more) {
		String[] all = new String[args.length + more.length];
		System.arraycopy(args, 0, all, 0, args.length);
		System.arraycopy(more, 0, all, args.length, more.length);
		return all;
	}

	private static long workerPid(String output) {
		Matcher matcher = Pattern.compile(" (\\d+) --- .*\\[worker-1\\]").matcher(output);
		assertThat(matcher.find()).as("a worker line in\n%s", output).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private static String permissions(Path file) throws Exception {
		return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
	}

}
