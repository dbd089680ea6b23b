package dev.bootsupervisor.worker;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageTarget;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.Messaging;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ClusterChannel}, driven with the master's frames.
 */
class ClusterChannelTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private final List<Frame> sent = new CopyOnWriteArrayList<>();

	private final LeaderElection election = new LeaderElection(1, new LeaderState(), this.sent::add,
			Clock.systemUTC());

	private final ClusterChannel channel = new ClusterChannel(this.sent::add, this.election);

	@AfterEach
	void close() {
		this.channel.close();
		this.election.close(Duration.ZERO);
	}

	@Test
	void sendsNumberedMessagesAndCompletesThemWithTheirAcknowledgement() throws Exception {
		CompletableFuture<Frame> first = this.channel.send(MessageTarget.ALL, "t.one", Messaging.TEXT, utf8("a"));
		CompletableFuture<Frame> second = this.channel.send(MessageTarget.worker(2), "t.two", Messaging.BYTES,
				new byte[] { 1, 2 });
		assertThat(this.sent).extracting((frame) -> frame.fields().get("seq")).containsExactly("1", "2");
		assertThat(this.sent.get(0).fields()).containsEntry("to", "all")
			.containsEntry("topic", "t.one")
			.containsEntry("kind", "text")
			.containsEntry("data", Messaging.encode(utf8("a")))
			.doesNotContainKey("expectReply");
		assertThat(this.sent.get(1).fields()).containsEntry("to", "2").containsEntry("kind", "bytes");
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 2, "delivered", 1, "held", 0));
		assertThat(second.get(5, TimeUnit.SECONDS).fields()).containsEntry("delivered", "1");
		assertThat(first).isNotDone();
	}

	@Test
	void anAcknowledgementWithAnErrorCompletesWithIt() throws Exception {
		CompletableFuture<Frame> sent = this.channel.send(MessageTarget.worker(9), "t", Messaging.TEXT, utf8("a"));
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 1, "delivered", 0, "held", 0, "error", "no worker 9"));
		assertThat(sent.get(5, TimeUnit.SECONDS).get("error")).hasValue("no worker 9");
	}

	@Test
	void refusesAnOversizedPayloadOrABadTopicAtOnce() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.channel.send(MessageTarget.ALL, "t",
				Messaging.BYTES, new byte[Messaging.MAX_PAYLOAD_BYTES + 1]))
			.withMessageContaining("at most 65536 bytes");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.channel.send(MessageTarget.ALL, "bad topic", Messaging.TEXT, utf8("a")))
			.withMessageContaining("bad topic");
		assertThatIllegalArgumentException().isThrownBy(() -> this.channel.request(MessageTarget.ALL, "t",
				Messaging.TEXT, utf8("a"), WAIT));
		assertThat(this.sent).isEmpty();
	}

	@Test
	void aRequestCompletesWithTheRelayedAnswer() throws Exception {
		CompletableFuture<Frame> answer = this.channel.request(MessageTarget.LEADER, "t", Messaging.TEXT, utf8("q"),
				WAIT);
		assertThat(this.sent.get(0).fields()).containsEntry("expectReply", "true");
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 1, "delivered", 1, "held", 0));
		this.channel.accept(Frame.of(MessageType.DELIVER, "inReplyTo", 1, "from", 3, "fromPid", 42, "topic", "t",
				"kind", "text", "data", Messaging.encode(utf8("r"))));
		assertThat(answer.get(5, TimeUnit.SECONDS).fields()).containsEntry("from", "3");
	}

	@Test
	void aRefusedRequestCompletesWithTheRefusal() throws Exception {
		CompletableFuture<Frame> answer = this.channel.request(MessageTarget.worker(7), "t", Messaging.TEXT,
				utf8("q"), WAIT);
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 1, "delivered", 0, "held", 0, "error", "no worker 7"));
		assertThat(answer.get(5, TimeUnit.SECONDS).get("error")).hasValue("no worker 7");
	}

	@Test
	void aRequestNotAnsweredInTimeFailsWithATimeout() {
		CompletableFuture<Frame> answer = this.channel.request(MessageTarget.ANY, "t", Messaging.TEXT, utf8("q"),
				Duration.ofMillis(50));
		assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.cause()
			.isInstanceOf(TimeoutException.class)
			.hasMessageContaining("no answer from any on topic 't' within 50 ms");
		// a late answer finds nothing to complete
		this.channel.accept(Frame.of(MessageType.DELIVER, "inReplyTo", 1, "from", 3, "fromPid", 42, "topic", "t",
				"kind", "text", "data", ""));
	}

	@Test
	void deliversMessagesInOrderOnItsOwnThread() {
		List<String> handled = new CopyOnWriteArrayList<>();
		this.channel.handler((message) -> {
			handled.add(new String(message.payload(), StandardCharsets.UTF_8) + " from " + message.from() + " on "
					+ Thread.currentThread().getName());
			return null;
		});
		for (int i = 1; i <= 20; i++) {
			this.channel.accept(deliver("t", "m" + i, null));
		}
		await().atMost(WAIT).until(() -> handled.size() == 20);
		assertThat(handled.get(0)).isEqualTo("m1 from 2 on supervisor-messages");
		assertThat(handled.get(19)).isEqualTo("m20 from 2 on supervisor-messages");
		assertThat(this.sent).isEmpty();
	}

	@Test
	void aSlowListenerDoesNotHoldUpAcknowledgements() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		this.channel.handler((message) -> {
			release.await(10, TimeUnit.SECONDS);
			return null;
		});
		this.channel.accept(deliver("t", "slow", null));
		CompletableFuture<Frame> sent = this.channel.send(MessageTarget.ALL, "t", Messaging.TEXT, utf8("a"));
		this.channel.accept(Frame.of(MessageType.SENT, "seq", 1, "delivered", 3, "held", 0));
		assertThat(sent.get(5, TimeUnit.SECONDS)).isNotNull();
		release.countDown();
	}

	@Test
	void answersARequestWithTheListenersAnswer() {
		this.channel.handler((message) -> new MessageHandler.Answer(Messaging.TEXT, utf8("pong")));
		this.channel.accept(deliver("t", "ping", "c7"));
		await().atMost(WAIT).until(() -> this.sent.size() == 1);
		assertThat(this.sent.get(0).type()).isEqualTo(MessageType.ANSWER);
		assertThat(this.sent.get(0).fields()).containsEntry("call", "c7")
			.containsEntry("kind", "text")
			.containsEntry("data", Messaging.encode(utf8("pong")));
	}

	@Test
	void answersARequestWithTheListenersError() {
		this.channel.handler((message) -> {
			throw new IllegalStateException("database is down");
		});
		this.channel.accept(deliver("t", "ping", "c8"));
		await().atMost(WAIT).until(() -> this.sent.size() == 1);
		assertThat(this.sent.get(0).fields()).containsEntry("call", "c8")
			.containsEntry("error", "database is down")
			.doesNotContainKey("data");
	}

	@Test
	void withoutAHandlerARequestGetsAnErrorAndAMessageIsDropped() {
		this.channel.accept(deliver("nobody", "hello", null));
		this.channel.accept(deliver("nobody", "ping", "c9"));
		await().atMost(WAIT).until(() -> this.sent.size() == 1);
		assertThat(this.sent.get(0).fields()).containsEntry("call", "c9")
			.containsEntry("error", "no listener for topic 'nobody'");
	}

	@Test
	void passesLeadershipFramesToTheElection() {
		this.channel.accept(Frame.of(MessageType.GRANT, "epoch", 2));
		await().atMost(WAIT).until(() -> this.election.state().isLeader());
	}

	private static Frame deliver(String topic, String text, String call) {
		return Frame.of(MessageType.DELIVER, "from", 2, "fromPid", 1234, "topic", topic, "kind", "text", "data",
				Messaging.encode(utf8(text)), "call", call);
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
