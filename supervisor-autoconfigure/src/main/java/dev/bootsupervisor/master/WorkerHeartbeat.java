package dev.bootsupervisor.master;

import java.time.Instant;
import java.util.List;

import dev.bootsupervisor.protocol.RequestFigures;

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
 * @param requests the HTTP requests it answered since it started, by status class and latency
 * @param connections the HTTP connections it has open, -1 when unknown
 */
public record WorkerHeartbeat(Instant at, long heapUsed, long heapMax, String health, long cpuNanos, long inFlight,
		long completed, long oldCollections, List<Double> oldAfterGc, RequestFigures requests, long connections) {

	/**
	 * A heartbeat without a count of open connections.
	 */
	public WorkerHeartbeat(Instant at, long heapUsed, long heapMax, String health, long cpuNanos, long inFlight,
			long completed, long oldCollections, List<Double> oldAfterGc, RequestFigures requests) {
		this(at, heapUsed, heapMax, health, cpuNanos, inFlight, completed, oldCollections, oldAfterGc, requests, -1);
	}

	/**
	 * A heartbeat without request figures.
	 */
	public WorkerHeartbeat(Instant at, long heapUsed, long heapMax, String health, long cpuNanos, long inFlight,
			long completed, long oldCollections, List<Double> oldAfterGc) {
		this(at, heapUsed, heapMax, health, cpuNanos, inFlight, completed, oldCollections, oldAfterGc,
				RequestFigures.NONE);
	}

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
