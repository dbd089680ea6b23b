package dev.bootsupervisor.protocol;

import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The limits of cluster messaging and the payload's wire form, the same on both sides: payloads travel in base64,
 * so that text and bytes cross the line-based channel alike.
 */
public final class Messaging {

	/** The largest payload, in bytes (text counts as its UTF-8 bytes). */
	public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

	/** The most messages the master holds for one worker that is starting (or for the next leader). */
	public static final int MAX_HELD_MESSAGES = 256;

	/** The most payload bytes the master holds for one worker that is starting (or for the next leader). */
	public static final int MAX_HELD_BYTES = 4 * 1024 * 1024;

	/** A topic: 1 to 128 characters, letters, digits and {@code . _ - : /}, starting with a letter or digit. */
	public static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");

	/** The payload kinds. */
	public static final String TEXT = "text";

	/** The payload kinds. */
	public static final String BYTES = "bytes";

	private Messaging() {
	}

	public static String encode(byte[] payload) {
		return Base64.getEncoder().encodeToString(payload);
	}

	/**
	 * Decode a payload field.
	 * @param data the base64 text
	 * @return the payload
	 * @throws ProtocolException when it is not base64 or too large
	 */
	public static byte[] decode(String data) throws ProtocolException {
		if (data.length() > (MAX_PAYLOAD_BYTES + 2) / 3 * 4) {
			throw new ProtocolException("payload larger than " + MAX_PAYLOAD_BYTES + " bytes");
		}
		try {
			return Base64.getDecoder().decode(data);
		}
		catch (IllegalArgumentException ex) {
			throw new ProtocolException("payload is not base64");
		}
	}

	/**
	 * Check a payload kind field.
	 * @param kind the field
	 * @return the kind
	 * @throws ProtocolException when it is neither text nor bytes
	 */
	public static String kind(String kind) throws ProtocolException {
		if (!kind.equals(TEXT) && !kind.equals(BYTES)) {
			throw new ProtocolException("unknown payload kind '" + kind + "'");
		}
		return kind;
	}

	/**
	 * Check a topic field.
	 * @param topic the field
	 * @return the topic
	 * @throws ProtocolException when it is not a valid topic
	 */
	public static String topic(String topic) throws ProtocolException {
		if (!TOPIC.matcher(topic).matches()) {
			throw new ProtocolException("invalid topic '" + (topic.length() > 32 ? topic.substring(0, 32) + "..." : topic)
					+ "'");
		}
		return topic;
	}

}
