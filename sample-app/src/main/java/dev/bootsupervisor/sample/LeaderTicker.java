package dev.bootsupervisor.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import dev.bootsupervisor.cluster.LeaderOnly;
import dev.bootsupervisor.cluster.Leadership;

import org.springframework.scheduling.annotation.Scheduled;

/**
 * The leader's task of the sample: once a second, on the second, it appends
 * {@code <epoch> <worker id> <pid> <ISO-8601 instant>} to the tick file. A firing whose second began before this
 * worker was granted leadership is skipped: it was scheduled for the previous leader's time; so is one that runs so
 * late that its second already has a line from this worker.
 */
public class LeaderTicker {

	private final Path file;

	private final Leadership leadership;

	private final WorkerIdentity identity;

	private final Clock clock;

	private Instant lastSecond = Instant.EPOCH;

	LeaderTicker(Path file, Leadership leadership, WorkerIdentity identity, Clock clock) {
		this.file = file;
		this.leadership = leadership;
		this.identity = identity;
		this.clock = clock;
	}

	@LeaderOnly
	@Scheduled(cron = "* * * * * *")
	public synchronized void tick() throws IOException {
		Instant now = this.clock.instant();
		Instant second = now.truncatedTo(ChronoUnit.SECONDS);
		Optional<Instant> since = this.leadership.grantedAt();
		if (since.isEmpty() || second.isBefore(since.get()) || !second.isAfter(this.lastSecond)) {
			return;
		}
		this.lastSecond = second;
		String line = this.leadership.epoch() + " " + this.identity.worker() + " " + this.identity.pid() + " " + now
				+ "\n";
		// opened, appended and closed each time: a line is whole in the file once the call returns
		Files.writeString(this.file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
				StandardOpenOption.APPEND, StandardOpenOption.WRITE);
	}

}
