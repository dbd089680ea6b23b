package dev.bootsupervisor.master;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WatchdogSettings;
import dev.bootsupervisor.master.MasterTests.MutableClock;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;

/**
 * A master driven step by step with fake worker processes and recording channel connections, which write what
 * happens to every worker (frames sent to it, signals) into one ordered log.
 */
final class FakeCluster {

	final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	/** Everything that happened to a worker, in order: "pid GRANT epoch=1", "pid TERM", "pid closed: why". */
	final List<String> log = new ArrayList<>();

	final List<Process> started = new ArrayList<>();

	final Map<Long, Connection> connections = new HashMap<>();

	final Master master;

	FakeCluster(int workers, EpochStore epochs) {
		this(new SupervisorSettings("test", workers, null, 8080, 100, Duration.ofSeconds(1),
				Duration.ofSeconds(30), Duration.ofMinutes(1), 3, Duration.ofSeconds(60 * 5), Duration.ofMinutes(5),
				Duration.ofSeconds(30), Duration.ofMinutes(2), Path.of("/nonexistent"), WatchdogSettings.OFF), epochs);
	}

	FakeCluster(SupervisorSettings settings, EpochStore epochs) {
		this.master = new Master(settings, this::start, this.clock, this.clock.instant(), 8080,
				(pid) -> new ProcessSample('S', Duration.ZERO), new SplittableRandom(7), epochs);
	}

	/** Start the master and make every worker ready, one after the other. */
	FakeCluster running() {
		this.master.start();
		for (int id = 1; id <= this.master.slotCount(); id++) {
			this.clock.advance(Duration.ofMillis(100));
			ready(this.master.worker(id));
		}
		return this;
	}

	private WorkerProcess start(int workerId, int generation) {
		Process process = new Process(2000 + this.started.size());
		this.started.add(process);
		return process;
	}

	/** Connect the worker, report it ready and run the loop once. */
	Connection ready(WorkerHandle worker) {
		Connection connection = connect(worker);
		post(connection, Frame.of(MessageType.READY));
		return connection;
	}

	Connection connect(WorkerHandle worker) {
		Connection connection = new Connection(worker.pid());
		connection.role("worker");
		this.connections.put(worker.pid(), connection);
		this.master.post(new MasterEvent.WorkerConnected(connection, worker.workerId(), worker.generation(),
				worker.pid()));
		step();
		return connection;
	}

	void post(Connection connection, Frame frame) {
		this.master.post(new MasterEvent.Message(connection, frame));
		step();
	}

	/** Send a frame from the current worker of a slot. */
	void from(int id, Frame frame) {
		post(connection(id), frame);
	}

	Connection connection(int id) {
		return this.connections.get(this.master.worker(id).pid());
	}

	Process process(long pid) {
		return this.started.stream().filter((p) -> p.pid == pid).findFirst().orElseThrow();
	}

	WorkerHandle leader() {
		return this.master.view()
			.workers()
			.stream()
			.filter((w) -> w.leader())
			.findFirst()
			.map((w) -> this.master.byPid(w.pid()))
			.orElse(null);
	}

	void step() {
		this.master.drain();
		this.master.tick();
	}

	void pass(Duration duration) {
		for (long i = 0; i < duration.toMillis() / 100; i++) {
			this.clock.advance(Duration.ofMillis(100));
			step();
		}
	}

	/** The frames of a type a worker was sent. */
	List<Frame> sent(long pid, MessageType type) {
		return this.connections.get(pid).sent.stream().filter((frame) -> frame.type() == type).toList();
	}

	/** A worker process that logs the signals it gets. */
	final class Process implements WorkerProcess {

		final long pid;

		final CompletableFuture<Integer> exit = new CompletableFuture<>();

		Process(long pid) {
			this.pid = pid;
		}

		void exit(int code) {
			FakeCluster.this.log.add(this.pid + " exited " + code);
			this.exit.complete(code);
			step();
		}

		@Override
		public long pid() {
			return this.pid;
		}

		@Override
		public CompletableFuture<Integer> onExit() {
			return this.exit;
		}

		@Override
		public void terminate() {
			FakeCluster.this.log.add(this.pid + " TERM");
		}

		@Override
		public void kill() {
			FakeCluster.this.log.add(this.pid + " KILL");
		}

		@Override
		public void dumpThreads() {
			FakeCluster.this.log.add(this.pid + " QUIT");
		}

		@Override
		public void resume() {
			FakeCluster.this.log.add(this.pid + " CONT");
		}

	}

	/** A worker's channel connection that logs what the master sends it. */
	final class Connection extends ChannelConnection {

		final long pid;

		final List<Frame> sent = new ArrayList<>();

		String closedFor;

		Connection(long pid) {
			super((int) pid, null);
			this.pid = pid;
		}

		@Override
		synchronized void send(Frame frame) {
			if (this.closedFor == null) {
				this.sent.add(frame);
				FakeCluster.this.log.add(this.pid + " " + frame.type() + " " + frame.fields());
			}
		}

		@Override
		void close(String reason) {
			if (this.closedFor == null) {
				this.closedFor = (reason != null) ? reason : "closed";
				FakeCluster.this.log.add(this.pid + " closed: " + this.closedFor);
				super.close(null);
			}
		}

		@Override
		boolean isClosed() {
			return this.closedFor != null;
		}

	}

}
