package dev.bootsupervisor.base;

import java.util.function.IntConsumer;

/**
 * The one place where the supervisor ends the JVM, replaceable in tests.
 */
public final class SystemExit {

	private static volatile IntConsumer exit = System::exit;

	private SystemExit() {
	}

	public static void exit(int status) {
		exit.accept(status);
	}

	/**
	 * Replace the exit action, for tests.
	 * @param action the new action
	 * @return the previous action
	 */
	public static IntConsumer replace(IntConsumer action) {
		IntConsumer previous = exit;
		exit = action;
		return previous;
	}

}
