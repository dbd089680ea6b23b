package dev.bootsupervisor.master;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageTarget;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.Messaging;
import dev.bootsupervisor.protocol.ProtocolException;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * Relays cluster messages between workers: to every worker, the leader, one worker by id or any ready one, and
 * requests with their answers. Membership is the master's own worker table, so nothing depends on a worker knowing
 * the others. A message for a worker that is starting, or for the leader while leadership moves, is held (bounded)
 * and delivered once it can be; every send is acknowledged, and what cannot be delivered is an error to its sender.
 */
final class MessageRelay {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final WorkerTable table;

	private final Supplier<WorkerHandle> leader;

	private final RandomGenerator random;

	/** Messages waiting for a starting worker, in the order they came. */
	private final Map<WorkerHandle, HeldMessages> held = new LinkedHashMap<>();

	/** Messages waiting for the next leader. */
	private final HeldMessages forLeader = new HeldMessages();

	/** Requests delivered (or held) and not answered yet, by the call id this master gave them. */
	private final Map<Long, Call> calls = new HashMap<>();

	private long callIds;

	MessageRelay(WorkerTable table, Supplier<WorkerHandle> leader, RandomGenerator random) {
		this.table = table;
		this.leader = leader;
		this.random = random;
	}

	/**
	 * Relay a worker's {@code SEND} and acknowledge it.
	 * @param sender the worker
	 * @param frame the frame
	 * @throws ProtocolException when the frame is malformed
	 */
	void send(WorkerHandle sender, Frame frame) throws ProtocolException {
		long seq = frame.requireLong("seq");
		MessageTarget target = MessageTarget.of(frame.require("to"));
		String topic = Messaging.topic(frame.require("topic"));
		String kind = Messaging.kind(frame.require("kind"));
		String data = frame.require("data");
		int size = Messaging.decode(data).length;
		boolean request = Boolean.parseBoolean(frame.get("expectReply").orElse("false"));
		if (request && !target.single()) {
			sender.send(Frame.of(MessageType.SENT, "seq", seq, "delivered", 0, "held", 0, "error",
					"a request needs one recipient, not all workers"));
			return;
		}
		Delivery delivery = new Delivery();
		Long call = null;
		if (request) {
			call = ++this.callIds;
			this.calls.put(call, new Call(sender, seq, topic));
		}
		Frame message = Frame.of(MessageType.DELIVER, "from", sender.workerId(), "fromPid", sender.pid(), "topic",
				topic, "kind", kind, "data", data, "call", call);
		switch (target.kind()) {
			case ALL -> {
				for (WorkerHandle worker : recipients()) {
					route(worker, message, size, call, delivery);
				}
			}
			case LEADER -> toLeader(message, size, call, delivery);
			case ANY -> {
				List<WorkerHandle> ready = this.table.live().stream().filter(MessageRelay::ready).toList();
				if (ready.isEmpty()) {
					delivery.error("no worker is ready");
				}
				else {
					route(ready.get(this.random.nextInt(ready.size())), message, size, call, delivery);
				}
			}
			case WORKER -> toWorker(target.workerId(), message, size, call, delivery);
		}
		if (call != null && delivery.error != null) {
			this.calls.remove(call);
		}
		sender.send(Frame.of(MessageType.SENT, "seq", seq, "delivered", delivery.delivered, "held", delivery.held,
				"error", delivery.error));
	}

