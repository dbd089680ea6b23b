package dev.bootsupervisor.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.jayway.jsonpath.DocumentContext;
import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The master as a container's PID 1, without Docker: {@code unshare --pid --fork --mount-proc} runs it as PID 1 of
 * a PID namespace of its own, where it must reap the orphans reparented to it and still read its workers' exit
 * status; and in a cgroup v1 with a CPU quota and a memory limit, which {@code supervisor.workers=auto} and the
 * workers' JVM options follow. The test reads the host's {@code /proc}, where {@code NSpid:} maps a host pid to its
 * pid in the namespace.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(17)
class ContainerIntegrationTests {

	private static final Path UNSHARE = Path.of("/usr/bin/unshare");

	private static final Path CGROUP = Path.of("/sys/fs/cgroup");

	/** A deadline, not a wait: a killed worker's replacement starts on a machine shared with other tests. */
	private static final Duration REPLACE_TIMEOUT = Duration.ofSeconds(90);

	/** A deadline, not a wait: the orphan sleeps 2 s, and the master scans for zombies once a second. */
	private static final Duration REAP_TIMEOUT = Duration.ofSeconds(15);

	@RegisterExtension
	static final ProcessFixture shared = ProcessFixture.perClass();

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	/** The unshare process, whose one child is the master. */
	private static SupervisedProcess cluster;

	/** The master's pid on the host. */
	private static long master;

	@Test
	@Order(1)
	void theMasterIsPidOneOfItsNamespaceAndItsWorkersAreItsChildren() throws Exception {
		SupervisedProcess app = cluster();
		assertThat(namespacePids(master)).as("NSpid of the master").endsWith(1L).hasSize(2);
		long worker = workerOf(master);
		DocumentContext view = app.awaitSettled(1);
		assertThat(SupervisedProcess.pids(view)).containsExactly(namespacePid(worker));
		assertThat(app.get("/").pid()).isEqualTo(namespacePid(worker));
	}

	@Test
	@Order(2)
	void anOrphanOfAWorkerIsReapedByTheMasterOnceItExits() throws Exception {
		SupervisedProcess app = cluster();
		int from = app.output().length();
		Response response = app.post("/orphan?seconds=2", "");
		assertThat(response.status()).as("POST /orphan: %s", response).isEqualTo(200);
		long orphan = field(response, "orphan");
		List<Stat> children = children(master);
		assertThat(children).as("children of the master right after POST /orphan")
			.anySatisfy((child) -> assertThat(namespacePid(child.pid())).isEqualTo(orphan));
		await("no zombie child of the master").atMost(REAP_TIMEOUT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> children(master).stream()
				.noneMatch((child) -> child.state() == 'Z' || namespacePid(child.pid()) == orphan));
		app.awaitOutput("reaped orphan pid " + orphan + " \\(exit code 0\\)", Duration.ofSeconds(5), from);
		assertThat(app.output(from)).doesNotContain("reaped orphan pid 1 ")
			.doesNotContainPattern("reaped orphan pid " + app.get("/").pid() + " ");
	}

	@Test
	@Order(3)
	void aWorkerKilledWithSignalKillIsReportedSoAndRestarted() throws Exception {
		SupervisedProcess app = cluster();
		long victim = workerOf(master);
		long victimInNamespace = namespacePid(victim);
		int from = app.output().length();
		SupervisedProcess.signal(victim, "KILL");
		DocumentContext view = await("a new ready worker in slot 1").atMost(REPLACE_TIMEOUT)
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(app::cluster, (cluster) -> SupervisedProcess.readyPid(cluster, 1) != 0
					&& SupervisedProcess.readyPid(cluster, 1) != victimInNamespace);
		assertThat(view.<String>read("$.workers[0].lastExit.signal")).isEqualTo("KILL");
		assertThat(view.<Integer>read("$.workers[0].lastExit.code")).isEqualTo(137);
		assertThat(app.output(from)).doesNotContain("reaped orphan pid " + victimInNamespace + " ");
	}

	@Test
	@Order(4)
	void termToPidOneStopsTheClusterGracefully() throws Exception {
		SupervisedProcess app = cluster();
		int from = app.output().length();
		SupervisedProcess.signal(master, "TERM");
		// unshare exits with the status of its child, the master
		assertThat(app.awaitExit(Duration.ofSeconds(60))).as("exit code of the master").isZero();
		assertThat(app.output(from)).contains("Stopping sample-app");
		app.awaitAllExited(Duration.ofSeconds(10));
		cluster = null;
	}

