package dev.bootsupervisor.cluster;

/**
 * What the master did with a message sent through the {@link ClusterMessenger}.
 *
 * @param delivered how many workers got it now
 * @param held how many will get it once they are ready (workers starting, or the next leader)
 */
public record Delivery(int delivered, int held) {

}
