package dev.bootsupervisor.master;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import dev.bootsupervisor.base.ChildJvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedListener}, in child JVMs: binding replaces the standard input of the whole process.
 */
@Timeout(60)
class SharedListenerTests {

	@Test
	void boundSocketIsTheInheritedServerSocketChannel() throws Exception {
		try (ChildJvm child = ChildJvm.start(SharedListenerProbe.class, "127.0.0.1", "0")) {
			int port = Integer.parseInt(child.awaitLine("port="));
			assertThat(port).isPositive();
			assertThat(child.awaitLine("description=")).isEqualTo("one listening socket on 127.0.0.1:" + port
					+ ", owned by the master and inherited by every worker");
			assertThat(child.awaitLine("inherited=")).endsWith(" true");
			assertThat(child.awaitLine("local=")).endsWith(":" + port);
			assertThat(greeting(InetAddress.getLoopbackAddress(), port)).isEqualTo("hello from the child");
			child.awaitLine("accepted");
			assertThat(child.awaitExit()).isZero();
		}
	}

	@Test
	void everyAddressAcceptsIpv4Clients() throws Exception {
		try (ChildJvm child = ChildJvm.start(SharedListenerProbe.class, "*", "0")) {
			int port = Integer.parseInt(child.awaitLine("port="));
			assertThat(child.awaitLine("description=")).startsWith("one listening socket on *:" + port + ",");
			assertThat(child.awaitLine("inherited=")).endsWith(" true");
			assertThat(greeting(InetAddress.getByName("127.0.0.1"), port)).isEqualTo("hello from the child");
			child.awaitLine("accepted");
		}
	}

	@Test
	void portInUseIsALaunchExceptionThatSaysSo() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
			int port = taken.getLocalPort();
			try (ChildJvm child = ChildJvm.start(SharedListenerProbe.class, "127.0.0.1", String.valueOf(port))) {
				assertThat(child.awaitLine("error=")).isEqualTo("Port " + port + " is already in use (127.0.0.1:" + port
						+ "): another program listens on it. Stop it, or choose another port with --server.port");
				assertThat(child.awaitExit()).isEqualTo(3);
			}
		}
	}

	@Test
	void unavailableAddressIsALaunchExceptionThatSaysSo() throws Exception {
		// TEST-NET-1 (RFC 5737) is never assigned to a local interface
		try (ChildJvm child = ChildJvm.start(SharedListenerProbe.class, "192.0.2.1", "0")) {
			assertThat(child.awaitLine("error=")).startsWith("Cannot bind 192.0.2.1:0: the address is not available");
			assertThat(child.awaitExit()).isEqualTo(3);
		}
	}

	private static String greeting(InetAddress address, int port) throws Exception {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(address, port), 5000);
			socket.setSoTimeout(10_000);
			return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
				.readLine();
		}
	}

}
