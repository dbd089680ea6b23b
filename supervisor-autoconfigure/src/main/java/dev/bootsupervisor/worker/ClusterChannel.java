package dev.bootsupervisor.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageTarget;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.Messaging;
import dev.bootsupervisor.protocol.ProtocolException;

/**
 * The worker's end of cluster messaging: numbers what it sends, matches the master's {@code SENT} and answers to
 * them, and hands delivered messages to the {@link MessageHandler} on a thread of its own, so that a slow listener
 * never holds up the channel and messages are handled in order. Leadership frames go to the {@link LeaderElection}.
 */
public final class ClusterChannel implements Consumer<Frame> {

	private static final System.Logger log = System.getLogger(ClusterChannel.class.getName());

	private static final int MAX_ERROR_LENGTH = 1000;

	private final Consumer<Frame> master;

	private final LeaderElection election;

	private final ExecutorService messages = Executors.newSingleThreadExecutor(Threads.daemon("supervisor-messages"));

	/** Acknowledgements and answers complete futures here, not behind the listeners that may wait for them. */
	private final ExecutorService replies = Executors.newSingleThreadExecutor(Threads.daemon("supervisor-replies"));

	private final Map<Long, CompletableFuture<Frame>> sends = new ConcurrentHashMap<>();

	private final Map<Long, CompletableFuture<Frame>> requests = new ConcurrentHashMap<>();

	private long seq;

	private volatile MessageHandler handler = (message) -> {
		log.log(System.Logger.Level.DEBUG, "No listener for topic {0}: message dropped", message.topic());
		if (message.request()) {
			throw new IllegalStateException("no listener for topic '" + message.topic() + "'");
		}
		return null;
	};

	/**
	 * Create a channel.
	 * @param master sends a frame to the master ({@code WorkerRuntime::sendToMaster})
	 * @param election receives the leadership frames
	 */
	public ClusterChannel(Consumer<Frame> master, LeaderElection election) {
		this.master = master;
		this.election = election;
	}

	/**
	 * Set what handles delivered messages.
	 * @param handler the handler
	 */
	public void handler(MessageHandler handler) {
		this.handler = handler;
	}

	/**
	 * Receive a frame from the master; returns at once.
	 * @param frame a {@code GRANT}, {@code REVOKE}, {@code SENT} or {@code DELIVER}
	 */
	@Override
	public void accept(Frame frame) {
		if (this.messages.isShutdown()) {
			// the application is closing: what is still in flight is dropped
			return;
		}
		switch (frame.type()) {
			case GRANT, REVOKE -> this.election.accept(frame);
			case SENT -> this.replies.execute(() -> complete(this.sends, frame, "seq"));
			case DELIVER -> {
				if (frame.get("inReplyTo").isPresent()) {
					this.replies.execute(() -> complete(this.requests, frame, "inReplyTo"));
				}
				else {
					this.messages.execute(() -> dispatch(frame));
				}
			}
			default -> log.log(System.Logger.Level.WARNING, "Unexpected {0} on the cluster channel: ignored",
					frame.type());
		}
	}

	/**
	 * Send a message.
	 * @param to the recipients
	 * @param topic the topic
	 * @param kind {@code text} or {@code bytes}
	 * @param payload the payload
	 * @return the master's {@code SENT}, which may carry an {@code error}
	 * @throws IllegalArgumentException when the topic is invalid or the payload too large
	 */
	public CompletableFuture<Frame> send(MessageTarget to, String topic, String kind, byte[] payload) {
		return send(to, topic, kind, payload, null).sent;
	}

