package dev.bootsupervisor.master;

import java.util.List;
import java.util.Locale;

/**
 * Recognizes, in a worker's start failure, a resource that one process holds exclusively (an embedded file
 * database, a file lock), which the second worker of a cluster cannot have, and says the usual ways out.
 */
final class ExclusiveResources {

	private static final List<String> EMBEDDED_DATABASES = List.of("database may be already in use",
			"the file is locked", "lockfile", "another instance of derby may have already booted");

	private static final List<String> FILE_LOCKS = List.of("overlappingfilelockexception",
			"lockobtainfailedexception", "lock held by another");

	private ExclusiveResources() {
	}

	/**
	 * The advice for a start failure.
	 * @param error the worker's error, its root cause first
	 * @return the advice, to append to the summary, or an empty string when the error is not one of these
	 */
	static String advice(String error) {
		String text = error.toLowerCase(Locale.ROOT);
		if (EMBEDDED_DATABASES.stream().anyMatch(text::contains)) {
			return "; an embedded file database is open in one process only and every worker opens it: use the "
					+ "database's server mode (H2: AUTO_SERVER=TRUE in the URL, or an H2 server), an external "
					+ "database, or supervisor.workers=1";
		}
		if (FILE_LOCKS.stream().anyMatch(text::contains)) {
			return "; a file lock is held by one process only and every worker takes it: give each worker its own "
					+ "file (the system property supervisor.worker.id tells them apart), or set supervisor.workers=1";
		}
		return "";
	}

}
