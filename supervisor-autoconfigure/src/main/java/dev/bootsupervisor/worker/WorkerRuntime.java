package dev.bootsupervisor.worker;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.bootsupervisor.base.ExitCodes;
import dev.bootsupervisor.base.LaunchException;
import dev.bootsupervisor.base.OutputFiles;
import dev.bootsupervisor.base.SignalRouter;
import dev.bootsupervisor.base.SupervisorEnvironment;
import dev.bootsupervisor.base.SystemExit;
import dev.bootsupervisor.protocol.BrokenCause;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;

import org.springframework.core.env.Environment;

/**
 * The worker side of the master-worker channel: who this worker is, what it tells the master (ready, draining,
 * a heartbeat every second with its vitals, broken), and the guard that shuts the worker down when its master is
 * gone.
 */
public final class WorkerRuntime {

	private static final System.Logger log = System.getLogger(WorkerRuntime.class.getName());

	private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

	private static final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

	/** One JVM is one worker: a second start (a second application in the same JVM) gets the same runtime. */
	private static volatile WorkerRuntime started;

	private final int workerId;

	private final int generation;

	private final SocketChannel channel;

	private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
			Threads.daemon("supervisor-heartbeat"));

	/** Health indicators may be slow: they are checked here, so that they never delay a heartbeat. */
	private final ScheduledExecutorService healthChecks = Executors.newSingleThreadScheduledExecutor(
			Threads.daemon("supervisor-health"));

	private volatile Supplier<String> health = () -> "UNKNOWN";

	private volatile String healthStatus = "UNKNOWN";

	private final RequestCounter requests = new RequestCounter();

	private final OldGenerationTracker oldGeneration;

	/** Collections requested to measure the old generation when G1 leaves it unmeasured, {@code null} when off. */
	private volatile OnDemandCollections collectionRequests;

	private final DeadlockDetector deadlocks = new DeadlockDetector(
			(detail) -> reportBroken(BrokenCause.DEADLOCK, detail));

	private final BrokenReports broken;

	private volatile Runnable stopAccepting;

	private volatile IntSupplier connections = () -> -1;

	private volatile Runnable refuseTraffic = () -> {
	};

	private volatile Consumer<Frame> cluster = (frame) -> {
	};

	private final Map<String, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();

	private final AtomicLong requestIds = new AtomicLong();

	private volatile boolean exiting;

	WorkerRuntime(int workerId, int generation, SocketChannel channel, OldGenerationTracker oldGeneration) {
		this.workerId = workerId;
		this.generation = generation;
		this.channel = channel;
		this.oldGeneration = oldGeneration;
		this.broken = new BrokenReports(workerId, this::send, this::sendEncoded);
	}

	/**
	 * Connect this worker to its master: introduce it, start heartbeats and the master watch, and route TERM to
	 * a graceful exit with status 0 (INT is left to the master, which forwards TERM).
	 * @param environment the environment, carrying {@code supervisor.worker.id} and generation
	 * @return the runtime
	 * @throws LaunchException when this JVM was not started by a master
	 */
	public static synchronized WorkerRuntime start(Environment environment) throws LaunchException {
		if (started != null) {
			return started;
		}
		String path = System.getenv(SupervisorEnvironment.CHANNEL);
		String token = System.getenv(SupervisorEnvironment.TOKEN);
		if (path == null || token == null) {
			throw new LaunchException("supervisor.worker.id is set, but this JVM was not started by a Boot "
					+ "Supervisor master (" + SupervisorEnvironment.CHANNEL + " is missing); workers are started by "
					+ "the master only", ExitCodes.CONFIG);
		}
		int id = environment.getProperty("supervisor.worker.id", Integer.class, 0);
		int generation = environment.getProperty("supervisor.worker.generation", Integer.class, 1);
		SocketChannel channel;
		try {
			channel = SocketChannel.open(StandardProtocolFamily.UNIX);
			channel.connect(UnixDomainSocketAddress.of(path));
		}
		catch (IOException ex) {
			throw new LaunchException("Worker " + id + " cannot reach its master at " + path + ": " + ex.getMessage(),
					ExitCodes.FAILURE);
		}
		OldGenerationTracker oldGeneration = OldGenerationTracker.install();
		WorkerRuntime runtime = new WorkerRuntime(id, generation, channel, oldGeneration);
		runtime.collectionRequests = OnDemandCollections.install(heapAfterGc(environment), oldGeneration);
		if (runtime.collectionRequests != null) {
			runtime.collectionRequests.onFigures(runtime::heartbeat);
		}
		runtime.send(Frame.of(MessageType.HELLO, "role", "worker", "token", token, "worker", id, "generation",
				generation, "pid", ProcessHandle.current().pid()));
		SignalRouter.route(List.of("TERM", "INT"), runtime::onSignal);
		OutOfMemoryExceptionHandler.install(runtime::reportOutOfMemory);
		runtime.watch(DeadlockDetector.INTERVAL);
		started = runtime;
		return runtime;
	}

	/**
	 * Start the threads that talk to the master: its watch, the heartbeats, the health checks behind them and the
	 * deadlock checks.
	 * @param deadlockInterval how often to look for a deadlock
	 */
	void watch(Duration deadlockInterval) {
		Thread watch = new Thread(this::watchMaster, "supervisor-master-watch");
		watch.setDaemon(true);
		watch.start();
		this.healthChecks.scheduleWithFixedDelay(this::checkHealth, 0, HEARTBEAT_INTERVAL.toMillis(),
				TimeUnit.MILLISECONDS);
		this.heartbeats.scheduleAtFixedRate(this::heartbeat, 0, HEARTBEAT_INTERVAL.toMillis(),
				TimeUnit.MILLISECONDS);
		this.deadlocks.start(deadlockInterval);
	}

	/** Stop the heartbeats and checks, for tests: in a worker they end with its JVM. */
	void stopWatching() {
		this.heartbeats.shutdownNow();
		OnDemandCollections requests = this.collectionRequests;
		if (requests != null) {
			requests.stop();
		}
		this.healthChecks.shutdownNow();
		this.deadlocks.stop();
	}

	public int workerId() {
		return this.workerId;
	}

	public int generation() {
		return this.generation;
	}

	/** Tell the master that this worker accepts traffic. */
	public void reportReady() {
		send(Frame.of(MessageType.READY));
	}

	/** Tell the master that this worker stopped accepting new connections. */
	public void reportDraining() {
		send(Frame.of(MessageType.DRAINING, "reason", "worker is shutting down"));
	}

	/**
	 * Set where the health status sent with each heartbeat comes from. It is checked on a thread of its own, so a
	 * slow health indicator delays the status, never the heartbeat.
	 * @param health the supplier of the aggregate health status
	 */
	public void healthSource(Supplier<String> health) {
		this.health = health;
		if (!this.healthChecks.isShutdown()) {
			this.healthChecks.execute(this::checkHealth);
		}
	}

	/**
	 * Return the counter of this worker's HTTP requests, which its heartbeats report.
	 * @return the counter
	 */
	public RequestCounter requests() {
		return this.requests;
	}

	/**
	 * Set where the open connection count sent with each heartbeat comes from; -1 (unknown) until set.
	 * @param connections the count of this worker's open connections
	 */
	public void connectionSource(IntSupplier connections) {
		this.connections = connections;
	}

	/**
	 * Set what closes this worker's accept gate when the master's watchdog asks it to stop accepting.
	 * @param closeGate closes the gate without stopping the application
	 */
	public void onStopAccepting(Runnable closeGate) {
		this.stopAccepting = closeGate;
	}

	/**
	 * Set what lowers this worker's readiness when the master starts a shutdown delay.
	 * @param refuseTraffic sets readiness to refusing traffic, without closing the accept gate
	 */
	public void onRefuseTraffic(Runnable refuseTraffic) {
		this.refuseTraffic = refuseTraffic;
	}

	/**
	 * Set what receives the master's leadership and messaging frames ({@code GRANT}, {@code REVOKE},
	 * {@code DELIVER}, {@code SENT}). It is called on the thread that reads the channel, so it must hand the frame
	 * on and return at once. The master sends none of them before this worker reported ready.
	 * @param handler the receiver
	 */
	public void onClusterFrame(Consumer<Frame> handler) {
		this.cluster = handler;
	}

	/**
	 * Send a leadership or messaging frame to the master ({@code REVOKED}, {@code YIELD}, {@code SEND},
	 * {@code ANSWER}); frames are written whole, one at a time, in the order of the calls.
	 * @param frame the frame
	 */
	public void sendToMaster(Frame frame) {
		send(frame);
	}

	/**
	 * Tell the master, once per cause, that this worker is broken and should be replaced.
	 * @param cause why
	 * @param detail what was seen, in one line
	 */
	public void reportBroken(BrokenCause cause, String detail) {
		this.broken.report(cause, detail);
	}

	/**
	 * Tell the master, once, that an {@link OutOfMemoryError} was thrown in this worker. Never throws: it is called
	 * where the error passes, before it is rethrown.
	 * @param error the error
	 */
	public void reportOutOfMemory(OutOfMemoryError error) {
		this.broken.reportOutOfMemory(error);
	}

	/**
	 * Ask the master for the cluster view.
	 * @param timeout how long to wait
	 * @return the view
	 * @throws IOException when the master does not answer in time or answers nonsense
	 */
	public ClusterView requestView(Duration timeout) throws IOException {
		try {
			return ClusterView.fromFrame(request(timeout, "command", "view"));
		}
		catch (ProtocolException ex) {
			throw new IOException("The master answered with a malformed cluster view: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Send a request to the master and wait for its reply.
	 * @param timeout how long to wait
	 * @param fields the request's fields, {@code command} first
	 * @return the reply
	 * @throws IOException when the master does not answer in time
	 */
	public Frame request(Duration timeout, Object... fields) throws IOException {
		String id = String.valueOf(this.requestIds.incrementAndGet());
		Object[] withId = Arrays.copyOf(fields, fields.length + 4);
		withId[fields.length] = "id";
		withId[fields.length + 1] = id;
		// the master acts on no request that its asker has given up on by the time the master reads it
		withId[fields.length + 2] = "deadline";
		withId[fields.length + 3] = System.currentTimeMillis() + timeout.toMillis();
		CompletableFuture<Frame> reply = new CompletableFuture<>();
		this.pending.put(id, reply);
		try {
			send(Frame.of(MessageType.REQUEST, withId));
			return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IOException("The master did not answer within " + timeout.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while waiting for the master", ex);
		}
		finally {
			this.pending.remove(id);
		}
	}

	/**
	 * Tell the master why this worker's application failed to start, before the JVM exits: the root cause (the
	 * innermost exception) first, as it names what went wrong where the outer ones name a symptom, then the
	 * failure it caused.
	 * @param failure the failure
	 */
	public void reportFailure(Throwable failure) {
		send(Frame.of(MessageType.FAILED, "error", describeFailure(failure)));
	}

	static String describeFailure(Throwable failure) {
		Throwable root = failure;
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		while (root.getCause() != null && seen.add(root) && !seen.contains(root.getCause())) {
			root = root.getCause();
		}
		String error = describe(root, 1500);
		if (root != failure) {
			error += " (the root cause of " + describe(failure, 400) + ")";
		}
		return error.replace('\n', ' ');
	}

	private static String describe(Throwable t, int limit) {
		String text = t.getClass().getSimpleName() + ": " + t.getMessage();
		return (text.length() > limit) ? text.substring(0, limit) + "..." : text;
	}

	private void checkHealth() {
		String status;
		try {
			status = this.health.get();
		}
		catch (RuntimeException ex) {
			status = "UNKNOWN";
		}
		this.healthStatus = (status != null) ? status : "UNKNOWN";
	}

	private void heartbeat() {
		try {
			Runtime runtime = Runtime.getRuntime();
			Frame heartbeat = Frame.of(MessageType.HEARTBEAT, "heapUsed", runtime.totalMemory() - runtime.freeMemory(),
					"heapMax", runtime.maxMemory(), "health", this.healthStatus, "cpu", processCpuTime(), "inFlight",
					this.requests.inFlight(), "completed", this.requests.completed(), "oldCollections",
					this.oldGeneration.collections(), "oldAfterGc", this.oldGeneration.afterGc(), "connections",
					openConnections());
			Map<String, String> fields = new LinkedHashMap<>(heartbeat.fields());
			fields.putAll(this.requests.figures().fields());
			send(new Frame(MessageType.HEARTBEAT, fields));
			OnDemandCollections requests = this.collectionRequests;
			if (requests != null) {
				requests.heartbeat();
			}
		}
		catch (OutOfMemoryError ex) {
			// The executor would cancel the heartbeats for good on any throwable: report and carry on
			reportOutOfMemory(ex);
		}
		catch (RuntimeException ex) {
			log.log(System.Logger.Level.WARNING, "Cannot build a heartbeat: {0}", ex.toString());
		}
	}

	/** The master's heap threshold: workers get the app's arguments and environment, so they read the same. */
	private static Integer heapAfterGc(Environment environment) {
		try {
			return environment.getProperty("supervisor.recycle.heap-after-gc", Integer.class);
		}
		catch (RuntimeException ex) {
			// the master refuses to start with an invalid value
			return null;
		}
	}

	private int openConnections() {
		try {
			return this.connections.getAsInt();
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	private static long processCpuTime() {
		return (os instanceof com.sun.management.OperatingSystemMXBean bean) ? bean.getProcessCpuTime() : -1;
	}

	private synchronized void sendEncoded(ByteBuffer frame) {
		try {
			while (frame.hasRemaining()) {
				this.channel.write(frame);
			}
		}
		catch (IOException ex) {
			// Sent when memory ran out: nothing to spare for a log line
		}
	}

	private synchronized void send(Frame frame) {
		try {
			FrameCodec.write(this.channel, frame);
		}
		catch (IOException ex) {
			log.log(System.Logger.Level.DEBUG, "Cannot send {0} to the master: {1}", frame.type(), ex.getMessage());
		}
	}

	private void onSignal(String signal) {
		if (signal.equals("TERM")) {
			exit("SIGTERM received; shutting down gracefully");
		}
	}

	private void watchMaster() {
		try (InputStream in = new BufferedInputStream(Channels.newInputStream(this.channel))) {
			while (true) {
				String line = FrameCodec.readLine(in, FrameCodec.MAX_REPLY_BYTES);
				Frame frame;
				try {
					frame = FrameCodec.decodeReply(line);
				}
				catch (ProtocolException ex) {
					log.log(System.Logger.Level.WARNING, "Ignoring a malformed message from the master: {0}",
							ex.getMessage());
					continue;
				}
				if (frame.type() == MessageType.STOP_ACCEPTING) {
					stopAccepting();
					continue;
				}
				if (frame.type() == MessageType.REFUSE_TRAFFIC) {
					refuseTraffic();
					continue;
				}
				if (frame.type() == MessageType.REOPEN_LOGS) {
					reopenLogs(frame);
					continue;
				}
				if (frame.type() == MessageType.GRANT || frame.type() == MessageType.REVOKE
						|| frame.type() == MessageType.DELIVER || frame.type() == MessageType.SENT) {
					deliver(frame);
					continue;
				}
				CompletableFuture<Frame> reply = frame.get("id").map(this.pending::get).orElse(null);
				if (frame.type() == MessageType.REPLY && reply != null) {
					reply.complete(frame);
				}
			}
		}
		catch (EOFException ex) {
			exit("the master is gone (its channel closed); shutting down gracefully");
		}
		catch (IOException | ProtocolException ex) {
			exit("the channel to the master failed (" + ex.getMessage() + "); shutting down gracefully");
		}
	}

	private void deliver(Frame frame) {
		try {
			this.cluster.accept(frame);
		}
		catch (RuntimeException ex) {
			log.log(System.Logger.Level.WARNING, "Worker {0}: handling {1} from the master failed: {2}", this.workerId,
					frame.type(), ex.toString());
		}
	}

	private void stopAccepting() {
		Runnable closeGate = this.stopAccepting;
		if (closeGate != null) {
			try {
				closeGate.run();
			}
			catch (RuntimeException ex) {
				log.log(System.Logger.Level.WARNING, "Worker {0}: closing the accept gate failed: {1}", this.workerId,
						ex.toString());
			}
		}
		send(Frame.of(MessageType.DRAINING, "reason", "the master's watchdog closed the accept gate"));
		log.log(System.Logger.Level.WARNING, "Worker {0} (pid {1}): the master''s watchdog closed the accept gate; "
				+ "this worker takes no new connections and waits to be replaced", this.workerId,
				String.valueOf(ProcessHandle.current().pid()));
	}

	private void refuseTraffic() {
		try {
			this.refuseTraffic.run();
		}
		catch (RuntimeException ex) {
			log.log(System.Logger.Level.WARNING, "Worker {0}: lowering readiness for the shutdown delay failed: {1}",
					this.workerId, ex.toString());
		}
	}

	private void reopenLogs(Frame frame) {
		String pid = String.valueOf(ProcessHandle.current().pid());
		try {
			OutputFiles.reopen(Path.of(frame.require("stdout")), Path.of(frame.require("stderr")));
			log.log(System.Logger.Level.INFO, "Worker {0} (pid {1}): reopened its log files {2} and {3}",
					this.workerId, pid, frame.require("stdout"), frame.require("stderr"));
		}
		catch (IOException | ProtocolException ex) {
			log.log(System.Logger.Level.WARNING, "Worker {0} (pid {1}): cannot reopen its log files, it keeps writing "
					+ "to the old ones: {2}", this.workerId, pid, ex.getMessage());
		}
	}

	private void exit(String why) {
		synchronized (this) {
			if (this.exiting) {
				return;
			}
			this.exiting = true;
		}
		log.log(System.Logger.Level.INFO, "Worker {0} (pid {1}): {2}", this.workerId,
				String.valueOf(ProcessHandle.current().pid()), why);
		Thread exit = new Thread(() -> SystemExit.exit(0), "supervisor-worker-exit");
		exit.start();
	}

}
