package dev.bootsupervisor.worker;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import dev.bootsupervisor.protocol.RequestFigures;

/**
 * This worker's HTTP requests in flight and completed, as its heartbeat reports them so the master can tell a busy
 * worker from a stuck one. Stays at zero in a worker without a web server.
 */
public final class RequestCounter {

	private final AtomicLong inFlight = new AtomicLong();

	private final LongAdder completed = new LongAdder();

	private final AtomicLongArray byStatusClass = new AtomicLongArray(5);

	private final AtomicLongArray byLatency = new AtomicLongArray(RequestFigures.BUCKETS);

	/** A request entered the worker. */
	public void started() {
		this.inFlight.incrementAndGet();
	}

	/** A request's dispatch returned, normally or not. */
	public void finished() {
		this.inFlight.decrementAndGet();
		this.completed.increment();
	}

	/**
	 * A request was answered: its response is complete (for an async request, when its async work completed).
	 * @param status the response's status
	 * @param nanos how long the request took, negative when its length says nothing (a stream)
	 */
	public void answered(int status, long nanos) {
		this.byStatusClass.incrementAndGet(RequestFigures.statusClass(status));
		if (nanos >= 0) {
			this.byLatency.incrementAndGet(RequestFigures.bucket(nanos));
		}
	}

	/**
	 * Return the requests answered since the worker started, by status class and latency.
	 * @return the figures
	 */
	public RequestFigures figures() {
		long[] statuses = new long[this.byStatusClass.length()];
		for (int i = 0; i < statuses.length; i++) {
			statuses[i] = this.byStatusClass.get(i);
		}
		long[] latencies = new long[this.byLatency.length()];
		for (int i = 0; i < latencies.length; i++) {
			latencies[i] = this.byLatency.get(i);
		}
		return new RequestFigures(statuses, latencies);
	}

	public long inFlight() {
		return this.inFlight.get();
	}

	/**
	 * Return the requests completed since the worker started.
	 * @return the total, which only grows
	 */
	public long completed() {
		return this.completed.sum();
	}

}
