package dev.bootsupervisor.sample;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A keep-alive HTTP/1.1 connection that sends requests one after the other and retries nothing: what the JDK's
 * client would hide (a connection closed under a request, a worker that never answers) shows as an exception.
 */
final class RawConnection implements AutoCloseable {

	private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

	private static final Pattern CHUNKED = Pattern.compile("(?im)^transfer-encoding:\\s*chunked\\s*$");

	private static final Pattern CLOSE = Pattern.compile("(?im)^connection:\\s*close\\s*$");

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	RawConnection(int port) throws IOException {
		this.socket = new Socket();
		this.socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
		this.socket.setSoTimeout(30_000);
		this.in = new BufferedInputStream(this.socket.getInputStream());
		this.out = this.socket.getOutputStream();
	}

	/**
	 * Open connections until one is served by this worker (the kernel hands each new connection to whichever
	 * worker accepts next), so that the requests sent on it reach that worker.
	 * @param port the port
	 * @param pid the worker
	 * @param attempts how many connections to try
	 * @return a connection whose {@code GET /} this worker answered
	 */
	static RawConnection to(int port, long pid, int attempts) throws IOException {
		for (int i = 0; i < attempts; i++) {
			RawConnection connection = new RawConnection(port);
			RawResponse response = connection.get("/");
			if (response.status() == 200 && !response.closing() && response.pid() == pid) {
				return connection;
			}
			connection.close();
		}
		throw new AssertionError("No connection reached worker pid " + pid + " in " + attempts + " attempts");
	}

	/**
	 * Wait this long for a response, instead of 30 s: for a request that takes longer.
	 * @param timeout how long a read may block
	 */
	void timeout(Duration timeout) throws IOException {
		this.socket.setSoTimeout((int) timeout.toMillis());
	}

	RawResponse get(String path) throws IOException {
		send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		return read();
	}

	/**
	 * Send a {@code POST} with no body and read its response.
	 * @param path the request path
	 * @return the response
	 */
	RawResponse post(String path) throws IOException {
		sendPost(path);
		return read();
	}

	/**
	 * Send a {@code POST} with no body, without waiting for its response: for a request that never answers.
	 * @param path the request path
	 */
	void sendPost(String path) throws IOException {
		send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
	}

	private void send(String request) throws IOException {
		this.out.write(request.getBytes(StandardCharsets.US_ASCII));
		this.out.flush();
	}

	private RawResponse read() throws IOException {
		String head = readHead();
		int status = Integer.parseInt(head.substring(9, 12));
		Matcher length = CONTENT_LENGTH.matcher(head);
		byte[] body;
		if (length.find()) {
			body = this.in.readNBytes(Integer.parseInt(length.group(1)));
		}
		else if (CHUNKED.matcher(head).find()) {
			body = readChunked();
		}
		else if (CLOSE.matcher(head).find()) {
			// HTTP/1.1 lets a response the server ends with the connection carry its body to the end of the stream:
			// Jetty answers so once a draining worker says Connection: close and the body was flushed before its end
			body = this.in.readAllBytes();
		}
		else {
			throw new IOException("Neither a content length nor chunks in " + head);
		}
		return new RawResponse(status, new String(body, StandardCharsets.UTF_8), CLOSE.matcher(head).find());
	}

	private String readHead() throws IOException {
		StringBuilder head = new StringBuilder();
		while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
			int b = this.in.read();
			if (b < 0) {
				throw new IOException("Connection closed by the server after " + head.length()
						+ " bytes of a response head");
			}
			head.append((char) b);
		}
		return head.toString();
	}

	private byte[] readChunked() throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		while (true) {
			StringBuilder line = new StringBuilder();
			for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
				if (b < 0) {
					throw new IOException("Connection closed by the server in a chunked body");
				}
				line.append((char) b);
			}
			int size = Integer.parseInt(line.toString().trim(), 16);
			byte[] chunk = this.in.readNBytes(size + 2);
			if (size == 0) {
				return body.toByteArray();
			}
			body.write(chunk, 0, size);
		}
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	/**
	 * A response read from a {@link RawConnection}.
	 *
	 * @param status the status code
	 * @param body the body
	 * @param closing whether the server closes the connection after it
	 */
	record RawResponse(int status, String body, boolean closing) {

		long pid() {
			return new SupervisedProcess.Response(this.status, this.body, Instant.now()).pid();
		}

	}

}
