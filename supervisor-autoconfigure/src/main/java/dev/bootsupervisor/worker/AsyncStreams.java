package dev.bootsupervisor.worker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.AsyncContext;

/**
 * The async requests this worker holds open, as {@link RequestCountingFilter} sees them start and complete. At
 * the end of a drain's grace, the streams among them (their response is committed: server-sent events, a streamed
 * body) are completed, so that the client sees a clean end and reconnects, to another worker. An async request
 * whose response has not started (a {@code DeferredResult} still waiting) is an ordinary request in flight: it is
 * left to finish.
 */
public final class AsyncStreams implements LongLivedExchanges {

	private final Set<AsyncContext> open = ConcurrentHashMap.newKeySet();

	private volatile boolean ending;

	void started(AsyncContext context) {
		this.open.add(context);
		if (this.ending) {
			// a client reconnected on a connection this draining worker kept alive: end its stream at once, and
			// its next reconnect, on a new connection (this worker answers Connection: close), reaches another
			endLateStarters();
		}
	}

	void completed(AsyncContext context) {
		this.open.remove(context);
	}

	/**
	 * Return how many async requests are open.
	 * @return the count
	 */
	public int openCount() {
		return this.open.size();
	}

	@Override
	public int endLateStarters() {
		return this.ending ? endCommitted() : 0;
	}

	@Override
	public int endAll() {
		this.ending = true;
		return endCommitted();
	}

	private int endCommitted() {
		int ended = 0;
		for (AsyncContext context : this.open) {
			try {
				if (context.getResponse().isCommitted()) {
					// the container completes the response (its last chunk) and runs the app's completion callbacks
					context.complete();
					this.open.remove(context);
					ended++;
				}
			}
			catch (IllegalStateException ex) {
				// completed meanwhile
				this.open.remove(context);
			}
		}
		return ended;
	}

	@Override
	public String description() {
		return "streamed async response(s)";
	}

}
