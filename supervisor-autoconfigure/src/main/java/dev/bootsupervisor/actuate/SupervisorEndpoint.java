package dev.bootsupervisor.actuate;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.cluster.ClusterControl;
import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.cluster.ControlOutcome;
import dev.bootsupervisor.protocol.CdsView;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.ReloadRecord;
import dev.bootsupervisor.protocol.WorkerView;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@link Endpoint @Endpoint} that shows the whole cluster: the master and every worker. The view comes from the
 * master, so it is the same whichever worker answers; {@code servedBy} tells which one did.
 * <p>
 * Read-only unless granted, as Boot's {@code shutdown} endpoint: the write operation (reload, scale) is there only
 * with {@code management.endpoint.supervisor.access=unrestricted}.
 */
@Endpoint(id = "supervisor", defaultAccess = Access.READ_ONLY)
public class SupervisorEndpoint {

	private final ClusterViewSource source;

	private final ServedBy servedBy;

	private final @Nullable ClusterControl control;

	/**
	 * Create an endpoint for the worker that runs it.
	 * @param source where the cluster view comes from
	 * @param workerId the id of this worker
	 */
	public SupervisorEndpoint(ClusterViewSource source, int workerId) {
		this(source, null, workerId);
	}

	/**
	 * Create an endpoint for the worker that runs it, with write operations.
	 * @param source where the cluster view comes from
	 * @param control how the cluster is reloaded and scaled, {@code null} for a read-only endpoint
	 * @param workerId the id of this worker
	 */
	public SupervisorEndpoint(ClusterViewSource source, @Nullable ClusterControl control, int workerId) {
		this.source = source;
		this.control = control;
		this.servedBy = new ServedBy(workerId, ProcessHandle.current().pid());
	}

	/**
	 * Act on the cluster through the master: {@code reload} (rolling reload, answered with its outcome) or
	 * {@code scale} (to {@code workers} workers).
	 * @param action {@code reload} or {@code scale}
	 * @param workers the number of workers, for {@code scale}
	 * @return the outcome
	 * @throws MasterUnavailableException when the master cannot be asked
	 */
	@WriteOperation
	public ControlOutcome control(String action, @Nullable Integer workers) {
		if (this.control == null) {
			return new ControlOutcome(action, false, "write operations are not available");
		}
		try {
			return switch (action) {
				case "reload" -> this.control.reload();
				case "scale" -> {
					String refusal = scaleRefusal(workers);
					yield (refusal != null) ? new ControlOutcome(action, false, refusal) : this.control.scale(workers);
				}
				default -> new ControlOutcome(action, false,
						"unknown action '" + action + "': expected 'reload' or 'scale'");
			};
		}
		catch (IOException ex) {
			throw new MasterUnavailableException(ex);
		}
	}

	/**
	 * Why a scale to {@code workers} is not even asked of the master, as the master itself would refuse it.
	 * @param workers the number of workers asked for
	 * @return the reason, or {@code null} when the number is one the master accepts
	 */
	static @Nullable String scaleRefusal(@Nullable Integer workers) {
		if (workers == null) {
			return "scale needs 'workers'";
		}
		if (workers < 1 || workers > ClusterView.MAX_WORKERS) {
			return "cannot scale to " + workers + " workers: expected 1 to " + ClusterView.MAX_WORKERS;
		}
		return null;
	}

	/**
	 * Describe the cluster.
	 * @return the master and its workers
	 * @throws MasterUnavailableException when the master does not answer in time
	 */
	@ReadOperation
	public ClusterDescriptor cluster() {
		ClusterView view;
		try {
			view = this.source.clusterView();
		}
		catch (IOException ex) {
			throw new MasterUnavailableException(ex);
		}
		List<WorkerDescriptor> workers = view.workers().stream().map((w) -> WorkerDescriptor.of(w, view.at())).toList();
		return new ClusterDescriptor(MasterDescriptor.of(view), workers, this.servedBy, view.at());
	}

	/**
	 * The cluster as the master saw it.
	 *
	 * @param master the master
	 * @param workers every worker slot's current worker
	 * @param servedBy the worker that answered
	 * @param at when the master took this view
	 */
	public record ClusterDescriptor(MasterDescriptor master, List<WorkerDescriptor> workers, ServedBy servedBy,
			Instant at) implements OperationResponseBody {
	}

