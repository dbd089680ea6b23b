package dev.bootsupervisor.protocol;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Encodes frames as one line of UTF-8 text, {@code TYPE key=value key=value}, values URL-encoded, and decodes
 * them defensively: a line longer than {@link #MAX_LINE_BYTES}, an unknown type, a bad key or a repeated key is
 * rejected.
 */
public final class FrameCodec {

	/** The longest line accepted, newline excluded. */
	public static final int MAX_LINE_BYTES = 16 * 1024;

	/**
	 * The longest line accepted from a verified worker, which may carry a cluster message of
	 * {@link Messaging#MAX_PAYLOAD_BYTES} in base64.
	 */
	public static final int MAX_WORKER_LINE_BYTES = 128 * 1024;

	private static final int MAX_FIELDS = 64;

	/**
	 * The longest reply from the master accepted by workers and commands: a view of
	 * {@link ClusterView#MAX_WORKERS} workers.
	 */
	public static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;

	private static final int MAX_REPLY_FIELDS = 32 * 1024;

	private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,63}");

	private FrameCodec() {
	}

	public static String encode(Frame frame) {
		StringBuilder line = new StringBuilder(frame.type().name());
		frame.fields().forEach((key, value) -> {
			if (!KEY.matcher(key).matches()) {
				throw new IllegalArgumentException("Invalid field name '" + key + "'");
			}
			line.append(' ').append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
		});
		return line.append('\n').toString();
	}

	public static byte[] encodeBytes(Frame frame) {
		return encode(frame).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Write a frame whole to a channel.
	 * @param channel the channel, in blocking mode
	 * @param frame the frame
	 * @throws IOException when the channel fails
	 */
	public static void write(WritableByteChannel channel, Frame frame) throws IOException {
		ByteBuffer buffer = ByteBuffer.wrap(encodeBytes(frame));
		while (buffer.hasRemaining()) {
			channel.write(buffer);
		}
	}

	public static Frame decode(String line) throws ProtocolException {
		return decode(line, MAX_FIELDS);
	}

	/**
	 * Decode a reply from the master, which may carry a cluster view of many workers.
	 * @param line the line
	 * @return the frame
	 * @throws ProtocolException when the line is malformed
	 */
	public static Frame decodeReply(String line) throws ProtocolException {
		return decode(line, MAX_REPLY_FIELDS);
	}

	private static Frame decode(String line, int maxFields) throws ProtocolException {
		if (line.isEmpty()) {
			throw new ProtocolException("empty message");
		}
		String[] parts = line.split(" ", -1);
		MessageType type;
		try {
			type = MessageType.valueOf(parts[0]);
		}
		catch (IllegalArgumentException ex) {
			throw new ProtocolException("unknown message type '" + abbreviate(parts[0]) + "'");
		}
		if (parts.length - 1 > maxFields) {
			throw new ProtocolException("too many fields (" + (parts.length - 1) + ")");
		}
		Map<String, String> fields = new LinkedHashMap<>();
		for (int i = 1; i < parts.length; i++) {
			int eq = parts[i].indexOf('=');
			String key = (eq > 0) ? parts[i].substring(0, eq) : "";
			if (!KEY.matcher(key).matches()) {
				throw new ProtocolException("malformed field '" + abbreviate(parts[i]) + "'");
			}
			String value;
			try {
				value = URLDecoder.decode(parts[i].substring(eq + 1), StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				throw new ProtocolException("badly encoded value of '" + key + "'");
			}
			if (fields.put(key, value) != null) {
				throw new ProtocolException("repeated field '" + key + "'");
			}
		}
		return new Frame(type, fields);
	}

	/**
	 * Read one line from the stream, at most {@link #MAX_LINE_BYTES} bytes.
	 * @param in the stream
	 * @return the line without its newline
	 * @throws EOFException when the stream ends before a full line
	 * @throws ProtocolException when the line is too long or not UTF-8
	 * @throws IOException on a read failure
	 */
	public static String readLine(InputStream in) throws IOException, ProtocolException {
		return readLine(in, MAX_LINE_BYTES);
	}

	/**
	 * Read one line from the stream.
	 * @param in the stream
	 * @param maxBytes the longest line accepted
	 * @return the line without its newline
	 * @throws EOFException when the stream ends before a full line
	 * @throws ProtocolException when the line is too long or not UTF-8
	 * @throws IOException on a read failure
	 */
	public static String readLine(InputStream in, int maxBytes) throws IOException, ProtocolException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(128);
		while (true) {
			int b = in.read();
			if (b == -1) {
				throw new EOFException();
			}
			if (b == '\n') {
				break;
			}
			if (line.size() >= maxBytes) {
				throw new ProtocolException("message longer than " + maxBytes + " bytes");
			}
			line.write(b);
		}
		byte[] bytes = line.toByteArray();
		String text = new String(bytes, StandardCharsets.UTF_8);
		if (!text.chars().allMatch((c) -> c >= 0x20 && c != 0xFFFD)) {
			throw new ProtocolException("message contains control characters or invalid UTF-8");
		}
		return text;
	}

	public static Frame read(InputStream in) throws IOException, ProtocolException {
		return decode(readLine(in));
	}

	/**
	 * Read a reply from the master, see {@link #MAX_REPLY_BYTES}.
	 * @param in the stream
	 * @return the frame
	 * @throws IOException on a read failure or end of stream
	 * @throws ProtocolException when the reply is malformed
	 */
	public static Frame readReply(InputStream in) throws IOException, ProtocolException {
		return decodeReply(readLine(in, MAX_REPLY_BYTES));
	}

	private static String abbreviate(String text) {
		return (text.length() <= 32) ? text : text.substring(0, 32) + "...";
	}

}
