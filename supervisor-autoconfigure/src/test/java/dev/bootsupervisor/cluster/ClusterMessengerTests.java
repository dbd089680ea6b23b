package dev.bootsupervisor.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.Messaging;
import dev.bootsupervisor.worker.ClusterChannel;
import dev.bootsupervisor.worker.LeaderElection;
import dev.bootsupervisor.worker.LeaderState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link ClusterMessenger}, on a channel whose master is played by the test.
 */
class ClusterMessengerTests {

	private final List<Frame> sent = new CopyOnWriteArrayList<>();

	private final LeaderElection election = new LeaderElection(1, new LeaderState(), this.sent::add,
			Clock.systemUTC());

	private final ClusterChannel channel = new ClusterChannel(this.sent::add, this.election);

	private final ClusterMessenger messenger = new ClusterMessenger(this.channel);

	@AfterEach
	void close() {
		this.channel.close();
		this.election.close(Duration.ZERO);
	}

	@Test
	void eachSendNamesItsTarget() {
		this.messenger.broadcast("t", "a");
		this.messenger.sendToLeader("t", new byte[] { 1 });
		this.messenger.sendTo(3, "t", "c");
		this.messenger.sendToAny("t", "d");
		assertThat(this.sent).extracting((frame) -> frame.fields().get("to") + " " + frame.fields().get("kind"))
			.containsExactly("all text", "leader bytes", "3 text", "any text");
	}

	@Test
	void aSendCompletesWithTheDeliveredAndHeldCounts() throws Exception {
		CompletableFuture<Delivery> delivery = this.messenger.broadcast("t", "a");
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 1, "delivered", 2, "held", 1));
		assertThat(delivery.get(5, TimeUnit.SECONDS)).isEqualTo(new Delivery(2, 1));
	}

	@Test
	void aRefusedSendFailsWithTheMastersError() {
		CompletableFuture<Delivery> delivery = this.messenger.sendTo(7, "t", "a");
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 1, "delivered", 0, "held", 0, "error",
				"no worker 7: this cluster has workers 1 to 3"));
		assertThatThrownBy(() -> delivery.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.cause()
			.isInstanceOf(ClusterMessageException.class)
			.hasMessage("Message to worker 7 on topic 't' failed: no worker 7: this cluster has workers 1 to 3");
	}

	@Test
	void anOversizedPayloadOrABadTopicIsRefusedAtOnce() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.messenger.broadcast("t", new byte[Messaging.MAX_PAYLOAD_BYTES + 1]));
		assertThatIllegalArgumentException().isThrownBy(() -> this.messenger.sendToLeader(".bad", "a"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.messenger.sendTo(0, "t", "a"));
	}

	@Test
	void aRequestCompletesWithTheAnswer() throws Exception {
		CompletableFuture<ClusterMessage> answer = this.messenger.requestLeader("t", "q", Duration.ofSeconds(5));
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 1, "delivered", 1, "held", 0));
		this.channel.accept(Frame.of(MessageType.DELIVER, "inReplyTo", 1, "from", 2, "fromPid", 4242, "topic", "t",
				"kind", "text", "data", Messaging.encode("2 4242 q".getBytes(StandardCharsets.UTF_8))));
		ClusterMessage message = answer.get(5, TimeUnit.SECONDS);
		assertThat(message.text()).isEqualTo("2 4242 q");
		assertThat(message.fromWorker()).isEqualTo(2);
		assertThat(message.fromPid()).isEqualTo(4242);
		assertThat(message.isText()).isTrue();
	}

	@Test
	void anErrorAnswerFailsTheRequest() {
		CompletableFuture<ClusterMessage> answer = this.messenger.request(2, "t", "q", Duration.ofSeconds(5));
		this.channel.accept(Frame.of(MessageType.DELIVER, "inReplyTo", 1, "from", 2, "fromPid", 4242, "topic", "t",
				"error", "worker has no listener for topic 't'"));
		assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).cause()
			.isInstanceOf(ClusterMessageException.class)
			.hasMessage("Request to worker 2 on topic 't' failed: worker has no listener for topic 't'");
	}

	@Test
	void aRefusedRequestFailsWithTheMastersError() {
		CompletableFuture<ClusterMessage> answer = this.messenger.requestAny("t", "q", Duration.ofSeconds(5));
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 1, "delivered", 0, "held", 0, "error",
				"no ready worker"));
		assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).cause()
			.isInstanceOf(ClusterMessageException.class)
			.hasMessageContaining("no ready worker");
	}

	@Test
	void anUnansweredRequestTimesOut() {
		CompletableFuture<ClusterMessage> answer = this.messenger.requestLeader("t", "q", Duration.ofMillis(50));
		assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class);
	}

}
