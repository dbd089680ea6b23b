package dev.bootsupervisor.control;

import java.math.BigDecimal;
import java.math.RoundingMode;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A minimal JSON writer for the commands' {@code --supervisor.format=json} output: objects, arrays, strings,
 * numbers, booleans and null, with the escaping of RFC 8259, so scripts can feed the output to {@code jq}.
 */
public final class JsonWriter {

	private final StringBuilder out = new StringBuilder();

	/** Per open object or array: whether it has a member yet, so the next one gets a comma. */
	private final Deque<Boolean> hasMember = new ArrayDeque<>();

	/** Whether the last thing written is a member name, so the value that follows takes no comma. */
	private boolean afterName;

	public JsonWriter beginObject() {
		value();
		this.out.append('{');
		this.hasMember.push(false);
		return this;
	}

	public JsonWriter endObject() {
		this.hasMember.pop();
		this.out.append('}');
		return this;
	}

	public JsonWriter beginArray() {
		value();
		this.out.append('[');
		this.hasMember.push(false);
		return this;
	}

	public JsonWriter endArray() {
		this.hasMember.pop();
		this.out.append(']');
		return this;
	}

	/**
	 * Write a member name; the next call writes its value.
	 * @param name the name
	 * @return this writer
	 */
	public JsonWriter name(String name) {
		separate();
		string(name);
		this.out.append(':');
		this.afterName = true;
		return this;
	}

	public JsonWriter value(String value) {
		value();
		if (value == null) {
			this.out.append("null");
		}
		else {
			string(value);
		}
		return this;
	}

	public JsonWriter value(long value) {
		value();
		this.out.append(value);
		return this;
	}

	/** A finite number, written with at most two decimals. */
	public JsonWriter value(double value) {
		value();
		this.out.append(BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
		return this;
	}

	public JsonWriter field(String name, double value) {
		return name(name).value(value);
	}

	public JsonWriter value(boolean value) {
		value();
		this.out.append(value);
		return this;
	}

	/** A member with a string value, or {@code null}. */
	public JsonWriter field(String name, String value) {
		return name(name).value(value);
	}

	public JsonWriter field(String name, long value) {
		return name(name).value(value);
	}

	public JsonWriter field(String name, boolean value) {
		return name(name).value(value);
	}

	/** A member whose value is {@code null}. */
	public JsonWriter nullField(String name) {
		name(name);
		value();
		this.out.append("null");
		return this;
	}

	/**
	 * The document written so far.
	 * @return the JSON text
	 */
	@Override
	public String toString() {
		return this.out.toString();
	}

	private void value() {
		if (this.afterName) {
			this.afterName = false;
			return;
		}
		separate();
	}

	private void separate() {
		if (!this.hasMember.isEmpty()) {
			if (this.hasMember.peek()) {
				this.out.append(',');
			}
			else {
				this.hasMember.pop();
				this.hasMember.push(true);
			}
		}
	}

	private void string(String text) {
		this.out.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> this.out.append("\\\"");
				case '\\' -> this.out.append("\\\\");
				case '\n' -> this.out.append("\\n");
				case '\r' -> this.out.append("\\r");
				case '\t' -> this.out.append("\\t");
				case '\b' -> this.out.append("\\b");
				case '\f' -> this.out.append("\\f");
				default -> {
					// control characters must be escaped; U+2028/2029 too, so the text is also valid JavaScript
					if (c < 0x20 || c == '\u2028' || c == '\u2029') {
						this.out.append(String.format("\\u%04x", (int) c));
					}
					else {
						this.out.append(c);
					}
				}
			}
		}
		this.out.append('"');
	}

}