	@Test
	void workersAutoFollowsTheCgroupQuotaAndTheWorkersFitItsMemoryLimit() throws Exception {
		String name = "boot-supervisor-it-" + UUID.randomUUID().toString().substring(0, 8);
		Path cpu = ownCgroup("cpu").resolve(name);
		Path memory = ownCgroup("memory").resolve(name);
		try {
			assumeThat(create(cpu) && create(memory)).as("cgroups %s and %s can be created", cpu, memory).isTrue();
			Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000");
			Files.writeString(cpu.resolve("cpu.cfs_quota_us"), "100000");
			Files.writeString(memory.resolve("memory.limit_in_bytes"), String.valueOf(1024L * 1024 * 1024));
			List<String> intoCgroups = List.of("sh", "-c", "echo $$ > " + cpu.resolve("cgroup.procs") + " && echo $$ > "
					+ memory.resolve("cgroup.procs") + " && exec \"$@\"", "sh");
			SupervisedProcess app = this.processes.startUnder(intoCgroups, SupervisedProcess.JVM_OPTIONS_WITHOUT_HEAP,
					"--supervisor.workers=auto");
			app.awaitReady(1);
			assertThat(app.output()).contains("Container sizing: CPU quota 1, memory limit 1024 MiB (cgroup v1); "
					+ "1 worker (auto: the CPU quota); each worker -XX:ActiveProcessorCount=1 -Xmx672m (processors: "
					+ "quota / workers, rounded up; heap: (1024 MiB - 128 MiB for the master) / 1 worker - 224 MiB "
					+ "non-heap)");
			assertThat(app.workerPids()).hasSize(1);
			long worker = app.workerPids().iterator().next();
			List<String> commandLine = List.of(Files.readString(Path.of("/proc", Long.toString(worker), "cmdline"))
				.split("\0"));
			assertThat(commandLine).contains("-XX:ActiveProcessorCount=1", "-Xmx672m", "-Dsupervisor.worker.id=1");
			assertThat(commandLine.stream().filter((option) -> option.startsWith("-Xmx"))).containsExactly("-Xmx672m");
			assertThat(Files.readString(memory.resolve("cgroup.procs"))).contains(Long.toString(worker));
			this.processes.kill(app);
		}
		finally {
			remove(cpu);
			remove(memory);
		}
	}

	/** The shared cluster of one worker, in a PID namespace of its own, started by the first test that needs it. */
	private SupervisedProcess cluster() throws IOException {
		assumeThat(Files.isExecutable(UNSHARE)).as("%s is installed", UNSHARE).isTrue();
		if (cluster == null) {
			cluster = shared.startUnder(List.of(UNSHARE.toString(), "--pid", "--fork", "--mount-proc"),
					SupervisedProcess.JVM_OPTIONS, "--supervisor.workers=1", "--sample.chaos=true");
			master = cluster.awaitChild();
			cluster.awaitReady(1);
		}
		assertThat(cluster.pid()).as("the cluster is up (an earlier test stopped it?)")
			.matches(SupervisedProcess::isAlive);
		return cluster;
	}

	/** The host pid of the master's one worker: its child that runs a worker JVM. */
	private static long workerOf(long master) throws IOException {
		List<Long> workers = new ArrayList<>();
		for (Stat child : children(master)) {
			String commandLine = Files.readString(Path.of("/proc", Long.toString(child.pid()), "cmdline"));
			if (commandLine.contains("-Dsupervisor.worker.id=")) {
				workers.add(child.pid());
			}
		}
		assertThat(workers).as("workers of master %s", master).hasSize(1);
		return workers.get(0);
	}

	/** The host's processes whose parent is a process. */
	private static List<Stat> children(long parent) throws IOException {
		List<Stat> children = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path entry : entries) {
				Stat stat = Stat.of(entry);
				if (stat != null && stat.ppid() == parent) {
					children.add(stat);
				}
			}
		}
		return children;
	}

	/** A process's pids, from the host's to its own namespace's: the {@code NSpid:} line of its status. */
	private static List<Long> namespacePids(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
			if (line.startsWith("NSpid:")) {
				return List.of(line.substring("NSpid:".length()).trim().split("\\s+"))
					.stream()
					.map(Long::parseLong)
					.toList();
			}
		}
		throw new AssertionError("No NSpid line for pid " + pid);
	}

	private static long namespacePid(long pid) {
		try {
			List<Long> pids = namespacePids(pid);
			return pids.get(pids.size() - 1);
		}
		catch (IOException ex) {
			// gone: no pid in any namespace
			return -1;
		}
	}

	private static long field(Response response, String name) {
		java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)")
			.matcher(response.body());
		assertThat(matcher.find()).as("\"%s\" in %s", name, response.body()).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	/** The v1 cgroup of this JVM for a controller, under which the test's own cgroup goes. */
	private static Path ownCgroup(String controller) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
			String[] fields = line.split(":", 3);
			if (fields.length == 3 && List.of(fields[1].split(",")).contains(controller)) {
				return CGROUP.resolve(controller).resolve(fields[2].replaceFirst("^/+", ""));
			}
		}
		return CGROUP.resolve(controller);
	}

	private static boolean create(Path cgroup) {
		try {
			Files.createDirectory(cgroup);
			return Files.exists(cgroup.resolve("cgroup.procs"));
		}
		catch (IOException | UnsupportedOperationException ex) {
			return false;
		}
	}

	/** Remove a cgroup, once the processes the fixture killed have left it. */
	private static void remove(Path cgroup) {
		if (Files.isDirectory(cgroup)) {
			await("removal of cgroup " + cgroup).atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(100))
				.ignoreExceptions()
				.until(() -> {
					Files.delete(cgroup);
					return true;
				});
		}
	}

	/**
	 * The fields of {@code /proc/PID/stat} this test reads.
	 *
	 * @param pid the process
	 * @param state its state letter, {@code Z} for a zombie
	 * @param ppid its parent
	 */
	private record Stat(long pid, char state, long ppid) {

		static Stat of(Path entry) {
			try {
				String stat = Files.readString(entry.resolve("stat"), StandardCharsets.UTF_8);
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
				return new Stat(Long.parseLong(entry.getFileName().toString()), fields[0].charAt(0),
						Long.parseLong(fields[1]));
			}
			catch (IOException | RuntimeException ex) {
				// gone meanwhile
				return null;
			}
		}

	}

}
