package dev.bootsupervisor.worker;

/**
 * Finds an {@link OutOfMemoryError} in a failure, itself or among its causes, as a web framework often wraps an
 * error thrown by a request's handler.
 */
final class OutOfMemoryErrors {

	private static final int MAX_DEPTH = 8;

	private OutOfMemoryErrors() {
	}

	static OutOfMemoryError find(Throwable failure) {
		Throwable candidate = failure;
		for (int depth = 0; candidate != null && depth < MAX_DEPTH; depth++) {
			if (candidate instanceof OutOfMemoryError error) {
				return error;
			}
			if (candidate.getCause() == candidate) {
				break;
			}
			candidate = candidate.getCause();
		}
		return null;
	}

}
