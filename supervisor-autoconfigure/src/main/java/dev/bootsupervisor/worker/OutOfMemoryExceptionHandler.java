package dev.bootsupervisor.worker;

import java.util.function.Consumer;

/**
 * The JVM's default uncaught exception handler, wrapped: a thread that dies of an {@link OutOfMemoryError} is
 * reported first, then the handler that was there before (or the JDK's own printout) runs as it always did.
 */
final class OutOfMemoryExceptionHandler implements Thread.UncaughtExceptionHandler {

	private final Thread.UncaughtExceptionHandler previous;

	private final Consumer<OutOfMemoryError> reporter;

	OutOfMemoryExceptionHandler(Thread.UncaughtExceptionHandler previous, Consumer<OutOfMemoryError> reporter) {
		this.previous = previous;
		this.reporter = reporter;
	}

	/**
	 * Wrap the current default handler.
	 * @param reporter what to tell of an out-of-memory death
	 */
	static synchronized void install(Consumer<OutOfMemoryError> reporter) {
		Thread.UncaughtExceptionHandler current = Thread.getDefaultUncaughtExceptionHandler();
		if (!(current instanceof OutOfMemoryExceptionHandler)) {
			Thread.setDefaultUncaughtExceptionHandler(new OutOfMemoryExceptionHandler(current, reporter));
		}
	}

	@Override
	public void uncaughtException(Thread thread, Throwable failure) {
		try {
			OutOfMemoryError error = OutOfMemoryErrors.find(failure);
			if (error != null) {
				this.reporter.accept(error);
			}
		}
		finally {
			if (this.previous != null) {
				this.previous.uncaughtException(thread, failure);
			}
			else {
				// What ThreadGroup.uncaughtException prints; calling it would come back here
				System.err.print("Exception in thread \"" + thread.getName() + "\" ");
				failure.printStackTrace(System.err);
			}
		}
	}

}
