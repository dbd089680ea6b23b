package dev.bootsupervisor.worker;

import java.io.IOException;
import java.util.function.Consumer;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Counts this worker's requests in flight and completed for its heartbeat, and reports an
 * {@link OutOfMemoryError} that passes through a request before it goes on its way. An async request counts as
 * completed when its initial dispatch returns, and as answered (status class and latency, for a reload's canary)
 * when its response is complete.
 */
public class RequestCountingFilter implements Filter {

	private final RequestCounter counter;

	private final Consumer<OutOfMemoryError> outOfMemory;

	private final AsyncStreams asyncStreams;

	/**
	 * Create a filter.
	 * @param counter where requests are counted
	 * @param outOfMemory told of an {@link OutOfMemoryError} thrown by a request, before it is rethrown
	 */
	public RequestCountingFilter(RequestCounter counter, Consumer<OutOfMemoryError> outOfMemory) {
		this(counter, outOfMemory, new AsyncStreams());
	}

	/**
	 * Create a filter that also keeps the async requests open, for a drain to end.
	 * @param counter where requests are counted
	 * @param outOfMemory told of an {@link OutOfMemoryError} thrown by a request, before it is rethrown
	 * @param asyncStreams where open async requests are kept
	 */
	public RequestCountingFilter(RequestCounter counter, Consumer<OutOfMemoryError> outOfMemory,
			AsyncStreams asyncStreams) {
		this.counter = counter;
		this.outOfMemory = outOfMemory;
		this.asyncStreams = asyncStreams;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		this.counter.started();
		long start = System.nanoTime();
		boolean failed = true;
		try {
			chain.doFilter(request, response);
			failed = false;
		}
		catch (Throwable failure) {
			OutOfMemoryError error = OutOfMemoryErrors.find(failure);
			if (error != null) {
				this.outOfMemory.accept(error);
			}
			throw failure;
		}
		finally {
			this.counter.finished();
			if (failed) {
				// the container answers an exception that leaves the filter chain with a 500
				this.counter.answered(500, System.nanoTime() - start);
			}
			else if (request.isAsyncStarted()) {
				AsyncContext context = request.getAsyncContext();
				context.addListener(new AnsweredListener(this.counter, this.asyncStreams, context, start));
				this.asyncStreams.started(context);
			}
			else {
				this.counter.answered(status(response), System.nanoTime() - start);
			}
		}
	}

	private static int status(ServletResponse response) {
		return (response instanceof HttpServletResponse http) ? http.getStatus() : 200;
	}

	/**
	 * Counts an async request as answered when its async work ends, with the status it ended with, and forgets it
	 * as open.
	 */
	private record AnsweredListener(RequestCounter counter, AsyncStreams streams, AsyncContext context,
			long start) implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			this.streams.completed(this.context);
			ServletResponse response = event.getSuppliedResponse();
			String type = response.getContentType();
			// a stream (server-sent events) lasts as long as it is open: its length says nothing of the app's speed
			boolean stream = type != null && type.startsWith("text/event-stream");
			this.counter.answered(status(response), stream ? -1 : System.nanoTime() - this.start);
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			// onComplete follows, with the status the timeout left
		}

		@Override
		public void onError(AsyncEvent event) {
			// onComplete follows
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			event.getAsyncContext().addListener(this);
		}

	}

}
