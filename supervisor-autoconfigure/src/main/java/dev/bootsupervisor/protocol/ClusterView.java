package dev.bootsupervisor.protocol;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole cluster as the master sees it, sent to control commands and to workers for the actuator endpoint.
 *
 * @param name the app's name
 * @param masterPid the master's process id
 * @param masterStartedAt when the master was launched
 * @param state its phase
 * @param configuredWorkers how many workers are configured
 * @param liveWorkers how many worker processes are running
 * @param port the shared port, -1 when none
 * @param sharing how the port is shared
 * @param at when this view was taken
 * @param workers every slot's current worker (with its {@code restartAt} while its slot is restarting)
 * @param restartsByReason how many workers were restarted, by reason ({@code crash}, {@code startup-timeout})
 * @param reloadsByOutcome how many rolling reloads ended, by outcome ({@code success}, {@code failure})
 * @param leaderEpoch the epoch of the latest leadership grant, 0 before the first
 * @param leaderChanges how often leadership was granted by this master
 * @param cds the master's class-data archive
 * @param reloadHistory the latest rolling reloads (at most {@link ReloadRecord#KEPT}), oldest first
 */
public record ClusterView(String name, long masterPid, Instant masterStartedAt, ClusterPhase state,
		int configuredWorkers, int liveWorkers, int port, String sharing, Instant at, List<WorkerView> workers,
		Map<String, Integer> restartsByReason, Map<String, Integer> reloadsByOutcome, long leaderEpoch,
		int leaderChanges, CdsView cds, List<ReloadRecord> reloadHistory) {

	/**
	 * A view of a cluster that never reloaded.
	 */
	public ClusterView(String name, long masterPid, Instant masterStartedAt, ClusterPhase state,
			int configuredWorkers, int liveWorkers, int port, String sharing, Instant at, List<WorkerView> workers,
			Map<String, Integer> restartsByReason, Map<String, Integer> reloadsByOutcome, long leaderEpoch,
			int leaderChanges, CdsView cds) {
		this(name, masterPid, masterStartedAt, state, configuredWorkers, liveWorkers, port, sharing, at, workers,
				restartsByReason, reloadsByOutcome, leaderEpoch, leaderChanges, cds, List.of());
	}

	/**
	 * A view of a cluster that keeps no class-data archive.
	 */
	public ClusterView(String name, long masterPid, Instant masterStartedAt, ClusterPhase state,
			int configuredWorkers, int liveWorkers, int port, String sharing, Instant at, List<WorkerView> workers,
			Map<String, Integer> restartsByReason, Map<String, Integer> reloadsByOutcome, long leaderEpoch,
			int leaderChanges) {
		this(name, masterPid, masterStartedAt, state, configuredWorkers, liveWorkers, port, sharing, at, workers,
				restartsByReason, reloadsByOutcome, leaderEpoch, leaderChanges, CdsView.NONE);
	}

	/**
	 * A view of a cluster that never had a leader.
	 */
	public ClusterView(String name, long masterPid, Instant masterStartedAt, ClusterPhase state,
			int configuredWorkers, int liveWorkers, int port, String sharing, Instant at, List<WorkerView> workers,
			Map<String, Integer> restartsByReason, Map<String, Integer> reloadsByOutcome) {
		this(name, masterPid, masterStartedAt, state, configuredWorkers, liveWorkers, port, sharing, at, workers,
				restartsByReason, reloadsByOutcome, 0, 0);
	}

	/** The most workers a cluster may have. */
	public static final int MAX_WORKERS = 1024;

	private static final String RESTARTS = "restarts.";

	private static final String RELOADS = "reloads.";

	public ClusterView {
		workers = List.copyOf(workers);
		restartsByReason = Collections.unmodifiableMap(new TreeMap<>(restartsByReason));
		reloadsByOutcome = Collections.unmodifiableMap(new TreeMap<>(reloadsByOutcome));
		cds = (cds != null) ? cds : CdsView.NONE;
		reloadHistory = (reloadHistory != null) ? List.copyOf(reloadHistory) : List.of();
	}

	public static Frame toFrame(ClusterView view) {
		List<Object> fields = new ArrayList<>(List.of("name", view.name, "masterPid", view.masterPid,
				"masterStartedAt", view.masterStartedAt, "state", view.state.label(), "configuredWorkers",
				view.configuredWorkers, "liveWorkers", view.liveWorkers, "port", view.port, "sharing", view.sharing,
				"at", view.at, "workers", view.workers.size(), "leaderEpoch", view.leaderEpoch, "leaderChanges",
				view.leaderChanges, "cds.state", view.cds.state(), "cds.location", view.cds.location(), "cds.detail",
				view.cds.detail()));
		view.restartsByReason.forEach((reason, count) -> fields.addAll(List.of(RESTARTS + reason, count)));
		view.reloadsByOutcome.forEach((outcome, count) -> fields.addAll(List.of(RELOADS + outcome, count)));
		ReloadRecord.addTo(view.reloadHistory, fields);
		for (int i = 0; i < view.workers.size(); i++) {
			WorkerView w = view.workers.get(i);
			String p = "w" + i + ".";
			fields.addAll(List.of(p + "id", w.id(), p + "pid", w.pid(), p + "generation", w.generation(),
					p + "state", w.state().label(), p + "stateSince", w.stateSince(), p + "reason", w.reason(),
					p + "startedAt", w.startedAt(), p + "ready", w.ready(), p + "restarts", w.restarts(),
					p + "heapUsed", (w.heap() != null) ? w.heap().used() : -1, p + "heapMax",
					(w.heap() != null) ? w.heap().max() : -1, p + "health", w.health(), p + "leader", w.leader()));
			if (w.restartAt() != null) {
				fields.addAll(List.of(p + "restartAt", w.restartAt()));
			}
			if (w.connections() >= 0) {
				fields.addAll(List.of(p + "connections", w.connections()));
			}
			WorkerView.LastExit exit = w.lastExit();
			if (exit != null) {
				fields.addAll(List.of(p + "lastExitCode", exit.code(), p + "lastExitAt", exit.at(),
						p + "lastExitReason", exit.reason()));
				if (exit.signal() != null) {
					fields.addAll(List.of(p + "lastExitSignal", exit.signal()));
				}
			}
		}
		return Frame.of(MessageType.REPLY, fields.toArray());
	}

	public static ClusterView fromFrame(Frame frame) throws ProtocolException {
		try {
			int count = frame.requireInt("workers");
			if (count < 0 || count > MAX_WORKERS) {
				throw new ProtocolException("worker count out of range: " + count);
			}
			List<WorkerView> workers = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				String p = "w" + i + ".";
				workers.add(new WorkerView(frame.requireInt(p + "id"), frame.requireLong(p + "pid"),
						frame.requireInt(p + "generation"), WorkerState.of(frame.require(p + "state")),
						instant(frame.require(p + "stateSince")), frame.require(p + "reason"),
						instant(frame.require(p + "startedAt")), frame.requireInt(p + "restarts"), lastExit(frame, p),
						heap(frame, p), frame.require(p + "health"),
						Boolean.parseBoolean(frame.get(p + "leader").orElse("false")),
						frame.get(p + "restartAt").map(ClusterView::instant).orElse(null),
						Integer.parseInt(frame.get(p + "connections").orElse("-1"))));
			}
			Map<String, Integer> restarts = counts(frame, RESTARTS);
			Map<String, Integer> reloads = counts(frame, RELOADS);
			return new ClusterView(frame.require("name"), frame.requireLong("masterPid"),
					instant(frame.require("masterStartedAt")), ClusterPhase.of(frame.require("state")),
					frame.requireInt("configuredWorkers"), frame.requireInt("liveWorkers"), frame.requireInt("port"),
					frame.require("sharing"), instant(frame.require("at")), workers, restarts, reloads,
					Long.parseLong(frame.get("leaderEpoch").orElse("0")),
					Integer.parseInt(frame.get("leaderChanges").orElse("0")),
					new CdsView(frame.get("cds.state").orElse("none"), frame.get("cds.location").orElse(""),
							frame.get("cds.detail").orElse("")),
					ReloadRecord.from(frame));
		}
		catch (RuntimeException ex) {
			throw new ProtocolException("malformed cluster view: " + ex.getMessage());
		}
	}

	private static WorkerView.LastExit lastExit(Frame frame, String p) {
		return frame.get(p + "lastExitCode")
			.map((code) -> new WorkerView.LastExit(Integer.parseInt(code), frame.get(p + "lastExitSignal").orElse(null),
					frame.get(p + "lastExitAt").map(ClusterView::instant).orElse(null),
					frame.get(p + "lastExitReason").orElse(null)))
			.orElse(null);
	}

	private static WorkerView.Heap heap(Frame frame, String p) throws ProtocolException {
		long used = frame.requireLong(p + "heapUsed");
		long max = frame.requireLong(p + "heapMax");
		return (used >= 0) ? new WorkerView.Heap(used, max) : null;
	}

	private static Map<String, Integer> counts(Frame frame, String prefix) {
		Map<String, Integer> counts = new TreeMap<>();
		for (Map.Entry<String, String> field : frame.fields().entrySet()) {
			if (field.getKey().startsWith(prefix)) {
				counts.put(field.getKey().substring(prefix.length()), Integer.valueOf(field.getValue()));
			}
		}
		return counts;
	}

	private static Instant instant(String text) {
		return Instant.parse(text);
	}

	/**
	 * Find a worker by id.
	 * @param id the worker id
	 * @return the worker or {@code null}
	 */
	public WorkerView worker(int id) {
		return this.workers.stream().filter((w) -> w.id() == id).findFirst().orElse(null);
	}


}
