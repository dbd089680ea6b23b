package dev.bootsupervisor.cluster;

import java.io.IOException;

import dev.bootsupervisor.cluster.ControlOutcome;

/**
 * How the {@code supervisor} endpoint's write operation acts on the cluster: through the master, which alone
 * changes the worker table. A seam, so the endpoint can be tested without a master.
 */
public interface ClusterControl {

	/**
	 * Run a rolling reload and wait for its outcome.
	 * @return the outcome
	 * @throws IOException when the master cannot be asked or does not answer in time
	 */
	ControlOutcome reload() throws IOException;

	/**
	 * Change the number of workers.
	 * @param workers the new number
	 * @return whether the master accepted it
	 * @throws IOException when the master cannot be asked or does not answer in time
	 */
	ControlOutcome scale(int workers) throws IOException;

}