	/**
	 * The master process.
	 *
	 * @param pid its process id
	 * @param name the app's name
	 * @param state starting, running, stopping or stopped
	 * @param startedAt when it was launched
	 * @param uptime how long it has been running
	 * @param configuredWorkers how many workers it is configured to run
	 * @param liveWorkers how many worker processes are running
	 * @param port the shared HTTP port
	 * @param sharing how the workers share that port
	 * @param restarts how many workers it restarted, by reason
	 * @param reloads how many rolling reloads ended, by outcome
	 * @param leaderEpoch the epoch of the latest leadership grant (the leader's fencing token), 0 before the first
	 * @param leaderChanges how often it granted leadership
	 * @param cds the class-data archive workers start with: its state ({@code none}, {@code training},
	 * {@code ready}, {@code refused}), location and what the state means now
	 * @param reloadHistory the latest rolling reloads (at most 10), oldest first: when, what asked, the class path
	 * they rolled out, the outcome, how long, what happened and how the canary did
	 */
	public record MasterDescriptor(long pid, String name, String state, Instant startedAt, Duration uptime,
			int configuredWorkers, int liveWorkers, int port, String sharing, Map<String, Integer> restarts,
			Map<String, Integer> reloads, long leaderEpoch, int leaderChanges, CdsView cds,
			List<ReloadRecord> reloadHistory) {

		static MasterDescriptor of(ClusterView view) {
			return new MasterDescriptor(view.masterPid(), view.name(), view.state().label(), view.masterStartedAt(),
					Duration.between(view.masterStartedAt(), view.at()), view.configuredWorkers(), view.liveWorkers(),
					view.port(), view.sharing(), view.restartsByReason(), view.reloadsByOutcome(), view.leaderEpoch(),
					view.leaderChanges(), view.cds(), view.reloadHistory());
		}

	}

	/**
	 * One worker.
	 *
	 * @param id its slot, 1 to the number of workers
	 * @param pid its process id
	 * @param generation how many workers its slot has had, this one included
	 * @param state starting, ready, draining, restarting (exited unasked, its slot's next worker starts at
	 * {@code restartAt}), stopped or failed (exited unasked and not restarted: a crash loop)
	 * @param stateSince when it entered that state
	 * @param reason why it entered that state
	 * @param startedAt when its process was started
	 * @param uptime how long its process has been running
	 * @param ready whether it accepts connections
	 * @param restarts how often its slot's worker was restarted
	 * @param lastExit how its slot's previous worker ended, {@code null} when none did
	 * @param heap its heap, {@code null} until its first heartbeat
	 * @param health its own health status, as it reported it with its last heartbeat
	 * @param leader whether it leads the cluster
	 * @param restartAt when its slot's next worker starts, {@code null} unless it is restarting and waits for the
	 * restart backoff
	 */
	public record WorkerDescriptor(int id, long pid, int generation, String state, Instant stateSince, String reason,
			Instant startedAt, Duration uptime, boolean ready, int restarts, WorkerView.LastExit lastExit,
			WorkerView.Heap heap, String health, boolean leader, Instant restartAt) {

		static WorkerDescriptor of(WorkerView worker, Instant at) {
			return new WorkerDescriptor(worker.id(), worker.pid(), worker.generation(), worker.state().label(),
					worker.stateSince(), worker.reason(), worker.startedAt(),
					Duration.between(worker.startedAt(), at), worker.ready(), worker.restarts(), worker.lastExit(),
					worker.heap(), worker.health(), worker.leader(), worker.restartAt());
		}

	}

	/**
	 * The worker that answered.
	 *
	 * @param id its slot
	 * @param pid its process id
	 */
	public record ServedBy(int id, long pid) {
	}

	/**
	 * Thrown when the master cannot be asked for the cluster view or does not answer in time.
	 */
	public static class MasterUnavailableException extends RuntimeException {

		MasterUnavailableException(IOException cause) {
			super(cause.getMessage(), cause);
		}

	}

}
