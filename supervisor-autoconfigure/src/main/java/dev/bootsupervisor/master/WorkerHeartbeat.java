package dev.bootsupervisor.master;

import java.time.Instant;

/**
 * What a worker last reported about itself.
 *
 * @param at when the master received it
 * @param heapUsed heap in use, bytes
 * @param heapMax maximum heap, bytes, -1 when undefined
 * @param health the aggregate status of the worker's health endpoint, {@code UNKNOWN} without actuator
 */
public record WorkerHeartbeat(Instant at, long heapUsed, long heapMax, String health) {
}
