package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ClusterPhase;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds the master loop random messages from workers and control clients, from a seeded generator, a fixed number
 * of cases: the master never throws, never stops, and answers each message with a reply or by closing only that
 * connection.
 */
@Timeout(60)
class MasterMessageFuzzTests {

	private static final long SEED = 424242L;

	private static final int CASES = 5_000;

	private static final List<String> COMMANDS = List.of("view", "reload", "scale", "status", "", "stop ", "x");

	private static final List<String> KEYS = List.of("command", "workers", "id", "deadline", "heapUsed", "heapMax",
			"health", "error", "reason", "role", "token", "worker", "generation", "pid");

	@Test
	void randomMessagesNeverBreakTheMaster() {
		MasterTests.MutableClock clock = new MasterTests.MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
		MasterTests.FakeFactory factory = new MasterTests.FakeFactory();
		SupervisorSettings settings = new SupervisorSettings("fuzz", 2, null, 8080, 100, Duration.ofSeconds(1),
				Duration.ofSeconds(30), Duration.ofMinutes(1), 3, Duration.ofSeconds(60), Duration.ofMinutes(5),
				Duration.ofSeconds(30), Duration.ofMinutes(2), Path.of("/nonexistent"));
		Master master = new Master(settings, factory, clock, clock.instant(), 8080);
		master.start();
		for (int id = 1; id <= 2; id++) {
			ChannelConnection connection = new ChannelConnection(id, null);
			connection.role("worker");
			WorkerHandle worker = master.worker(id);
			master.post(new MasterEvent.WorkerConnected(connection, id, worker.generation(), worker.pid()));
			master.post(new MasterEvent.Message(connection, Frame.of(MessageType.READY)));
		}
		master.drain();
		assertThat(master.phase()).isEqualTo(ClusterPhase.RUNNING);
		Random random = new Random(SEED);
		int replies = 0;
		int closed = 0;
		for (int i = 0; i < CASES; i++) {
			boolean asWorker = random.nextInt(3) == 0;
			Recording connection = new Recording(i);
			if (asWorker) {
				connection.role("worker");
				// a worker connection that the master has not verified, or a verified one of a live worker
				if (random.nextBoolean()) {
					WorkerHandle worker = master.worker(1 + random.nextInt(2));
					master.post(new MasterEvent.WorkerConnected(connection, worker.workerId(), worker.generation(),
							random.nextBoolean() ? worker.pid() : random.nextLong()));
				}
			}
			else {
				connection.role("control");
			}
			master.post(new MasterEvent.Message(connection, randomFrame(random)));
			if (random.nextInt(10) == 0) {
				master.post(new MasterEvent.Disconnected(connection));
			}
			master.drain();
			master.tick();
			assertThat(master.phase()).as("case %d", i).isEqualTo(ClusterPhase.RUNNING);
			replies += connection.sent.size();
			closed += connection.isClosed() ? 1 : 0;
			if (master.reloading()) {
				// let a reload that a case started end, so later cases meet a settled cluster
				factory.started.get(factory.started.size() - 1).exit(1);
				master.drain();
			}
		}
		assertThat(replies).as("replies").isPositive();
		assertThat(closed).as("connections closed for malformed messages").isPositive();
		assertThat(master.view().workers()).hasSizeGreaterThanOrEqualTo(1);
	}

	private static Frame randomFrame(Random random) {
		MessageType[] types = MessageType.values();
		MessageType type = (random.nextInt(3) == 0) ? types[random.nextInt(types.length)] : MessageType.REQUEST;
		Map<String, String> fields = new LinkedHashMap<>();
		if (random.nextInt(5) != 0) {
			fields.put("command", COMMANDS.get(random.nextInt(COMMANDS.size())));
		}
		int extra = random.nextInt(4);
		for (int f = 0; f < extra; f++) {
			fields.put(KEYS.get(random.nextInt(KEYS.size())), value(random));
		}
		return new Frame(type, fields);
	}

	private static String value(Random random) {
		return switch (random.nextInt(5)) {
			case 0 -> String.valueOf(random.nextInt(2000) - 500);
			case 1 -> String.valueOf(random.nextLong());
			case 2 -> "";
			case 3 -> "9".repeat(1 + random.nextInt(30));
			default -> Long.toString(random.nextLong(), 36);
		};
	}

	/** A connection that keeps what the master sends it. */
	private static final class Recording extends ChannelConnection {

		private final List<Frame> sent = new ArrayList<>();

		Recording(int id) {
			super(1000 + id, null);
		}

		@Override
		synchronized void send(Frame frame) {
			this.sent.add(frame);
		}

	}

}
