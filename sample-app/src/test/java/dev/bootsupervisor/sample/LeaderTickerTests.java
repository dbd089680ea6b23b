package dev.bootsupervisor.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import dev.bootsupervisor.cluster.Leadership;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.worker.LeaderElection;
import dev.bootsupervisor.worker.LeaderState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LeaderTicker}.
 */
class LeaderTickerTests {

	private static final Instant GRANTED = Instant.parse("2026-12-02T20:00:10.300Z");

	private final AtomicReference<Instant> now = new AtomicReference<>(GRANTED);

	private final Clock clock = new Clock() {

		@Override
		public Instant instant() {
			return LeaderTickerTests.this.now.get();
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	};

	private final LeaderElection election = new LeaderElection(2, new LeaderState(), (frame) -> {
	}, this.clock);

	@TempDir
	Path directory;

	@AfterEach
	void close() {
		this.election.close(Duration.ZERO);
	}

	@Test
	void writesOneLinePerSecondFromTheGrantOn() throws Exception {
		Path file = this.directory.resolve("ticks");
		LeaderTicker ticker = new LeaderTicker(file, new Leadership(this.election), new WorkerIdentity(77, 2, 1),
				this.clock);
		ticker.tick();
		assertThat(file).doesNotExist();
		this.election.accept(Frame.of(MessageType.GRANT, "epoch", 9));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.election.state().isLeader());
		this.now.set(Instant.parse("2026-12-02T20:00:10.900Z"));
		ticker.tick();
		assertThat(file).as("a late firing of the second the grant came in").doesNotExist();
		this.now.set(Instant.parse("2026-12-02T20:00:11.001Z"));
		ticker.tick();
		this.now.set(Instant.parse("2026-12-02T20:00:11.999Z"));
		ticker.tick();
		this.now.set(Instant.parse("2026-12-02T20:00:12.002Z"));
		ticker.tick();
		assertThat(Files.readAllLines(file)).containsExactly("9 2 77 2026-12-02T20:00:11.001Z",
				"9 2 77 2026-12-02T20:00:12.002Z");
	}

}
