package dev.bootsupervisor.master;

import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Logging of the lean master, with no logging library: java.util.logging to standard output, in Spring Boot's
 * default line format, tagged {@code [master]}.
 */
final class MasterLogging {

	private MasterLogging() {
	}

	static void install(String name) {
		Logger root = Logger.getLogger("");
		for (Handler handler : root.getHandlers()) {
			root.removeHandler(handler);
		}
		root.addHandler(new StdoutHandler(new BootFormatter(name)));
		root.setLevel(Level.INFO);
	}

	/**
	 * A handler that writes to standard output, as Spring Boot's console appender does. Not a ConsoleHandler:
	 * switching its stream would close System.err.
	 */
	private static final class StdoutHandler extends StreamHandler {

		StdoutHandler(Formatter formatter) {
			super(System.out, formatter);
			setLevel(Level.ALL);
		}

		@Override
		public synchronized void publish(LogRecord record) {
			super.publish(record);
			flush();
		}

		@Override
		public synchronized void close() {
			// standard output outlives logging: flush, never close
			flush();
		}

	}

	/**
	 * Spring Boot's default console format.
	 */
	private static final class BootFormatter extends Formatter {

		private final String name;

		private final long pid = ProcessHandle.current().pid();

		BootFormatter(String name) {
			this.name = name;
		}

		@Override
		public String format(LogRecord record) {
			String logger = abbreviate(record.getLoggerName());
			StringBuilder line = new StringBuilder(String.format("%s %5s %d --- [%s] [%15.15s] [master] %-40.40s : %s%n",
					Instant.ofEpochMilli(record.getMillis()), level(record.getLevel()), this.pid, this.name,
					Thread.currentThread().getName(), logger, formatMessage(record)));
			if (record.getThrown() != null) {
				java.io.StringWriter trace = new java.io.StringWriter();
				record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
				line.append(trace);
			}
			return line.toString();
		}

		private static String level(Level level) {
			if (level.intValue() >= Level.SEVERE.intValue()) {
				return "ERROR";
			}
			if (level.intValue() >= Level.WARNING.intValue()) {
				return "WARN";
			}
			return (level.intValue() >= Level.INFO.intValue()) ? "INFO" : "DEBUG";
		}

		private static String abbreviate(String logger) {
			if (logger == null || logger.length() <= 40) {
				return logger;
			}
			String[] parts = logger.split("\\.");
			StringBuilder shortened = new StringBuilder();
			for (int i = 0; i < parts.length - 1; i++) {
				shortened.append(parts[i].charAt(0)).append('.');
			}
			return shortened.append(parts[parts.length - 1]).toString();
		}

	}

}
