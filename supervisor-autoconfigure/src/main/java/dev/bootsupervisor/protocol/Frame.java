package dev.bootsupervisor.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One message on the master's Unix socket: a type and named text fields, one line on the wire.
 *
 * @param type the message type, see {@link MessageType}
 * @param fields the message's fields, in insertion order
 */
public record Frame(MessageType type, Map<String, String> fields) {

	public Frame {
		fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
	}

	public static Frame of(MessageType type, Object... keyValues) {
		if (keyValues.length % 2 != 0) {
			throw new IllegalArgumentException("keyValues must come in pairs");
		}
		Map<String, String> fields = new LinkedHashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			if (keyValues[i + 1] != null) {
				fields.put(String.valueOf(keyValues[i]), String.valueOf(keyValues[i + 1]));
			}
		}
		return new Frame(type, fields);
	}

	public Optional<String> get(String name) {
		return Optional.ofNullable(this.fields.get(name));
	}

	public String require(String name) throws ProtocolException {
		String value = this.fields.get(name);
		if (value == null) {
			throw new ProtocolException(this.type + " lacks field '" + name + "'");
		}
		return value;
	}

	public long requireLong(String name) throws ProtocolException {
		String value = require(name);
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			throw new ProtocolException(this.type + " field '" + name + "' is not a number: " + value);
		}
	}

	public int requireInt(String name) throws ProtocolException {
		long value = requireLong(name);
		if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
			throw new ProtocolException(this.type + " field '" + name + "' is out of range: " + value);
		}
		return (int) value;
	}

}
