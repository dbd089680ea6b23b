package dev.bootsupervisor.master;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;

import dev.bootsupervisor.base.Durations;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * Who leads the cluster: exactly one ready worker at a time, under an epoch that grows at every grant. Leadership
 * moves only once the old leader gave it up (it confirmed, exited, or ran out of its revoke timeout), so two leaders
 * never overlap; a leader that dies is replaced at the next pass of the loop.
 */
final class Leadership {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final WorkerTable table;

	private final Duration revokeTimeout;

	private final EpochStore epochs;

	private long epoch;

	private int changes;

	private WorkerHandle leader;

	/** The leader being revoked, until it gives leadership up. */
	private WorkerHandle revoking;

	private Instant revokedAt;

	/** A leader that asked to hand leadership on: another worker gets it if there is one. */
	private WorkerHandle yielded;

	Leadership(WorkerTable table, Duration revokeTimeout, EpochStore epochs) {
		this.table = table;
		this.revokeTimeout = revokeTimeout;
		this.epochs = epochs;
		this.epoch = epochs.load();
	}

	/**
	 * Move leadership where it must go now: away from a leader that stopped being ready or died, to a ready
	 * worker once nobody holds it. Called by the loop after every event.
	 * @param now the current time
	 * @param granting whether leadership may be granted (not while the cluster stops)
	 * @return the new leader when one was granted now
	 */
	Optional<WorkerHandle> check(Instant now, boolean granting) {
		if (this.leader != null && !fit(this.leader)) {
			revoke(this.leader, now);
		}
		if (this.revoking != null) {
			if (this.revoking.exit() != null) {
				release("worker " + this.revoking.workerId() + " (pid " + this.revoking.pid() + ") exited", now);
			}
			else if (!now.isBefore(this.revokedAt.plus(this.revokeTimeout))) {
				log.log(System.Logger.Level.WARNING, "Leadership: worker {0} (pid {1}) did not confirm within the "
						+ "revoke timeout of {2} that its leader-only work stopped; granting leadership elsewhere "
						+ "(epoch {3} stays fenced off)", this.revoking.workerId(), String.valueOf(this.revoking.pid()),
						Durations.format(this.revokeTimeout), this.revoking.leaderEpoch());
				release(null, now);
			}
		}
		if (this.leader == null && this.revoking == null && granting) {
			return grant(now);
		}
		return Optional.empty();
	}

	/**
	 * The leader confirmed that its leader-only work stopped, asked or not (its application is closing).
	 * @param worker the worker
	 * @param epoch the epoch it gave up
	 * @param now the current time
	 */
	void revoked(WorkerHandle worker, long epoch, Instant now) {
		if (epoch == 0 || worker.leaderEpoch() != epoch) {
			log.log(System.Logger.Level.DEBUG, "Leadership: ignoring REVOKED epoch {0} from worker {1}", epoch,
					worker.workerId());
			return;
		}
		if (worker == this.leader) {
			this.leader = null;
			this.revoking = worker;
			this.revokedAt = now;
		}
		if (worker == this.revoking) {
			release("confirmed", now);
		}
	}

	/**
	 * The leader asks to hand leadership to another ready worker.
	 * @param worker the worker
	 * @param epoch the epoch it holds
	 * @param now the current time
	 */
	void yielded(WorkerHandle worker, long epoch, Instant now) {
		if (worker != this.leader || worker.leaderEpoch() != epoch) {
			return;
		}
		log.log(System.Logger.Level.INFO, "Leadership: worker {0} (pid {1}) yields leadership (epoch {2})",
				worker.workerId(), String.valueOf(worker.pid()), epoch);
		this.yielded = worker;
		revoke(worker, now);
	}

	private void revoke(WorkerHandle worker, Instant now) {
		this.leader = null;
		this.revoking = worker;
		this.revokedAt = now;
		// a dead leader is released by the check that follows; one that lost its channel exits, or runs out of time
		if (worker.exit() == null && worker.reachable()) {
			worker.revokeLeadership();
			log.log(System.Logger.Level.INFO, "Leadership: revoking epoch {0} from worker {1} (pid {2}): it is {3}",
					worker.leaderEpoch(), worker.workerId(), String.valueOf(worker.pid()), worker.state().label());
		}
	}

	private void release(String how, Instant now) {
		WorkerHandle worker = this.revoking;
		if (how != null) {
			log.log(System.Logger.Level.INFO, "Leadership: epoch {0} released after {1} ms ({2})",
					worker.leaderEpoch(), Duration.between(this.revokedAt, now).toMillis(), how);
		}
		worker.leadershipReleased();
		this.revoking = null;
	}

	private Optional<WorkerHandle> grant(Instant now) {
		Optional<WorkerHandle> next = candidate(this.yielded);
		if (next.isEmpty() && this.yielded != null) {
			next = candidate(null);
		}
		this.yielded = null;
		next.ifPresent((worker) -> {
			this.epoch++;
			this.changes++;
			this.epochs.save(this.epoch);
			this.leader = worker;
			worker.grantLeadership(this.epoch, this.revokeTimeout);
			log.log(System.Logger.Level.INFO, "Leadership: granted to worker {0} (pid {1}, generation {2}), epoch {3}",
					worker.workerId(), String.valueOf(worker.pid()), worker.generation(), this.epoch);
		});
		return next;
	}

	/** The most recently ready worker fit to lead: in a rolling reload, the replacement, not the next to go. */
	private Optional<WorkerHandle> candidate(WorkerHandle excluded) {
		return this.table.live()
			.stream()
			.filter((worker) -> worker != excluded && fit(worker))
			.max(Comparator.comparing(WorkerHandle::readyAt).thenComparing(WorkerHandle::pid));
	}

	private static boolean fit(WorkerHandle worker) {
		return worker.state() == WorkerState.READY && worker.acceptsConnections() && worker.exit() == null
				&& !worker.condemned() && worker.reachable();
	}

	/**
	 * The worker that leads now.
	 * @return the leader, {@code null} while leadership moves or no worker is ready
	 */
	WorkerHandle leader() {
		return this.leader;
	}

	/**
	 * The epoch of the latest grant.
	 * @return the epoch, 0 before the first
	 */
	long epoch() {
		return this.epoch;
	}

	/**
	 * How often leadership was granted by this master.
	 * @return the count
	 */
	int changes() {
		return this.changes;
	}

}