	/**
	 * Relay a worker's {@code ANSWER} to the worker that asked.
	 * @param responder the worker that answers
	 * @param frame the frame
	 * @throws ProtocolException when the frame is malformed or answers a call this worker was not given
	 */
	void answer(WorkerHandle responder, Frame frame) throws ProtocolException {
		long id = frame.requireLong("call");
		Call call = this.calls.get(id);
		if (call == null) {
			// the asker is gone, or the answer came after the callee was declared gone
			return;
		}
		if (call.callee != responder) {
			throw new ProtocolException("ANSWER to call " + id + ", which was not delivered to this worker");
		}
		this.calls.remove(id);
		String error = frame.get("error").map(ChannelMessages::oneLine).orElse(null);
		if (error != null) {
			call.caller.send(Frame.of(MessageType.DELIVER, "inReplyTo", call.seq, "from", responder.workerId(),
					"fromPid", responder.pid(), "topic", call.topic, "error", error));
			return;
		}
		String kind = Messaging.kind(frame.require("kind"));
		String data = frame.require("data");
		Messaging.decode(data);
		call.caller.send(Frame.of(MessageType.DELIVER, "inReplyTo", call.seq, "from", responder.workerId(),
				"fromPid", responder.pid(), "topic", call.topic, "kind", kind, "data", data));
	}

	/**
	 * Deliver what is held for workers that became ready and for the leader once there is one; called by the loop
	 * after every event.
	 */
	void flush() {
		Iterator<Map.Entry<WorkerHandle, HeldMessages>> entries = this.held.entrySet().iterator();
		while (entries.hasNext()) {
			Map.Entry<WorkerHandle, HeldMessages> entry = entries.next();
			if (ready(entry.getKey())) {
				entry.getValue().drainTo(entry.getKey());
				entries.remove();
			}
		}
		WorkerHandle leader = this.leader.get();
		if (leader != null && !this.forLeader.isEmpty()) {
			for (Long id : this.forLeader.calls()) {
				Call call = this.calls.get(id);
				if (call != null) {
					call.callee = leader;
				}
			}
			this.forLeader.drainTo(leader);
		}
	}

	/**
	 * A worker exited: what was held for it is dropped, requests it had not answered fail, answers to its own
	 * requests have nobody to go to.
	 * @param worker the worker
	 */
	void exited(WorkerHandle worker) {
		HeldMessages dropped = this.held.remove(worker);
		if (dropped != null && !dropped.isEmpty()) {
			log.log(System.Logger.Level.WARNING, "Worker {0} (pid {1}) exited before it was ready: dropping the {2} "
					+ "message(s) held for it", worker.workerId(), String.valueOf(worker.pid()), dropped.size());
		}
		Iterator<Call> calls = this.calls.values().iterator();
		while (calls.hasNext()) {
			Call call = calls.next();
			if (call.caller == worker) {
				calls.remove();
			}
			else if (call.callee == worker) {
				calls.remove();
				call.caller.send(Frame.of(MessageType.DELIVER, "inReplyTo", call.seq, "from", worker.workerId(),
						"fromPid", worker.pid(), "topic", call.topic, "error", "worker " + worker.workerId() + " (pid "
								+ worker.pid() + ") exited before it answered"));
			}
		}
	}

	private void toLeader(Frame message, int size, Long call, Delivery delivery) {
		WorkerHandle leader = this.leader.get();
		if (leader != null && this.forLeader.isEmpty()) {
			route(leader, message, size, call, delivery);
		}
		else if (this.forLeader.fits(size)) {
			this.forLeader.add(message, size, call);
			delivery.held++;
		}
		else {
			delivery.error("there is no leader now (leadership is moving) and " + this.forLeader.size()
					+ " message(s) are already held for the next one");
		}
	}

	private void toWorker(int id, Frame message, int size, Long call, Delivery delivery) {
		WorkerSlot slot = this.table.slot(id);
		if (slot == null) {
			delivery.error("no worker " + id + ": this cluster has " + describeSlots());
			return;
		}
		WorkerHandle worker = slot.current();
		WorkerHandle replacement = this.table.replacement();
		if (!deliverable(worker) && replacement != null && replacement.workerId() == id && deliverable(replacement)) {
			worker = replacement;
		}
		if (!deliverable(worker)) {
			delivery.error("worker " + id + " is not running"
					+ ((worker != null) ? " (" + worker.state().label() + ": " + worker.reason() + ")" : ""));
			return;
		}
		route(worker, message, size, call, delivery);
	}

