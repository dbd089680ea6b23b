package dev.bootsupervisor.worker;

/**
 * A cluster message delivered to this worker by the master.
 *
 * @param topic the topic
 * @param from the sender's worker id
 * @param fromPid the sender's pid
 * @param kind {@code text} or {@code bytes}
 * @param payload the payload
 * @param request whether the sender waits for an answer
 */
public record InboundMessage(String topic, int from, long fromPid, String kind, byte[] payload, boolean request) {

}
