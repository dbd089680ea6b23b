package dev.bootsupervisor.master;

import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import dev.bootsupervisor.base.LaunchException;

/**
 * Binds the shared listener in a child JVM (it replaces the process's standard input), prints what a worker
 * would see, then accepts one connection on the inherited channel and greets it. Arguments: address ({@code *}
 * for every address) and port.
 */
public final class SharedListenerProbe {

	private SharedListenerProbe() {
	}

	public static void main(String[] args) throws Exception {
		String address = args[0].equals("*") ? null : args[0];
		SharedListener listener;
		try {
			listener = SharedListener.bindOnStandardInput(address, Integer.parseInt(args[1]), 50);
		}
		catch (LaunchException ex) {
			System.out.println("error=" + ex.getMessage());
			System.exit(3);
			return;
		}
		Channel inherited = System.inheritedChannel();
		System.out.println("port=" + listener.port());
		System.out.println("description=" + listener.description());
		System.out.println("inherited=" + ((inherited != null) ? inherited.getClass().getName() : "null") + " "
				+ (inherited instanceof ServerSocketChannel));
		System.out.flush();
		if (inherited instanceof ServerSocketChannel server) {
			System.out.println("local=" + server.getLocalAddress());
			try (SocketChannel connection = server.accept()) {
				connection.write(ByteBuffer.wrap("hello from the child\n".getBytes(StandardCharsets.UTF_8)));
			}
			System.out.println("accepted");
		}
	}

}
