package dev.bootsupervisor.worker;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A client connection that speaks just enough HTTP/1.1 to show keep-alive and {@code Connection: close}.
 */
final class HttpConnection implements Closeable {

	private final Socket socket;

	private final InputStream input;

	private HttpConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.input = socket.getInputStream();
	}

	static HttpConnection open(SocketAddress address) throws IOException {
		Socket socket = new Socket();
		socket.connect(address, 2000);
		socket.setSoTimeout(5000);
		return new HttpConnection(socket);
	}

	static InetSocketAddress loopback(SocketAddress bound) {
		return new InetSocketAddress("127.0.0.1", ((InetSocketAddress) bound).getPort());
	}

	void sendGet(String path) throws IOException {
		String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
		this.socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
		this.socket.getOutputStream().flush();
	}

	Response get(String path) throws IOException {
		sendGet(path);
		return readResponse(Duration.ofSeconds(5));
	}

	/**
	 * Read one response with a Content-Length body.
	 * @param timeout how long to wait for the first byte and between bytes
	 * @return the response
	 * @throws java.net.SocketTimeoutException if no response came in time
	 * @throws IOException if the connection failed
	 */
	Response readResponse(Duration timeout) throws IOException {
		this.socket.setSoTimeout((int) timeout.toMillis());
		String head = readHead();
		String[] lines = head.split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
		}
		byte[] body = this.input.readNBytes(Integer.parseInt(headers.getOrDefault("Content-Length", "0")));
		return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
	}

	private String readHead() throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		while (matched < end.length) {
			int b = this.input.read();
			if (b == -1) {
				throw new IOException("Connection closed after " + head.size() + " bytes of response");
			}
			head.write(b);
			matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

	/**
	 * Return whether the server closed the connection (end of stream within the timeout).
	 * @return whether the server closed the connection
	 * @throws IOException if the connection failed
	 */
	boolean closedByServer() throws IOException {
		this.socket.setSoTimeout(5000);
		return this.input.read() == -1;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	record Response(int status, Map<String, String> headers, String body) {

		boolean closesConnection() {
			return "close".equals(this.headers.getOrDefault("Connection", "").toLowerCase(Locale.ROOT));
		}

	}

}
