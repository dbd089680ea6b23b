package dev.bootsupervisor.master;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ExitReason;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * The master's worker table: the slots and their current workers, the pid index of every live worker, the one
 * replacement a reload is starting and the workers retiring. It starts workers, reaps them and classifies their
 * exits; the decisions about them belong to the master's other collaborators.
 */
final class WorkerTable {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final SupervisorSettings settings;

	private final WorkerFactory factory;

	private final Clock clock;

	private final Consumer<MasterEvent> events;

	private final Map<Integer, WorkerSlot> slots = new TreeMap<>();

	private final Map<Long, WorkerHandle> live = new HashMap<>();

	private final List<WorkerHandle> retiring = new ArrayList<>();

	private WorkerHandle replacement;

	WorkerTable(SupervisorSettings settings, WorkerFactory factory, Clock clock, Consumer<MasterEvent> events) {
		this.settings = settings;
		this.factory = factory;
		this.clock = clock;
		this.events = events;
	}

	WorkerSlot addSlot(int id) {
		WorkerSlot slot = new WorkerSlot(id);
		this.slots.put(id, slot);
		return slot;
	}

	WorkerSlot removeSlot(int id) {
		return this.slots.remove(id);
	}

	WorkerSlot slot(int id) {
		return this.slots.get(id);
	}

	Collection<WorkerSlot> slots() {
		return this.slots.values();
	}

	int size() {
		return this.slots.size();
	}

	WorkerHandle byPid(long pid) {
		return this.live.get(pid);
	}

	Collection<WorkerHandle> live() {
		return this.live.values();
	}

	List<WorkerHandle> retiring() {
		return this.retiring;
	}

	/**
	 * Start the next generation of a slot as its current worker.
	 * @param slot the slot
	 * @return the worker, {@code null} when it could not be started
	 */
	WorkerHandle spawn(WorkerSlot slot) {
		WorkerHandle worker = launch(slot, this.settings.startupTimeout(), ExitReason.KILLED_NOT_READY);
		if (worker != null) {
			slot.current(worker);
		}
		return worker;
	}

	/**
	 * Start the next generation of a slot as the reload's replacement, which becomes current once ready.
	 * @param slot the slot
	 * @return the worker, {@code null} when it could not be started
	 */
	WorkerHandle spawnReplacement(WorkerSlot slot) {
		return spawnReplacement(slot, this.settings.reloadTimeout(), ExitReason.KILLED_NOT_READY_FOR_RELOAD);
	}

	/**
	 * Start the next generation of a slot as the one replacement, which becomes current once ready.
	 * @param slot the slot
	 * @param bootTimeout how long it may take to become ready
	 * @param lateBoot why it is killed when it takes longer
	 * @return the worker, {@code null} when it could not be started
	 */
	WorkerHandle spawnReplacement(WorkerSlot slot, Duration bootTimeout, ExitReason lateBoot) {
		this.replacement = launch(slot, bootTimeout, lateBoot);
		return this.replacement;
	}

	private WorkerHandle launch(WorkerSlot slot, Duration bootTimeout, ExitReason lateBoot) {
		int generation = slot.nextGeneration();
		WorkerProcess process;
		try {
			process = this.factory.start(slot.id(), generation);
		}
		catch (IOException | RuntimeException ex) {
			log.log(System.Logger.Level.ERROR, "Worker {0} could not be started: {1}", slot.id(), ex.getMessage());
			return null;
		}
		WorkerHandle worker = new WorkerHandle(slot.id(), generation, process, this.clock.instant(), bootTimeout,
				lateBoot);
		this.live.put(worker.pid(), worker);
		process.onExit().thenAccept((code) -> this.events.accept(new MasterEvent.WorkerExited(worker, code)));
		return worker;
	}

	WorkerHandle replacement() {
		return this.replacement;
	}

	boolean isReplacement(WorkerHandle worker) {
		return this.replacement != null && this.replacement == worker;
	}

	void dropReplacement() {
		this.replacement = null;
	}

	/**
	 * Make the ready replacement its slot's current worker.
	 * @return the slot's previous worker, {@code null} when none
	 */
	WorkerHandle promoteReplacement() {
		WorkerHandle promoted = this.replacement;
		WorkerSlot slot = this.slots.get(promoted.workerId());
		WorkerHandle old = slot.current();
		slot.current(promoted);
		slot.restartAt(null);
		this.replacement = null;
		return old;
	}

	/** Ask a worker to drain and exit; it leaves its slot's view for the retiring list. */
	void retire(WorkerHandle worker, String why, Instant now) {
		this.retiring.add(worker);
		worker.terminate(why, now);
		// as in a stop: a worker not gone after the shutdown timeout is killed
		worker.stopWithin(this.settings.shutdownTimeout(), now);
	}

	/**
	 * Kill every retiring worker that outlived its shutdown timeout.
	 * @param now the current time
	 */
	void checkRetiring(Instant now) {
		for (WorkerHandle worker : List.copyOf(this.retiring)) {
			worker.escalate(now);
		}
	}

	boolean isRetiring(WorkerHandle worker) {
		return this.retiring.contains(worker);
	}

