package dev.bootsupervisor.protocol;

/**
 * Who a cluster message is for, as the {@code to} field of a {@code SEND} spells it: {@code all} (every worker, the
 * sender included), {@code leader}, {@code any} (one ready worker, chosen at random) or a worker id.
 *
 * @param kind which of the four
 * @param workerId the worker id for {@link Kind#WORKER}, 0 otherwise
 */
public record MessageTarget(Kind kind, int workerId) {

	/** Every worker. */
	public static final MessageTarget ALL = new MessageTarget(Kind.ALL, 0);

	/** The leader. */
	public static final MessageTarget LEADER = new MessageTarget(Kind.LEADER, 0);

	/** One ready worker, at random. */
	public static final MessageTarget ANY = new MessageTarget(Kind.ANY, 0);

	public MessageTarget {
		if ((kind == Kind.WORKER) != (workerId > 0)) {
			throw new IllegalArgumentException("A worker target needs a worker id from 1, and only it has one");
		}
	}

	/**
	 * The worker with this id.
	 * @param workerId the id, from 1
	 * @return the target
	 */
	public static MessageTarget worker(int workerId) {
		if (workerId < 1) {
			throw new IllegalArgumentException("Worker ids start at 1, not " + workerId);
		}
		return new MessageTarget(Kind.WORKER, workerId);
	}

	/**
	 * Read a {@code to} field.
	 * @param text the field
	 * @return the target
	 * @throws ProtocolException when it names none
	 */
	public static MessageTarget of(String text) throws ProtocolException {
		switch (text) {
			case "all":
				return ALL;
			case "leader":
				return LEADER;
			case "any":
				return ANY;
			default:
				try {
					int id = Integer.parseInt(text);
					if (id >= 1 && id <= ClusterView.MAX_WORKERS) {
						return worker(id);
					}
				}
				catch (NumberFormatException ex) {
					// not a worker id either
				}
				throw new ProtocolException("unknown message target '" + text + "'");
		}
	}

	/**
	 * Whether it names one recipient, which a request needs.
	 * @return whether one worker gets it
	 */
	public boolean single() {
		return this.kind != Kind.ALL;
	}

	/**
	 * The {@code to} field.
	 * @return the wire form
	 */
	public String wire() {
		return (this.kind == Kind.WORKER) ? String.valueOf(this.workerId) : this.kind.name().toLowerCase();
	}

	@Override
	public String toString() {
		return (this.kind == Kind.WORKER) ? "worker " + this.workerId : wire();
	}

	/** The kinds of target. */
	public enum Kind {

		/** Every worker. */
		ALL,

		/** The leader. */
		LEADER,

		/** One ready worker. */
		ANY,

		/** A worker by id. */
		WORKER

	}

}
