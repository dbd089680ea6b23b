package dev.bootsupervisor.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageTarget;
import dev.bootsupervisor.protocol.Messaging;
import dev.bootsupervisor.protocol.ProtocolException;
import dev.bootsupervisor.worker.ClusterChannel;

/**
 * Sends messages to the workers of the cluster through the master, which knows who is alive: to every worker, the
 * leader, one worker by id or any ready one, and requests that one worker answers. A message for a worker that is
 * starting, or for the leader while there is none, is held by the master and delivered once it is ready (bounded,
 * see {@link Messaging}). Messages from one sender arrive in the order they were sent, at most once.
 */
public class ClusterMessenger {

	private final ClusterChannel channel;

	/**
	 * Create a messenger.
	 * @param channel the worker's cluster channel
	 */
	public ClusterMessenger(ClusterChannel channel) {
		this.channel = channel;
	}

	/**
	 * Send to every worker, this one included.
	 * @param topic the topic
	 * @param text the text
	 * @return how many got it and how many will, or a {@link ClusterMessageException} when the master refused it
	 * @throws IllegalArgumentException when the topic is invalid or the payload larger than
	 * {@link Messaging#MAX_PAYLOAD_BYTES}
	 */
	public CompletableFuture<Delivery> broadcast(String topic, String text) {
		return send(MessageTarget.ALL, topic, Messaging.TEXT, utf8(text));
	}

	public CompletableFuture<Delivery> broadcast(String topic, byte[] payload) {
		return send(MessageTarget.ALL, topic, Messaging.BYTES, payload);
	}

	/**
	 * Send to the leader (held while there is none).
	 * @param topic the topic
	 * @param text the text
	 * @return see {@link #broadcast(String, String)}
	 */
	public CompletableFuture<Delivery> sendToLeader(String topic, String text) {
		return send(MessageTarget.LEADER, topic, Messaging.TEXT, utf8(text));
	}

	public CompletableFuture<Delivery> sendToLeader(String topic, byte[] payload) {
		return send(MessageTarget.LEADER, topic, Messaging.BYTES, payload);
	}

	/**
	 * Send to one worker by id (held while it starts; refused when no worker has that id).
	 * @param workerId the worker id, from 1
	 * @param topic the topic
	 * @param text the text
	 * @return see {@link #broadcast(String, String)}
	 */
	public CompletableFuture<Delivery> sendTo(int workerId, String topic, String text) {
		return send(MessageTarget.worker(workerId), topic, Messaging.TEXT, utf8(text));
	}

	public CompletableFuture<Delivery> sendTo(int workerId, String topic, byte[] payload) {
		return send(MessageTarget.worker(workerId), topic, Messaging.BYTES, payload);
	}

	/**
	 * Send to one ready worker chosen at random, possibly this one (refused when none is ready).
	 * @param topic the topic
	 * @param text the text
	 * @return see {@link #broadcast(String, String)}
	 */
	public CompletableFuture<Delivery> sendToAny(String topic, String text) {
		return send(MessageTarget.ANY, topic, Messaging.TEXT, utf8(text));
	}

	public CompletableFuture<Delivery> sendToAny(String topic, byte[] payload) {
		return send(MessageTarget.ANY, topic, Messaging.BYTES, payload);
	}

	/**
	 * Ask the leader and wait for its answer.
	 * @param topic the topic, which the leader must listen to
	 * @param text the text
	 * @param timeout how long to wait for the answer
	 * @return the answer; fails with a {@link ClusterMessageException} when the master refused the request or the
	 * receiver answered an error, with a {@link java.util.concurrent.TimeoutException} when no answer came in time
	 */
	public CompletableFuture<ClusterMessage> requestLeader(String topic, String text, Duration timeout) {
		return request(MessageTarget.LEADER, topic, Messaging.TEXT, utf8(text), timeout);
	}

	public CompletableFuture<ClusterMessage> requestLeader(String topic, byte[] payload, Duration timeout) {
		return request(MessageTarget.LEADER, topic, Messaging.BYTES, payload, timeout);
	}

	/**
	 * Ask one worker by id, see {@link #requestLeader(String, String, Duration)}.
	 * @param workerId the worker id, from 1
	 * @param topic the topic
	 * @param text the text
	 * @param timeout how long to wait for the answer
	 * @return the answer
	 */
	public CompletableFuture<ClusterMessage> request(int workerId, String topic, String text, Duration timeout) {
		return request(MessageTarget.worker(workerId), topic, Messaging.TEXT, utf8(text), timeout);
	}

	public CompletableFuture<ClusterMessage> request(int workerId, String topic, byte[] payload, Duration timeout) {
		return request(MessageTarget.worker(workerId), topic, Messaging.BYTES, payload, timeout);
	}

	/**
	 * Ask any one ready worker, see {@link #requestLeader(String, String, Duration)}.
	 * @param topic the topic
	 * @param text the text
	 * @param timeout how long to wait for the answer
	 * @return the answer
	 */
	public CompletableFuture<ClusterMessage> requestAny(String topic, String text, Duration timeout) {
		return request(MessageTarget.ANY, topic, Messaging.TEXT, utf8(text), timeout);
	}

	public CompletableFuture<ClusterMessage> requestAny(String topic, byte[] payload, Duration timeout) {
		return request(MessageTarget.ANY, topic, Messaging.BYTES, payload, timeout);
	}

	private CompletableFuture<Delivery> send(MessageTarget to, String topic, String kind, byte[] payload) {
		CompletableFuture<Delivery> delivery = new CompletableFuture<>();
		this.channel.send(to, topic, kind, payload).whenComplete((sent, failure) -> {
			if (failure != null) {
				delivery.completeExceptionally(failure);
				return;
			}
			String error = sent.get("error").orElse(null);
			if (error != null) {
				delivery.completeExceptionally(refused("Message", to, topic, error));
				return;
			}
			delivery.complete(new Delivery(count(sent, "delivered"), count(sent, "held")));
		});
		return delivery;
	}

	private CompletableFuture<ClusterMessage> request(MessageTarget to, String topic, String kind, byte[] payload,
			Duration timeout) {
		CompletableFuture<ClusterMessage> reply = new CompletableFuture<>();
		this.channel.request(to, topic, kind, payload, timeout).whenComplete((answer, failure) -> {
			if (failure != null) {
				reply.completeExceptionally(failure);
				return;
			}
			String error = answer.get("error").orElse(null);
			if (error != null) {
				reply.completeExceptionally(refused("Request", to, topic, error));
				return;
			}
			try {
				reply.complete(new ClusterMessage(topic, answer.requireInt("from"), answer.requireLong("fromPid"),
						Messaging.decode(answer.get("data").orElse("")),
						!Messaging.BYTES.equals(answer.get("kind").orElse(Messaging.TEXT))));
			}
			catch (ProtocolException ex) {
				reply.completeExceptionally(new ClusterMessageException(
						"Request to " + to + " on topic '" + topic + "' got a malformed answer: " + ex.getMessage()));
			}
		});
		return reply;
	}

	private static ClusterMessageException refused(String what, MessageTarget to, String topic, String error) {
		return new ClusterMessageException(what + " to " + to + " on topic '" + topic + "' failed: " + error);
	}

	private static int count(Frame sent, String field) {
		return sent.get(field).map(Integer::parseInt).orElse(0);
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
