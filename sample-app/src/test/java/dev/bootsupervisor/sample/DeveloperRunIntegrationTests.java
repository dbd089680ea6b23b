package dev.bootsupervisor.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.bootsupervisor.sample.SupervisedProcess.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A developer run keeps working as without the starter: with a JDWP debugger agent in the launch, the app runs
 * as one plain process, and that process, the one that serves HTTP, is the one holding the debug port.
 */
@Order(14)
class DeveloperRunIntegrationTests {

	private static final byte[] HANDSHAKE = "JDWP-Handshake".getBytes(StandardCharsets.US_ASCII);

	@RegisterExtension
	final ProcessFixture processes = new ProcessFixture();

	@Test
	void withADebuggerAgentTheProcessServingHttpHoldsTheDebugPort() throws Exception {
		int debugPort = ProcessFixture.freePort();
		int port = ProcessFixture.freePort();
		SupervisedProcess app = this.processes.start(ProcessFixture.jar(), port,
				List.of(jdwp(debugPort)), List.of());
		app.awaitOutput("Developer run \\(a debugger agent is present: -agentlib:jdwp.*\\): running as a single "
				+ "plain process .* Set supervisor.enabled=true to supervise it", Duration.ofSeconds(60));
		Response response = await("the app answering").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> app.get("/"), (r) -> r.status() == 200);
		assertThat(response.pid()).isEqualTo(app.pid());
		assertThat(app.workerPids()).isEmpty();
		assertThat(app.output()).doesNotContain("Supervisor ready", "[master]");
		assertThat(listeningPids(debugPort)).containsExactly(app.pid());
		assertThat(jdwpHandshake(debugPort)).isTrue();
	}

	@Test
	void supervisorEnabledTrueSupervisesADebuggedRun() throws Exception {
		int debugPort = ProcessFixture.freePort();
		SupervisedProcess app = this.processes.start(ProcessFixture.jar(), ProcessFixture.freePort(),
				List.of(jdwp(debugPort)), List.of("--supervisor.enabled=true"));
		app.awaitReady(2);
		assertThat(app.output()).doesNotContain("Developer run");
		assertThat(app.get("/").pid()).isIn(app.workerPids());
	}

	private static String jdwp(int port) {
		return "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port;
	}

	private static boolean jdwpHandshake(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write(HANDSHAKE);
			out.flush();
			InputStream in = socket.getInputStream();
			return java.util.Arrays.equals(in.readNBytes(HANDSHAKE.length), HANDSHAKE);
		}
	}

	/**
	 * The pids whose open files include the socket listening on {@code port} on 127.0.0.1: the socket's inode from
	 * {@code /proc/net/tcp}, then every process's {@code /proc/<pid>/fd} links.
	 */
	private static Set<Long> listeningPids(int port) throws IOException {
		String localAddress = "0100007F:" + String.format(Locale.ROOT, "%04X", port);
		String inode = null;
		for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
			String[] fields = line.trim().split("\\s+");
			if (fields.length > 9 && fields[1].equals(localAddress) && fields[3].equals("0A")) {
				inode = fields[9];
			}
		}
		assertThat(inode).as("a socket listening on 127.0.0.1:" + port).isNotNull();
		String target = "socket:[" + inode + "]";
		Set<Long> pids = new HashSet<>();
		try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path process : processes) {
				try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
					for (Path fd : fds) {
						if (target.equals(Files.readSymbolicLink(fd).toString())) {
							pids.add(Long.parseLong(process.getFileName().toString()));
						}
					}
				}
				catch (IOException ex) {
					// another user's process, or one that just exited
				}
			}
		}
		return pids;
	}

}
