package dev.bootsupervisor.master;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ClusterPhase;

/**
 * Speaks systemd's notify protocol for the master: {@code READY=1}, {@code RELOADING=1}, {@code STOPPING=1},
 * {@code STATUS=}, {@code EXTEND_TIMEOUT_USEC=} and {@code WATCHDOG=1}, decided from the state the master loop
 * observes after every event and tick. A failed send is logged once and never reaches the loop.
 */
public final class SystemdNotifier {

	/** The variables systemd sets for its main process, which no worker must see. */
	public static final List<String> VARIABLES = List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID");

	/** Does nothing: no {@code NOTIFY_SOCKET}. */
	static final SystemdNotifier OFF = new SystemdNotifier(null, 0, null, Duration.ZERO, Duration.ZERO, () -> 0);

	/** What one {@code EXTEND_TIMEOUT_USEC=} grants; it is sent again well before that runs out. */
	static final long EXTEND_USEC = 10_000_000L;

	/** How long past the master's own deadline systemd waits, for the master to act on it and exit. */
	static final long MARGIN_USEC = 5_000_000L;

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final Sink sink;

	private final long pid;

	private final Duration watchdog;

	private final long startBudget;

	private final long stopBudget;

	private final LongSupplier monotonic;

	private final SystemdTimers timers = new SystemdTimers();

	private boolean ready;

	private boolean reloading;

	private boolean stopping;

	private String status;

	private boolean warned;

	/**
	 * Create a notifier.
	 * @param sink where datagrams go, {@code null} for none
	 * @param pid the master's pid, sent as {@code MAINPID=}
	 * @param watchdog systemd's watchdog interval, {@code null} when it has none for this process
	 * @param startBudget the master's startup timeout
	 * @param stopBudget how long the master's stop may take (shutdown delay and timeout)
	 * @param monotonic {@code CLOCK_MONOTONIC} in microseconds
	 */
	SystemdNotifier(Sink sink, long pid, Duration watchdog, Duration startBudget, Duration stopBudget,
			LongSupplier monotonic) {
		this.sink = sink;
		this.pid = pid;
		this.watchdog = watchdog;
		this.startBudget = startBudget.toNanos() / 1_000L;
		this.stopBudget = stopBudget.toNanos() / 1_000L;
		this.monotonic = monotonic;
	}

	/**
	 * The notifier this process's environment asks for.
	 * @param environment the environment
	 * @param settings the master's settings
	 * @param stopBudget how long the master's stop may take (shutdown delay and timeout)
	 * @return the notifier, {@link #OFF} without {@code NOTIFY_SOCKET}
	 */
	public static SystemdNotifier fromEnvironment(Map<String, String> environment, SupervisorSettings settings,
			Duration stopBudget) {
		String socket = environment.get("NOTIFY_SOCKET");
		if (socket == null || socket.isEmpty()) {
			return OFF;
		}
		long pid = ProcessHandle.current().pid();
		Duration watchdog = SystemdTimers.watchdog(environment, pid);
		try {
			SystemdNotifier notifier = new SystemdNotifier(new NotifySocket(socket), pid, watchdog,
					settings.startupTimeout(), stopBudget, NotifySocket::monotonicMicros);
			log.log(System.Logger.Level.INFO, "systemd: notifying {0}{1}", socket, (watchdog != null)
					? ", watchdog ping every " + Durations.format(watchdog.dividedBy(2)) : "");
			return notifier;
		}
		catch (IllegalArgumentException ex) {
			log.log(System.Logger.Level.WARNING, "systemd: {0}; systemd is not notified and may time the start out",
					ex.getMessage());
			return OFF;
		}
	}

	/**
	 * Send what changed since the last observation, in one datagram.
	 * @param state the cluster as the master loop sees it now
	 */
	void observe(State state) {
		if (this.sink == null) {
			return;
		}
		try {
			List<String> fields = new ArrayList<>();
			long now = this.monotonic.getAsLong();
			boolean stopping = state.phase() == ClusterPhase.STOPPING || state.phase() == ClusterPhase.STOPPED;
			if (stopping && !this.stopping) {
				this.stopping = true;
				this.timers.deadline(now + this.stopBudget + MARGIN_USEC);
				fields.add("STOPPING=1");
			}
			else if (!stopping && state.phase() == ClusterPhase.RUNNING && !this.ready) {
				this.ready = true;
				fields.add("READY=1");
				fields.add("MAINPID=" + this.pid);
			}
			else if (this.ready && !stopping && state.reloading() != this.reloading) {
				this.reloading = state.reloading();
				// systemctl reload waits for READY=1 after a RELOADING=1 that carries the time it began
				fields.add(this.reloading ? "RELOADING=1" : "READY=1");
				if (this.reloading) {
					fields.add("MONOTONIC_USEC=" + now);
				}
			}
			else if (state.phase() == ClusterPhase.STARTING && !this.timers.hasDeadline()) {
				this.timers.deadline(now + this.startBudget + MARGIN_USEC);
			}
			String status = state.status();
			if (!status.equals(this.status)) {
				this.status = status;
				fields.add("STATUS=" + status);
			}
			boolean waiting = state.phase() == ClusterPhase.STARTING || state.phase() == ClusterPhase.STOPPING;
			long extend = this.timers.extension(now, waiting && state.live() > 0);
			if (extend > 0) {
				fields.add("EXTEND_TIMEOUT_USEC=" + extend);
			}
			// only while a worker serves: during a shutdown delay the workers are still ready and the pings go on; in
			// the drain none is, and systemd, told STOPPING=1, no longer enforces the watchdog
			boolean serving = state.ready() > 0;
			if (this.watchdog != null && this.timers.ping(now, serving, this.watchdog)) {
				fields.add("WATCHDOG=1");
			}
			if (!fields.isEmpty()) {
				this.sink.send(String.join("\n", fields));
			}
		}
		catch (IOException | RuntimeException ex) {
			if (!this.warned) {
				this.warned = true;
				log.log(System.Logger.Level.WARNING, "systemd: cannot notify {0} ({1}); the cluster runs on, but "
						+ "systemd may time it out or miss its watchdog pings", this.sink, ex.getMessage());
			}
		}
	}

	/** Where the notifier's datagrams go. */
	interface Sink {

		void send(String message) throws IOException;

	}

	/**
	 * What the notifier observes of the cluster.
	 *
	 * @param phase the cluster's phase
	 * @param reloading whether a rolling reload runs whose outcome is not known yet
	 * @param replaced slots the reload has replaced
	 * @param reloadSize slots the reload replaces
	 * @param ready workers ready
	 * @param configured worker slots
	 * @param live worker processes alive
	 */
	record State(ClusterPhase phase, boolean reloading, int replaced, int reloadSize, long ready, int configured,
			int live) {

		static State of(ClusterPhase phase, WorkerTable table, Reloads reloads) {
			return new State(phase, reloads.unreported(), reloads.replacedCount(), reloads.reloadSize(),
					table.readyCount(), table.size(), table.live().size());
		}

		/** The line {@code systemctl status} shows. */
		String status() {
			return switch (this.phase) {
				case STARTING -> "starting: " + this.ready + "/" + this.configured + " workers ready";
				case RUNNING -> this.reloading ? "reloading " + this.replaced + "/" + this.reloadSize
						: this.ready + "/" + this.configured + " workers ready";
				case STOPPING -> "stopping: " + this.live + ((this.live == 1) ? " worker" : " workers") + " draining";
				case STOPPED -> "stopped";
			};
		}

	}

}
