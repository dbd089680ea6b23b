package dev.bootsupervisor.metrics;

import java.util.Set;

/**
 * What one merged Prometheus scrape holds, published in it as the {@value #NAME} gauge: how many workers' series it
 * holds ({@code answered}), how many ready workers did not answer in time ({@code missing}) and how many worker
 * slots were not ready to be asked ({@code not-ready}: starting, restarting, draining, stopped or failed).
 *
 * @param answered the workers whose series the scrape holds, the answering worker included
 * @param missing the ready workers that did not answer within the scrape timeout, or answered an error
 * @param notReady the other worker slots, which were not asked
 */
public record ScrapeSummary(int answered, int missing, int notReady) {

	/** The gauge's name, as Prometheus reads it. */
	public static final String NAME = "supervisor_scrape_workers";

	static final String HELP = "Workers whose series this scrape holds (answered), ready workers that did not answer "
			+ "within supervisor.metrics.scrape-timeout (missing), worker slots not ready to be asked (not-ready)";

	/**
	 * Whether the gauge belongs in a scrape filtered by these names.
	 * @param includedNames the names asked for, {@code null} for all
	 * @return whether to add it
	 */
	boolean included(Set<String> includedNames) {
		return includedNames == null || includedNames.isEmpty() || includedNames.contains(NAME);
	}

	String[][] samples() {
		return new String[][] { { "answered", String.valueOf(this.answered) },
				{ "missing", String.valueOf(this.missing) }, { "not-ready", String.valueOf(this.notReady) } };
	}

}
