package dev.bootsupervisor.worker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageTarget;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;

/**
 * Stands in for the master when the application runs without one: a cluster of one worker, {@link #WORKER_ID},
 * which leads with epoch 1 once granted, and to which every message for all, the leader, any worker or its own id
 * is delivered; a message for another id is refused as the master would refuse it.
 */
public final class LocalMaster implements Consumer<Frame> {

	/** The id of the one worker of a cluster of one. */
	public static final int WORKER_ID = 1;

	private static final long PID = ProcessHandle.current().pid();

	private final Map<String, String> calls = new ConcurrentHashMap<>();

	private volatile Consumer<Frame> worker = (frame) -> {
	};

	/**
	 * Connect the worker's channel, which receives what this master sends.
	 * @param worker the channel
	 */
	public void connect(Consumer<Frame> worker) {
		this.worker = worker;
	}

	/** Grant leadership to the one worker, epoch 1. */
	public void grant() {
		this.worker.accept(Frame.of(MessageType.GRANT, "epoch", 1));
	}

	@Override
	public void accept(Frame frame) {
		try {
			if (frame.type() == MessageType.SEND) {
				send(frame);
			}
			else if (frame.type() == MessageType.ANSWER) {
				answer(frame);
			}
			// REVOKED and YIELD change nothing: there is no other worker to lead
		}
		catch (ProtocolException ex) {
			throw new IllegalStateException("Malformed " + frame.type() + ": " + ex.getMessage(), ex);
		}
	}

	private void send(Frame frame) throws ProtocolException {
		String seq = frame.require("seq");
		MessageTarget to = MessageTarget.of(frame.require("to"));
		if (to.kind() == MessageTarget.Kind.WORKER && to.workerId() != WORKER_ID) {
			this.worker.accept(Frame.of(MessageType.SENT, "seq", seq, "delivered", 0, "held", 0, "error",
					"no worker " + to.workerId() + ": this application runs without a supervisor, as a cluster of "
							+ "one (worker " + WORKER_ID + ")"));
			return;
		}
		boolean request = frame.get("expectReply").map(Boolean::parseBoolean).orElse(false);
		if (request) {
			this.calls.put(seq, frame.require("topic"));
		}
		this.worker.accept(Frame.of(MessageType.SENT, "seq", seq, "delivered", 1, "held", 0));
		this.worker.accept(Frame.of(MessageType.DELIVER, "from", WORKER_ID, "fromPid", PID, "topic",
				frame.require("topic"), "kind", frame.require("kind"), "data", frame.require("data"), "call",
				request ? seq : null));
	}

	private void answer(Frame frame) throws ProtocolException {
		String call = frame.require("call");
		String topic = this.calls.remove(call);
		if (topic == null) {
			return;
		}
		this.worker.accept(Frame.of(MessageType.DELIVER, "inReplyTo", call, "from", WORKER_ID, "fromPid", PID,
				"topic", topic, "kind", frame.get("kind").orElse(null), "data", frame.get("data").orElse(null),
				"error", frame.get("error").orElse(null)));
	}

}
