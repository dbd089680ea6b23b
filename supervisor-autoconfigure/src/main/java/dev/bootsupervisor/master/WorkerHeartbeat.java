package dev.bootsupervisor.master;

import java.time.Instant;
import java.util.List;

/**
 * What a worker last reported about itself.
 *
 * @param at when the master received it
 * @param heapUsed heap in use, bytes
 * @param heapMax maximum heap, bytes, -1 when undefined
 * @param health the aggregate status of the worker's health endpoint, {@code UNKNOWN} without actuator
 * @param cpuNanos the process's CPU time, nanoseconds, -1 when unknown
 * @param inFlight HTTP requests in flight
 * @param completed HTTP requests completed since the worker started
 * @param oldCollections collections of the old generation since the worker started
 * @param oldAfterGc the old generation's use after each of the latest (up to three) of them, percent of its
 * maximum, oldest first
 */
public record WorkerHeartbeat(Instant at, long heapUsed, long heapMax, String health, long cpuNanos, long inFlight,
		long completed, long oldCollections, List<Double> oldAfterGc) {

	/**
	 * A heartbeat with no request, CPU or collection figures, as tests of other behaviour send.
	 */
	public WorkerHeartbeat(Instant at, long heapUsed, long heapMax, String health) {
		this(at, heapUsed, heapMax, health, -1, 0, 0, 0, List.of());
	}

	public WorkerHeartbeat {
		oldAfterGc = List.copyOf(oldAfterGc);
	}

}