	/**
	 * The condemned workers that no longer hold their slot (a replacement took it) but have not exited yet.
	 * @return the workers
	 */
	List<WorkerHandle> condemnedOutsideSlots() {
		return this.live.values().stream().filter(WorkerHandle::condemned).filter((worker) -> {
			WorkerSlot slot = this.slots.get(worker.workerId());
			return slot == null || slot.current() != worker;
		}).toList();
	}

	/** Carry on ending every condemned worker: TERM after its thread dump, KILL after the grace. */
	void checkCondemned(Instant now) {
		for (WorkerHandle worker : this.live.values()) {
			worker.checkCondemned(now);
		}
	}

	/** Kill every starting worker, current or replacement, that outlived its boot timeout. */
	void checkBoots(Instant now) {
		for (WorkerSlot slot : this.slots.values()) {
			if (slot.current() != null) {
				slot.current().checkBoot(now);
			}
		}
		if (this.replacement != null) {
			this.replacement.checkBoot(now);
		}
	}

	long readyCount() {
		return this.slots.values()
			.stream()
			.filter((slot) -> slot.current() != null && slot.current().state() == WorkerState.READY)
			.count();
	}

	boolean allReady() {
		return readyCount() == this.slots.size();
	}

	/**
	 * The failed slots, for a message.
	 * @return their ids, comma separated, {@code null} when none failed
	 */
	String failedSlots() {
		return this.slots.values()
			.stream()
			.filter(WorkerSlot::failed)
			.map((slot) -> String.valueOf(slot.id()))
			.reduce((a, b) -> a + ", " + b)
			.orElse(null);
	}

	boolean allFailed() {
		return this.slots.values().stream().allMatch(WorkerSlot::failed);
	}

	boolean anyAccepting() {
		return this.live.values().stream().anyMatch(WorkerHandle::acceptsConnections);
	}

	/**
	 * Take an exited worker out of the table and record how it ended. Its state is not changed yet: what it becomes
	 * depends on what follows, {@link #settle(WorkerHandle, Reaped, Instant) settled} here or decided by the restart
	 * policy.
	 * @param worker the worker
	 * @param code its exit code
	 * @param stopping whether the master is stopping
	 * @param now the current time
	 * @return how it ended
	 */
	Reaped reap(WorkerHandle worker, int code, boolean stopping, Instant now) {
		this.live.remove(worker.pid());
		WorkerSlot slot = this.slots.get(worker.workerId());
		boolean retired = this.retiring.remove(worker);
		boolean requested = retired || (worker.state() == WorkerState.DRAINING && stopping);
		// 143: TERM reached the JVM before the worker routed it, and the JVM's own shutdown hooks ran
		boolean clean = requested && (code == 0 || code == 128 + 15);
		ExitReason cause;
		if (worker.killed()) {
			cause = worker.killedFor();
		}
		else if (requested) {
			cause = clean ? ExitReason.STOPPED : ExitReason.STOPPED_WITH_A_FAILURE;
		}
		else {
			cause = (worker.state() == WorkerState.STARTING) ? ExitReason.FAILED_TO_START
					: (code == 0) ? ExitReason.EXITED_UNASKED : ExitReason.CRASHED;
		}
		String reason = cause.killed() ? worker.reason() : cause.text(null);
		ExitStatus exit = new ExitStatus(code, now, cause, reason);
		worker.exited(exit);
		if (slot != null && !retired) {
			slot.lastExit(exit);
		}
		return new Reaped(exit, retired, clean, worker.condemned());
	}

	/**
	 * Move a reaped worker to the state its exit leaves it in: stopped when it stopped cleanly as asked; restarting
	 * when it left its slot and the slot's next worker is scheduled or already starting; failed otherwise, when
	 * nothing will replace it.
	 * @param worker the reaped worker
	 * @param reaped how it ended
	 * @param now the current time
	 */
	void settle(WorkerHandle worker, Reaped reaped, Instant now) {
		WorkerSlot slot = this.slots.get(worker.workerId());
		boolean restarting = slot != null && slot.current() == worker && !slot.failed()
				&& (slot.restartAt() != null || (this.replacement != null && this.replacement.workerId() == slot.id()));
		settle(worker, reaped.clean() ? WorkerState.STOPPED : restarting ? WorkerState.RESTARTING : WorkerState.FAILED,
				null, now);
	}

	/**
	 * Move an exited worker to a state, with its exit as the reason.
	 * @param worker the exited worker
	 * @param state stopped, restarting or failed
	 * @param then what follows from the exit, {@code null} for nothing
	 * @param now the current time
	 */
	static void settle(WorkerHandle worker, WorkerState state, String then, Instant now) {
		ExitStatus exit = worker.exit();
		worker.transition(state, exit.reason() + ", " + exit.describe() + ((then != null) ? "; " + then : ""), now);
	}

	/**
	 * How a reaped worker ended.
	 *
	 * @param exit its exit
	 * @param retired whether it was retiring (scaled down or replaced)
	 * @param clean whether it stopped cleanly when asked to
	 * @param condemned whether the watchdog was ending it (its slot's replacement was already arranged)
	 */
	record Reaped(ExitStatus exit, boolean retired, boolean clean, boolean condemned) {
	}

}
