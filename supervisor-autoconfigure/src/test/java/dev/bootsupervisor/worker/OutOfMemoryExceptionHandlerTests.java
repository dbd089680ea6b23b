package dev.bootsupervisor.worker;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link OutOfMemoryExceptionHandler}.
 */
class OutOfMemoryExceptionHandlerTests {

	private final List<OutOfMemoryError> reported = new ArrayList<>();

	private final List<Throwable> previous = new ArrayList<>();

	private final OutOfMemoryExceptionHandler handler = new OutOfMemoryExceptionHandler(
			(thread, failure) -> this.previous.add(failure), this.reported::add);

	@Test
	void reportsAThreadThatDiedOfAnOutOfMemoryErrorThenHandsItOn() {
		OutOfMemoryError error = new OutOfMemoryError("Java heap space");
		this.handler.uncaughtException(Thread.currentThread(), error);
		assertThat(this.reported).containsExactly(error);
		assertThat(this.previous).containsExactly(error);
	}

	@Test
	void reportsAnOutOfMemoryErrorAmongTheCauses() {
		OutOfMemoryError error = new OutOfMemoryError("Metaspace");
		RuntimeException wrapped = new RuntimeException(new IllegalStateException(error));
		this.handler.uncaughtException(Thread.currentThread(), wrapped);
		assertThat(this.reported).containsExactly(error);
		assertThat(this.previous).containsExactly(wrapped);
	}

	@Test
	void onlyHandsOnOtherFailures() {
		IllegalStateException failure = new IllegalStateException("boom");
		this.handler.uncaughtException(Thread.currentThread(), failure);
		assertThat(this.reported).isEmpty();
		assertThat(this.previous).containsExactly(failure);
	}

}
