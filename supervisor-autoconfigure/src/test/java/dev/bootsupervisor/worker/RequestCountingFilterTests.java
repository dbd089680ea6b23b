package dev.bootsupervisor.worker;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link RequestCountingFilter}.
 */
class RequestCountingFilterTests {

	private final RequestCounter counter = new RequestCounter();

	private final List<OutOfMemoryError> reported = new ArrayList<>();

	private final RequestCountingFilter filter = new RequestCountingFilter(this.counter, this.reported::add);

	@Test
	void countsARequestInFlightWhileItRunsAndCompletedAfter() throws Exception {
		List<Long> inFlightDuring = new ArrayList<>();
		this.filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(),
				new MockFilterChain(servlet(() -> inFlightDuring.add(this.counter.inFlight()))));
		assertThat(inFlightDuring).containsExactly(1L);
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.completed()).isOne();
		assertThat(this.reported).isEmpty();
	}

	@Test
	void countsAFailedRequestAsCompleted() {
		assertThatThrownBy(() -> this.filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(),
				new MockFilterChain(servlet(() -> {
					throw new IllegalStateException("boom");
				})))).isInstanceOf(IllegalStateException.class);
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.completed()).isOne();
		assertThat(this.reported).isEmpty();
	}

	@Test
	void countsAnAsyncRequestAsCompletedWhenItsFirstDispatchReturns() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.setAsyncSupported(true);
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.filter.doFilter(request, response, new MockFilterChain(servlet(() -> request.startAsync())));
		assertThat(request.isAsyncStarted()).isTrue();
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.completed()).isOne();
	}

	@Test
	void reportsAnOutOfMemoryErrorBeforeRethrowingIt() {
		OutOfMemoryError error = new OutOfMemoryError("Java heap space");
		assertThatThrownBy(() -> this.filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(),
				new MockFilterChain(servlet(() -> {
					throw error;
				})))).isSameAs(error);
		assertThat(this.reported).containsExactly(error);
		assertThat(this.counter.inFlight()).isZero();
		assertThat(this.counter.completed()).isOne();
	}

	@Test
	void reportsAnOutOfMemoryErrorThatTheFrameworkWrapped() {
		OutOfMemoryError error = new OutOfMemoryError("Java heap space");
		ServletException wrapped = new ServletException("Handler dispatch failed: " + error, error);
		assertThatThrownBy(() -> this.filter.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(),
				new MockFilterChain(servlet(() -> {
					throw wrapped;
				})))).isSameAs(wrapped);
		assertThat(this.reported).containsExactly(error);
	}

	private static HttpServlet servlet(Body body) {
		return new HttpServlet() {

			@Override
			protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException {
				body.run();
			}

		};
	}

	@FunctionalInterface
	private interface Body {

		void run() throws ServletException;

	}

}
