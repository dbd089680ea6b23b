package dev.bootsupervisor.control;

import java.util.Locale;

import dev.bootsupervisor.base.LaunchException;

/**
 * How {@code status} and {@code list} print their answer ({@code supervisor.format}): text for a person, or one
 * JSON document for a script.
 */
public enum OutputFormat {

	/** Lines and a table for a person. */
	TEXT,

	/** One JSON document on standard output, with stable field names. */
	JSON;

	/** The exit code of a bad value: a usage error, as an unknown command. */
	public static final int INVALID_EXIT_CODE = 2;

	/**
	 * The format a property value names.
	 * @param value the value, {@code null} or blank for the default (text)
	 * @return the format
	 * @throws LaunchException for any other value than text or json, with exit code {@value #INVALID_EXIT_CODE}
	 */
	public static OutputFormat of(String value) throws LaunchException {
		String text = (value != null) ? value.trim().toLowerCase(Locale.ROOT) : "";
		return switch (text) {
			case "", "text" -> TEXT;
			case "json" -> JSON;
			default -> throw new LaunchException("Invalid value '" + value + "' for supervisor.format: expected text "
					+ "or json", INVALID_EXIT_CODE);
		};
	}

}
