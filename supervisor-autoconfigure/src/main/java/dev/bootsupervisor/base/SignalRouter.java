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
