package dev.bootsupervisor.worker;

import java.io.IOException;
import java.util.function.Consumer;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * Counts this worker's requests in flight and completed for its heartbeat, and reports an
 * {@link OutOfMemoryError} that passes through a request before it goes on its way. An async request counts as
 * completed when its initial dispatch returns.
 */
public class RequestCountingFilter implements Filter {

	private final RequestCounter counter;

	private final Consumer<OutOfMemoryError> outOfMemory;

	/**
	 * Create a filter.
	 * @param counter where requests are counted
	 * @param outOfMemory told of an {@link OutOfMemoryError} thrown by a request, before it is rethrown
	 */
	public RequestCountingFilter(RequestCounter counter, Consumer<OutOfMemoryError> outOfMemory) {
		this.counter = counter;
		this.outOfMemory = outOfMemory;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		this.counter.started();
		try {
			chain.doFilter(request, response);
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
		}
	}

}
