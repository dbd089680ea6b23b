package dev.bootsupervisor.base;

import java.util.List;
import java.util.function.Consumer;

import sun.misc.Signal;

/**
 * Routes POSIX signals to a handler that only enqueues. QUIT stays the JVM's thread dump; USR2 is left to the
 * JVM, USR1 is the master's (reopen the log files, as Gunicorn does).
 */
public final class SignalRouter {

	private static final System.Logger log = System.getLogger(SignalRouter.class.getName());

	private SignalRouter() {
	}

	/** Linux's number of SIGHUP. */
	private static final int SIGHUP = 1;

	/** {@code SIG_DFL} and {@code SIG_IGN}, as the C library's handler values. */
	private static final long DEFAULT = 0;

	private static final long IGNORED = 1;

	/**
	 * Give SIGHUP back its default disposition when this process was started with it ignored ({@code nohup java
	 * -jar app.jar}, or a parent that ignores it): an ignored signal stays ignored across {@code exec} and the JVM
	 * then never installs a handler for it, so the master's reload on SIGHUP would silently do nothing. Call it
	 * before the master's JVM is exec'd or forked and before {@link #route}.
	 * @return whether SIGHUP was ignored
	 */
	public static boolean unignoreHangup() {
		try {
			Posix.LibC libc = Posix.libc();
			// struct sigaction starts with its handler on Linux; 256 bytes hold the whole struct on every ABI
			byte[] previous = new byte[256];
			libc.sigaction(SIGHUP, null, previous);
			long handler = java.nio.ByteBuffer.wrap(previous, 0, Long.BYTES).order(java.nio.ByteOrder.nativeOrder())
				.getLong();
			if (handler != IGNORED) {
				return false;
			}
			libc.signal(SIGHUP, DEFAULT);
			return true;
		}
		catch (LaunchException | RuntimeException ex) {
			log.log(System.Logger.Level.DEBUG, "Cannot read the disposition of SIGHUP: {0}", ex.getMessage());
			return false;
		}
	}

	/**
	 * Route the named signals.
	 * @param names signal names without {@code SIG}
	 * @param handler receives the name of each signal
	 */
	public static void route(List<String> names, Consumer<String> handler) {
		for (String name : names) {
			try {
				Signal.handle(new Signal(name), (signal) -> handler.accept(signal.getName()));
			}
			catch (IllegalArgumentException ex) {
				log.log(System.Logger.Level.DEBUG, "Signal {0} cannot be handled here: {1}", name, ex.getMessage());
			}
		}
	}

}
