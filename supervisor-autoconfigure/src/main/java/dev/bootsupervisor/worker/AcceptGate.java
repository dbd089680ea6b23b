package dev.bootsupervisor.worker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Decides when this worker's connectors may take connections from the listening socket it shares with the other
 * workers: not before the application is ready ({@link State#OPEN}), and never again once it drains.
 * <p>
 * The states only move forward: {@code CLOSED -> OPEN -> DRAINED} or {@code CLOSED -> DRAINED}.
 */
public final class AcceptGate {

	/**
	 * The admission states of a worker.
	 */
	public enum State {

		/** Not ready yet: connections stay in the shared queue for the other workers. */
		CLOSED,

		/** Ready: this worker accepts connections. */
		OPEN,

		/** Stopping: this worker takes no more connections and lets its open ones finish. */
		DRAINED

	}

	/**
	 * A connector behind the gate.
	 */
	public interface Listener {

		/**
		 * Stop taking connections from the shared socket. Called when the gate drains, possibly twice when
		 * registration races with draining, so it must be idempotent.
		 */
		void drained();

		/**
		 * Return how many connections this connector still holds open.
		 * @return the open connection count
		 */
		int openConnections();

		/**
		 * Close the connections that sit idle between requests (HTTP/1 keep-alive), once the gate drained. Called
		 * again and again while a drain waits, so it must be cheap and idempotent.
		 */
		default void closeIdle() {
		}

	}

	private final Object monitor = new Object();

	private final List<Listener> listeners = new CopyOnWriteArrayList<>();

	private State state = State.CLOSED;

	public State state() {
		synchronized (this.monitor) {
			return this.state;
		}
	}

	/**
	 * Let connections in, unless the gate already opened or drained.
	 * @return whether this call opened the gate
	 */
	public boolean open() {
		synchronized (this.monitor) {
			if (this.state != State.CLOSED) {
				return false;
			}
			this.state = State.OPEN;
			this.monitor.notifyAll();
			return true;
		}
	}

	/**
	 * Stop letting connections in for good and tell every listener.
	 * @return whether this call drained the gate
	 */
	public boolean drain() {
		synchronized (this.monitor) {
			if (this.state == State.DRAINED) {
				return false;
			}
			this.state = State.DRAINED;
			this.monitor.notifyAll();
		}
		this.listeners.forEach(Listener::drained);
		return true;
	}

	/**
	 * Wait until the gate leaves the given state, at most {@code timeoutMillis}.
	 * @param state the state to wait out
	 * @param timeoutMillis the longest wait
	 * @return the state when the wait ended
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	public State awaitChangeFrom(State state, long timeoutMillis) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
		synchronized (this.monitor) {
			long left = deadline - System.nanoTime();
			while (this.state == state && left > 0) {
				TimeUnit.NANOSECONDS.timedWait(this.monitor, left);
				left = deadline - System.nanoTime();
			}
			return this.state;
		}
	}

	/**
	 * Put a connector behind the gate. A connector registered after the gate drained is told at once.
	 * @param listener the connector
	 */
	public void register(Listener listener) {
		this.listeners.add(listener);
		if (state() == State.DRAINED) {
			listener.drained();
		}
	}

	/**
	 * Close the idle keep-alive connections of the connectors behind the gate; nothing unless it drained.
	 */
	public void closeIdleConnections() {
		if (state() == State.DRAINED) {
			this.listeners.forEach(Listener::closeIdle);
		}
	}

	/**
	 * Return how many connections the connectors behind the gate still hold open.
	 * @return the open connection count
	 */
	public int openConnections() {
		return this.listeners.stream().mapToInt(Listener::openConnections).sum();
	}

}
