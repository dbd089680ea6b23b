package dev.bootsupervisor.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.bootsupervisor.actuate.ClusterViews;
import dev.bootsupervisor.protocol.ClusterView;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Tests for {@link WorkerClusterViewSource}.
 */
class WorkerClusterViewSourceTests {

	private final AtomicLong nanoTime = new AtomicLong();

	private final List<Duration> requests = new ArrayList<>();

	@Test
	void asksTheMasterWithATimeout() throws IOException {
		ClusterView view = ClusterViews.of(Map.of(), ClusterViews.ready(1, 11));
		WorkerClusterViewSource source = new WorkerClusterViewSource(answering(view), this.nanoTime::get);
		assertThat(source.clusterView()).isSameAs(view);
		assertThat(this.requests).containsExactly(WorkerClusterViewSource.TIMEOUT);
	}

	@Test
	void reusesAnAnswerForOneSecond() throws IOException {
		WorkerClusterViewSource source = new WorkerClusterViewSource(
				answering(ClusterViews.of(Map.of(), ClusterViews.ready(1, 11))), this.nanoTime::get);
		source.clusterView();
		this.nanoTime.addAndGet(Duration.ofMillis(999).toNanos());
		source.clusterView();
		assertThat(this.requests).hasSize(1);
		this.nanoTime.addAndGet(Duration.ofMillis(1).toNanos());
		source.clusterView();
		assertThat(this.requests).hasSize(2);
	}

	@Test
	void asksAgainAfterAnAvailabilityChangeOfThisWorker() throws IOException {
		WorkerClusterViewSource source = new WorkerClusterViewSource(
				answering(ClusterViews.of(Map.of(), ClusterViews.ready(1, 11))), this.nanoTime::get);
		source.clusterView();
		source.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
		source.clusterView();
		assertThat(this.requests).hasSize(2);
	}

	@Test
	void reusesAFailureForOneSecond() {
		WorkerClusterViewSource source = new WorkerClusterViewSource((timeout) -> {
			this.requests.add(timeout);
			throw new IOException("no answer");
		}, this.nanoTime::get);
		assertThatIOException().isThrownBy(source::clusterView).withMessage("no answer");
		assertThatIOException().isThrownBy(source::clusterView).withMessage("no answer");
		assertThat(this.requests).hasSize(1);
	}

	@Test
	void failsOutsideAWorker() {
		assertThatIOException().isThrownBy(() -> new WorkerClusterViewSource(Optional::empty).clusterView())
			.withMessageContaining("not a supervised worker");
	}

	private WorkerClusterViewSource.Master answering(ClusterView view) {
		return (timeout) -> {
			this.requests.add(timeout);
			return view;
		};
	}

}
