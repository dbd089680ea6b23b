package dev.bootsupervisor.cluster;

import java.io.IOException;

import dev.bootsupervisor.protocol.ClusterView;

/**
 * Where a worker's endpoint, health contributor and meters get the cluster view from: the master, which holds the
 * view of every worker. A seam, so they can be tested without a master.
 */
@FunctionalInterface
public interface ClusterViewSource {

	/**
	 * Return the cluster view, at most a moment old.
	 * @return the view
	 * @throws IOException when the master cannot be asked or does not answer in time
	 */
	ClusterView clusterView() throws IOException;

}
