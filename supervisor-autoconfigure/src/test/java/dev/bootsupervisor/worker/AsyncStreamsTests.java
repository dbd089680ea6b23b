package dev.bootsupervisor.worker;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * Tests for {@link AsyncStreams}.
 */
class AsyncStreamsTests {

	private final AsyncStreams streams = new AsyncStreams();

	@Test
	void completesTheStreamsWhoseResponseStartedAndLeavesTheOthers() {
		AsyncContext stream = context(true);
		AsyncContext waiting = context(false);
		this.streams.started(stream);
		this.streams.started(waiting);
		assertThat(this.streams.endAll()).isOne();
		verify(stream).complete();
		verify(waiting, never()).complete();
		assertThat(this.streams.openCount()).isOne();
	}

	@Test
	void forgetsWhatCompleted() {
		AsyncContext stream = context(true);
		this.streams.started(stream);
		this.streams.completed(stream);
		assertThat(this.streams.endAll()).isZero();
		verify(stream, never()).complete();
	}

	@Test
	void skipsAStreamThatCompletedMeanwhile() {
		AsyncContext stream = context(true);
		willThrow(new IllegalStateException("completed")).given(stream).complete();
		this.streams.started(stream);
		assertThat(this.streams.endAll()).isZero();
		assertThat(this.streams.openCount()).isZero();
	}

	@Test
	void aStreamStartedAfterTheStreamsWereToldToGoIsEndedToo() {
		AsyncContext early = context(true);
		assertThat(this.streams.endLateStarters()).as("before the grace ended").isZero();
		this.streams.started(early);
		this.streams.endAll();
		verify(early).complete();
		// a client that reconnected at once on the connection the draining worker kept alive
		AsyncContext late = context(true);
		this.streams.started(late);
		verify(late).complete();
		AsyncContext lateUncommitted = context(false);
		this.streams.started(lateUncommitted);
		verify(lateUncommitted, never()).complete();
		given(lateUncommitted.getResponse().isCommitted()).willReturn(true);
		assertThat(this.streams.endLateStarters()).isOne();
		verify(lateUncommitted).complete();
	}

	private static AsyncContext context(boolean committed) {
		AsyncContext context = mock(AsyncContext.class);
		ServletResponse response = mock(ServletResponse.class);
		given(response.isCommitted()).willReturn(committed);
		given(context.getResponse()).willReturn(response);
		return context;
	}

}
