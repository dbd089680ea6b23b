package dev.bootsupervisor.metrics;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.bootsupervisor.actuate.ClusterViews;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorMetrics}.
 */
class SupervisorMetricsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final AtomicReference<ClusterView> view = new AtomicReference<>(ClusterViews.of(Map.of("crash", 1),
			ClusterViews.ready(1, 11), ClusterViews.worker(2, 22, WorkerState.STARTING)));

	private final AtomicInteger requests = new AtomicInteger();

	private final SupervisorMetrics metrics = new SupervisorMetrics(() -> {
		this.requests.incrementAndGet();
		ClusterView view = this.view.get();
		if (view == null) {
			throw new IOException("no answer");
		}
		return view;
	});

	@Test
	void countsWorkersByState() {
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("supervisor.workers").tag("state", "ready").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("supervisor.workers").tag("state", "starting").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("supervisor.workers").tag("state", "failed").gauge().value()).isZero();
		assertThat(this.registry.get("supervisor.workers").tag("state", "restarting").gauge().value()).isZero();
		assertThat(this.registry.get("supervisor.workers").gauges()).hasSize(SupervisorMetrics.STATES.size());
		assertThat(this.registry.get("supervisor.workers").gauge().getId().getBaseUnit()).isEqualTo("workers");
		assertThat(this.registry.get("supervisor.workers").gauge().getId().getDescription()).isNotBlank();
	}

	@Test
	void countsARestartingWorkerAsRestartingNotFailed() {
		this.view.set(ClusterViews.of(Map.of("crash", 1), ClusterViews.restarting(1, 11), ClusterViews.ready(2, 22)));
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("supervisor.workers").tag("state", "restarting").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("supervisor.workers").tag("state", "failed").gauge().value()).isZero();
		assertThat(this.registry.get("supervisor.workers").tag("state", "ready").gauge().value()).isEqualTo(1);
	}

	@Test
	void countsRestartsByReason() {
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("supervisor.worker.restarts").tag("reason", "crash").functionCounter().count())
			.isEqualTo(1);
		assertThat(this.registry.get("supervisor.worker.restarts")
			.tag("reason", "startup-timeout")
			.functionCounter()
			.count()).isZero();
	}

	@Test
	void keepsTheLastRestartCountWhenTheMasterDoesNotAnswer() {
		this.metrics.bindTo(this.registry);
		this.view.set(null);
		assertThat(this.registry.get("supervisor.worker.restarts").tag("reason", "crash").functionCounter().count())
			.isEqualTo(1);
		assertThat(this.registry.get("supervisor.workers").tag("state", "ready").gauge().value()).isNaN();
	}

	@Test
	void countsLeadershipChangesAndShowsTheEpoch() {
		ClusterView base = ClusterViews.of(Map.of(), ClusterViews.ready(1, 11));
		this.view.set(new ClusterView(base.name(), base.masterPid(), base.masterStartedAt(), base.state(),
				base.configuredWorkers(), base.liveWorkers(), base.port(), base.sharing(), base.at(), base.workers(),
				Map.of(), Map.of(), 9, 4));
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("supervisor.leader.changes").functionCounter().count()).isEqualTo(4);
		assertThat(this.registry.get("supervisor.leader.epoch").gauge().value()).isEqualTo(9);
	}

	@Test
	void measuresUptimes() {
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("supervisor.master.uptime").timeGauge().value(TimeUnit.SECONDS)).isEqualTo(60);
		assertThat(this.registry.get("supervisor.worker.uptime").tag("worker", "1").timeGauge().value(TimeUnit.SECONDS))
			.isEqualTo(30);
		assertThat(this.registry.get("supervisor.worker.uptime").timeGauge().getId().getBaseUnit())
			.isEqualTo("seconds");
	}

	@Test
	void registersAWorkerUptimeForEveryConfiguredWorkerEvenBeforeItAppears() {
		this.view.set(ClusterViews.of(Map.of(), ClusterViews.ready(1, 11)));
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("supervisor.worker.uptime").tag("worker", "2").timeGauge().value()).isNaN();
	}

	@Test
	void registersMetersForWorkersAndReasonsThatAppearLater() {
		this.metrics.bindTo(this.registry);
		this.view.set(ClusterViews.of(Map.of("crash", 1, "hung", 2), ClusterViews.ready(1, 11),
				ClusterViews.ready(2, 22), ClusterViews.ready(3, 33)));
		this.registry.get("supervisor.workers").tag("state", "ready").gauge().value();
		assertThat(this.registry.get("supervisor.worker.uptime").tag("worker", "3").timeGauge().value(TimeUnit.SECONDS))
			.isEqualTo(30);
		assertThat(this.registry.get("supervisor.worker.restarts").tag("reason", "hung").functionCounter().count())
			.isEqualTo(2);
	}

	@Test
	void registersWithoutAMaster() {
		this.view.set(null);
		this.metrics.bindTo(this.registry);
		assertThat(this.registry.get("supervisor.master.uptime").timeGauge().value()).isNaN();
	}

}
