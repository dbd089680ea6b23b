package dev.bootsupervisor.worker;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.MemoryUsage;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

import dev.bootsupervisor.base.SystemExit;
import dev.bootsupervisor.protocol.BrokenCause;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link WorkerRuntime} on a real Unix socket, the test playing the master.
 */
class WorkerRuntimeTests {

	private static final long MB = 1024 * 1024;

	@TempDir
	Path directory;

	private final List<Integer> exits = new CopyOnWriteArrayList<>();

	private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();

	private final OldGenerationTracker oldGeneration = new OldGenerationTracker(256 * MB);

	private final CountDownLatch healthReleased = new CountDownLatch(1);

	private IntConsumer previousExit;

	private SocketChannel master;

	private WorkerRuntime runtime;

	@BeforeEach
	void connect() throws IOException {
		this.previousExit = SystemExit.replace(this.exits::add);
		UnixDomainSocketAddress address = UnixDomainSocketAddress.of(this.directory.resolve("channel.sock"));
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(address);
			SocketChannel worker = SocketChannel.open(StandardProtocolFamily.UNIX);
			worker.connect(address);
			this.master = server.accept();
			this.runtime = new WorkerRuntime(3, 2, worker, this.oldGeneration);
		}
		Thread reader = new Thread(this::readFrames, "test-master-reader");
		reader.setDaemon(true);
		reader.start();
	}

	@AfterEach
	void disconnect() throws IOException {
		this.healthReleased.countDown();
		this.runtime.stopWatching();
		this.master.close();
		// The worker's guard sees its master go and exits
		await().atMost(Duration.ofSeconds(10)).until(() -> this.exits.contains(0));
		SystemExit.replace(this.previousExit);
	}

	@Test
	void heartbeatCarriesTheVitals() throws Exception {
		this.runtime.requests().started();
		this.runtime.requests().started();
		this.runtime.requests().finished();
		this.oldGeneration.record("MarkSweepCompact", "end of major GC", 1,
				Map.of("Tenured Gen", new MemoryUsage(0, 100 * MB, 100 * MB, 200 * MB)));
		this.runtime.healthSource(() -> "UP");
		this.runtime.connectionSource(() -> 7);
		this.runtime.watch(Duration.ofSeconds(5));
		Frame heartbeat = next(MessageType.HEARTBEAT, (frame) -> frame.fields().get("health").equals("UP"));
		assertThat(heartbeat.fields()).containsKeys("heapUsed", "heapMax")
			.containsEntry("connections", "7")
			.containsEntry("inFlight", "1")
			.containsEntry("completed", "1")
			.containsEntry("oldCollections", "1")
			.containsEntry("oldAfterGc", "50.0");
		assertThat(heartbeat.requireLong("cpu")).isPositive();
	}

	@Test
	void heartbeatSaysWhenThereWasNoOldCollectionYet() throws Exception {
		this.runtime.watch(Duration.ofSeconds(5));
		Frame heartbeat = next(MessageType.HEARTBEAT, (frame) -> true);
		assertThat(heartbeat.fields()).containsEntry("oldCollections", "0")
			.containsEntry("connections", "-1")
			.containsEntry("oldAfterGc", "-")
			.containsEntry("inFlight", "0")
			.containsEntry("completed", "0");
	}

	@Test
	void aHealthCheckThatHangsDoesNotDelayTheHeartbeats() throws Exception {
		this.runtime.healthSource(() -> {
			try {
				this.healthReleased.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return "UP";
		});
		this.runtime.watch(Duration.ofSeconds(5));
		// Two in a row, a second apart: the heartbeat thread goes on while the health thread waits
		next(MessageType.HEARTBEAT, (frame) -> true);
		Frame heartbeat = next(MessageType.HEARTBEAT, (frame) -> true);
		assertThat(heartbeat.fields()).containsEntry("health", "UNKNOWN");
	}

	@Test
	void stopAcceptingClosesTheGateAndAnswersDraining() throws Exception {
		AcceptGate gate = new AcceptGate();
		gate.open();
		new WatchdogGateCloser(gate, () -> Optional.of(this.runtime)).afterSingletonsInstantiated();
		this.runtime.watch(Duration.ofSeconds(5));
		FrameCodec.write(this.master, Frame.of(MessageType.STOP_ACCEPTING));
		Frame draining = next(MessageType.DRAINING, (frame) -> true);
		assertThat(draining.fields()).containsEntry("reason", "the master's watchdog closed the accept gate");
		assertThat(gate.state()).isEqualTo(AcceptGate.State.DRAINED);
		// Closing the gate does not stop the worker
		assertThat(this.exits).isEmpty();
	}

	@Test
	void refuseTrafficLowersReadinessWithoutStopping() throws Exception {
		List<Object> events = new CopyOnWriteArrayList<>();
		new ShutdownDelayReadiness(events::add, () -> Optional.of(this.runtime)).afterSingletonsInstantiated();
		this.runtime.watch(Duration.ofSeconds(5));
		FrameCodec.write(this.master, Frame.of(MessageType.REFUSE_TRAFFIC));
		await().atMost(Duration.ofSeconds(5)).until(() -> !events.isEmpty());
		assertThat(events).singleElement()
			.isInstanceOfSatisfying(AvailabilityChangeEvent.class,
					(event) -> assertThat(event.getState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC));
		assertThat(this.exits).isEmpty();
	}

	@Test
	void reportsEachBrokenCauseOnce() throws Exception {
		this.runtime.watch(Duration.ofSeconds(5));
		this.runtime.reportBroken(BrokenCause.DEADLOCK, "2 threads deadlocked:\n\"a\" waits for \"b\"");
		this.runtime.reportBroken(BrokenCause.DEADLOCK, "again");
		this.runtime.reportOutOfMemory(new OutOfMemoryError("Java heap space"));
		this.runtime.reportOutOfMemory(new OutOfMemoryError("Java heap space"));
		this.runtime.reportBroken(BrokenCause.LIVENESS, "x".repeat(5000));
		this.runtime.reportReady();
		List<Frame> broken = new CopyOnWriteArrayList<>();
		next(MessageType.READY, (frame) -> true, broken);
		assertThat(broken).extracting((frame) -> frame.fields().get("cause"))
			.containsExactly("deadlock", "out-of-memory", "liveness");
		assertThat(broken.get(0).fields()).containsEntry("detail", "2 threads deadlocked: \"a\" waits for \"b\"");
		assertThat(broken.get(1).fields().get("detail")).startsWith("OutOfMemoryError: Java heap space in thread");
		assertThat(broken.get(2).fields().get("detail")).hasSize(1000).endsWith("...");
	}

	@Test
	void aStartFailureIsReportedByItsRootCauseFirst() throws Exception {
		Exception locked = new java.sql.SQLException("Database may be already in use: \"/tmp/db.mv.db\".\nPossible "
				+ "solutions: close all other connection(s); use the server mode [90020-232]");
		Exception dialect = new IllegalStateException("Unable to determine Dialect without JDBC metadata", locked);
		Exception failure = new IllegalArgumentException("Error creating bean with name 'entityManagerFactory': "
				+ "x".repeat(3000) + ": Unable to determine Dialect without JDBC metadata", dialect);
		this.runtime.watch(Duration.ofSeconds(5));
		this.runtime.reportFailure(failure);
		Frame failed = next(MessageType.FAILED, (frame) -> true);
		assertThat(failed.fields().get("error")).startsWith("SQLException: Database may be already in use: "
				+ "\"/tmp/db.mv.db\". Possible solutions")
			.contains("(the root cause of IllegalArgumentException: Error creating bean with name 'entityManagerFactory'")
			.hasSizeLessThan(2000);
	}

	@Test
	void aFailureWithoutACauseOrWithACycleIsDescribedOnce() {
		this.runtime.watch(Duration.ofSeconds(5));
		assertThat(WorkerRuntime.describeFailure(new IllegalStateException("no key")))
			.isEqualTo("IllegalStateException: no key");
		IllegalStateException outer = new IllegalStateException("outer");
		IllegalArgumentException inner = new IllegalArgumentException("inner", outer);
		outer.initCause(inner);
		assertThat(WorkerRuntime.describeFailure(outer)).isEqualTo("IllegalArgumentException: inner (the root cause of IllegalStateException: outer)");
	}

	private Frame next(MessageType type, Predicate<Frame> matching) throws InterruptedException {
		return next(type, matching, new CopyOnWriteArrayList<>());
	}

	/** The next frame of the type that matches, the BROKEN frames before it collected. */
	private Frame next(MessageType type, Predicate<Frame> matching, List<Frame> broken)
			throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() - deadline < 0) {
			Frame frame = this.received.poll(100, TimeUnit.MILLISECONDS);
			if (frame != null && frame.type() == MessageType.BROKEN) {
				broken.add(frame);
			}
			if (frame != null && frame.type() == type && matching.test(frame)) {
				return frame;
			}
		}
		throw new AssertionError("No " + type + " within 10 s; the rest: " + this.received);
	}

	private void readFrames() {
		try (InputStream in = new BufferedInputStream(Channels.newInputStream(this.master))) {
			while (true) {
				this.received.add(FrameCodec.read(in));
			}
		}
		catch (Exception ex) {
			// The test closed the channel
		}
	}

}