	/** Deliver to a ready worker now, unless messages are already held for it; hold for a starting one. */
	private void route(WorkerHandle worker, Frame message, int size, Long call, Delivery delivery) {
		HeldMessages queue = this.held.get(worker);
		if (call != null) {
			this.calls.get(call).callee = worker;
		}
		if (ready(worker) && queue == null) {
			if (worker.send(message)) {
				delivery.delivered++;
			}
			else {
				delivery.error("worker " + worker.workerId() + " (pid " + worker.pid() + ") cannot be reached");
			}
			return;
		}
		queue = this.held.computeIfAbsent(worker, (w) -> new HeldMessages());
		if (!queue.fits(size)) {
			delivery.error("worker " + worker.workerId() + " (pid " + worker.pid() + ") is starting and "
					+ queue.size() + " message(s) are already held for it");
			return;
		}
		queue.add(message, size, call);
		delivery.held++;
	}

	/** Every worker a broadcast is for: ready or starting, not those on their way out. */
	private List<WorkerHandle> recipients() {
		List<WorkerHandle> workers = new ArrayList<>();
		for (WorkerHandle worker : this.table.live()) {
			if (deliverable(worker)) {
				workers.add(worker);
			}
		}
		workers.sort((a, b) -> (a.workerId() != b.workerId()) ? Integer.compare(a.workerId(), b.workerId())
				: Long.compare(a.pid(), b.pid()));
		return workers;
	}

	private String describeSlots() {
		List<Integer> ids = this.table.slots().stream().map(WorkerSlot::id).toList();
		if (ids.isEmpty()) {
			return "no workers";
		}
		return (ids.size() == 1) ? "worker " + ids.get(0) : "workers " + ids.get(0) + " to " + ids.get(ids.size() - 1);
	}

	/** Ready now, or starting and so ready soon. */
	private static boolean deliverable(WorkerHandle worker) {
		return worker != null && (ready(worker)
				|| (worker.state() == WorkerState.STARTING && !worker.killed() && worker.exit() == null));
	}

	private static boolean ready(WorkerHandle worker) {
		return worker.state() == WorkerState.READY && worker.exit() == null && worker.reachable();
	}

	/** What became of one send. */
	private static final class Delivery {

		private int delivered;

		private int held;

		private String error;

		void error(String error) {
			this.error = (this.error == null) ? error : this.error + "; " + error;
		}

	}

	/** A request waiting for its answer. */
	private static final class Call {

		private final WorkerHandle caller;

		private final long seq;

		private final String topic;

		private WorkerHandle callee;

		Call(WorkerHandle caller, long seq, String topic) {
			this.caller = caller;
			this.seq = seq;
			this.topic = topic;
		}

	}

	/** Messages held for one recipient, within {@link Messaging#MAX_HELD_MESSAGES} and {@link Messaging#MAX_HELD_BYTES}. */
	private static final class HeldMessages {

		private final List<Frame> frames = new ArrayList<>();

		private final List<Long> calls = new ArrayList<>();

		private long bytes;

		boolean fits(int size) {
			return this.frames.size() < Messaging.MAX_HELD_MESSAGES && this.bytes + size <= Messaging.MAX_HELD_BYTES;
		}

		void add(Frame frame, int size, Long call) {
			this.frames.add(frame);
			this.bytes += size;
			if (call != null) {
				this.calls.add(call);
			}
		}

		List<Long> calls() {
			return this.calls;
		}

		boolean isEmpty() {
			return this.frames.isEmpty();
		}

		int size() {
			return this.frames.size();
		}

		void drainTo(WorkerHandle worker) {
			this.frames.forEach(worker::send);
			this.frames.clear();
			this.calls.clear();
			this.bytes = 0;
		}

	}

}
