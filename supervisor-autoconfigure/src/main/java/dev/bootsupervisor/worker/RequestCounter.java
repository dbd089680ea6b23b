package dev.bootsupervisor.worker;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * This worker's HTTP requests in flight and completed, as its heartbeat reports them so the master can tell a busy
 * worker from a stuck one. Stays at zero in a worker without a web server.
 */
public final class RequestCounter {

	private final AtomicLong inFlight = new AtomicLong();

	private final LongAdder completed = new LongAdder();

	/** A request entered the worker. */
	public void started() {
		this.inFlight.incrementAndGet();
	}

	/** A request's dispatch returned, normally or not. */
	public void finished() {
		this.inFlight.decrementAndGet();
		this.completed.increment();
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