	/**
	 * Send a request to one worker and wait for its answer.
	 * @param to the recipient
	 * @param topic the topic
	 * @param kind {@code text} or {@code bytes}
	 * @param payload the payload
	 * @param timeout how long to wait for the answer; the future then fails with a {@link TimeoutException}
	 * @return the answer ({@code DELIVER} with {@code inReplyTo}, with a payload or an {@code error}), or the
	 * {@code SENT} with an {@code error} when the master refused it
	 * @throws IllegalArgumentException when the target is every worker, the topic invalid or the payload too large
	 */
	public CompletableFuture<Frame> request(MessageTarget to, String topic, String kind, byte[] payload,
			Duration timeout) {
		if (!to.single()) {
			throw new IllegalArgumentException("A request needs one recipient, not " + to);
		}
		CompletableFuture<Frame> answer = new CompletableFuture<>();
		Pending pending = send(to, topic, kind, payload, answer);
		pending.sent.thenAccept((sent) -> {
			if (sent.get("error").isPresent()) {
				this.requests.remove(pending.seq);
				answer.complete(sent);
			}
		});
		CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
			if (this.requests.remove(pending.seq) != null) {
				answer.completeExceptionally(new TimeoutException(
						"no answer from " + to + " on topic '" + topic + "' within " + timeout.toMillis() + " ms"));
			}
		});
		return answer;
	}

	private Pending send(MessageTarget to, String topic, String kind, byte[] payload, CompletableFuture<Frame> answer) {
		checkTopic(topic);
		if (payload.length > Messaging.MAX_PAYLOAD_BYTES) {
			throw new IllegalArgumentException("A cluster message carries at most " + Messaging.MAX_PAYLOAD_BYTES
					+ " bytes, not " + payload.length);
		}
		CompletableFuture<Frame> sent = new CompletableFuture<>();
		String data = Messaging.encode(payload);
		// one sender's messages reach the master in the order of their numbers
		synchronized (this) {
			long number = ++this.seq;
			this.sends.put(number, sent);
			if (answer != null) {
				this.requests.put(number, answer);
			}
			this.master.accept(Frame.of(MessageType.SEND, "seq", number, "to", to.wire(), "topic", topic, "kind",
					kind, "data", data, "expectReply", (answer != null) ? "true" : null));
			return new Pending(number, sent);
		}
	}

	private static void checkTopic(String topic) {
		try {
			Messaging.topic(topic);
		}
		catch (ProtocolException ex) {
			throw new IllegalArgumentException("Cannot send on topic '" + topic + "': " + ex.getMessage()
					+ " (1 to 128 letters, digits and . _ - : /, starting with a letter or digit)");
		}
	}

	private static void complete(Map<Long, CompletableFuture<Frame>> pending, Frame frame, String key) {
		CompletableFuture<Frame> future;
		try {
			future = pending.remove(frame.requireLong(key));
		}
		catch (ProtocolException ex) {
			log.log(System.Logger.Level.WARNING, "Malformed {0} from the master: {1}", frame.type(), ex.getMessage());
			return;
		}
		if (future != null) {
			future.complete(frame);
		}
	}

	private void dispatch(Frame frame) {
		String call = frame.get("call").orElse(null);
		try {
			InboundMessage message = new InboundMessage(frame.require("topic"), frame.requireInt("from"),
					frame.requireLong("fromPid"), Messaging.kind(frame.require("kind")),
					Messaging.decode(frame.get("data").orElse("")), call != null);
			MessageHandler.Answer answer = this.handler.handle(message);
			if (call != null) {
				answer = (answer != null) ? answer : new MessageHandler.Answer(Messaging.TEXT, new byte[0]);
				this.master.accept(Frame.of(MessageType.ANSWER, "call", call, "kind", answer.kind(), "data",
						Messaging.encode(answer.payload())));
			}
		}
		catch (Exception ex) {
			String error = (ex.getMessage() != null) ? ex.getMessage() : ex.toString();
			if (call != null) {
				this.master.accept(Frame.of(MessageType.ANSWER, "call", call, "error",
						(error.length() > MAX_ERROR_LENGTH) ? error.substring(0, MAX_ERROR_LENGTH) : error));
			}
			else {
				log.log(System.Logger.Level.WARNING, "Handling a cluster message on topic {0} failed: {1}",
						frame.get("topic").orElse("?"), ex.toString());
			}
		}
	}

	/** Stop the message threads; messages still queued are dropped. */
	public void close() {
		this.messages.shutdownNow();
		this.replies.shutdownNow();
	}

	private record Pending(long seq, CompletableFuture<Frame> sent) {

	}

}
