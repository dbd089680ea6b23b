package dev.bootsupervisor.cluster;

import java.nio.charset.StandardCharsets;

/**
 * A message from a worker of the cluster: a delivered message, or the answer to a request.
 *
 * @param topic the topic
 * @param fromWorker the sender's worker id
 * @param fromPid the sender's pid
 * @param payload the payload (text as its UTF-8 bytes)
 * @param isText whether it was sent as text
 */
public record ClusterMessage(String topic, int fromWorker, long fromPid, byte[] payload, boolean isText) {

	/**
	 * The payload as text.
	 * @return the payload decoded as UTF-8
	 */
	public String text() {
		return new String(this.payload, StandardCharsets.UTF_8);
	}

	@Override
	public String toString() {
		return "ClusterMessage[topic=" + this.topic + ", from worker " + this.fromWorker + " (pid " + this.fromPid
				+ "), " + (this.isText ? "text" : "bytes") + " of " + this.payload.length + " bytes]";
	}

}
