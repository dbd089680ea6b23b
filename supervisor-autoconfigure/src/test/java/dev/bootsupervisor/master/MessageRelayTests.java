package dev.bootsupervisor.master;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.Messaging;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the master's relay of cluster messages: who gets a message, what is held for a starting worker, what
 * the sender is told, and requests with their answers.
 */
class MessageRelayTests {

	private final FakeCluster cluster = new FakeCluster(3, EpochStore.MEMORY).running();

	@Test
	void aBroadcastReachesEveryReadyWorkerTheSenderIncludedAndIsAcknowledged() {
		this.cluster.from(2, send(1, "all", "config", "v2"));
		for (int id = 1; id <= 3; id++) {
			List<Frame> delivered = this.cluster.sent(this.cluster.master.worker(id).pid(), MessageType.DELIVER);
			assertThat(delivered).hasSize(1);
			assertThat(delivered.get(0).fields()).containsEntry("from", "2")
				.containsEntry("fromPid", String.valueOf(this.cluster.master.worker(2).pid()))
				.containsEntry("topic", "config")
				.containsEntry("kind", "text")
				.containsEntry("data", Messaging.encode("v2".getBytes(StandardCharsets.UTF_8)))
				.doesNotContainKey("call");
		}
		assertThat(acks(2)).containsExactly("seq=1 delivered=3 held=0");
	}

	@Test
	void aMessageForAWorkerThatIsStartingIsHeldAndDeliveredInOrderOnceItIsReady() {
		WorkerHandle crashed = this.cluster.master.worker(3);
		this.cluster.process(crashed.pid()).exit(1);
		this.cluster.pass(Duration.ofMillis(1100));
		WorkerHandle starting = this.cluster.master.worker(3);
		assertThat(starting).isNotSameAs(crashed);
		this.cluster.connect(starting);
		this.cluster.from(1, send(1, "all", "t", "first"));
		this.cluster.from(1, send(2, "3", "t", "second"));
		assertThat(acks(1)).containsExactly("seq=1 delivered=2 held=1", "seq=2 delivered=0 held=1");
		assertThat(this.cluster.sent(starting.pid(), MessageType.DELIVER)).isEmpty();
		this.cluster.post(this.cluster.connections.get(starting.pid()), Frame.of(MessageType.READY));
		this.cluster.from(2, send(1, "3", "t", "third"));
		assertThat(this.cluster.sent(starting.pid(), MessageType.DELIVER)).extracting(MessageRelayTests::text)
			.containsExactly("first", "second", "third");
	}

	@Test
	void whatIsHeldForAWorkerThatNeverBecomesReadyIsDropped() {
		WorkerHandle crashed = this.cluster.master.worker(3);
		this.cluster.process(crashed.pid()).exit(1);
		this.cluster.pass(Duration.ofMillis(1100));
		WorkerHandle starting = this.cluster.master.worker(3);
		this.cluster.from(1, send(1, "3", "t", "lost"));
		assertThat(acks(1)).containsExactly("seq=1 delivered=0 held=1");
		this.cluster.process(starting.pid()).exit(1);
		this.cluster.pass(Duration.ofMillis(2100));
		WorkerHandle next = this.cluster.master.worker(3);
		this.cluster.ready(next);
		assertThat(this.cluster.sent(next.pid(), MessageType.DELIVER)).isEmpty();
	}

	@Test
	void aMessageForAWorkerThatDoesNotExistIsAnErrorToItsSender() {
		this.cluster.from(1, send(1, "9", "t", "x"));
		this.cluster.from(1, Frame.of(MessageType.SEND, "seq", 2, "to", "all", "topic", "t", "kind", "text", "data",
				"eA==", "expectReply", true));
		assertThat(acks(1)).containsExactly(
				"seq=1 delivered=0 held=0 error=no worker 9: this cluster has workers 1 to 3",
				"seq=2 delivered=0 held=0 error=a request needs one recipient, not all workers");
	}

	@Test
	void aMessageForAnyWorkerGoesToExactlyOneReadyWorker() {
		for (int seq = 1; seq <= 30; seq++) {
			this.cluster.from(1, send(seq, "any", "t", "m" + seq));
		}
		int total = 0;
		for (int id = 1; id <= 3; id++) {
			int got = this.cluster.sent(this.cluster.master.worker(id).pid(), MessageType.DELIVER).size();
			assertThat(got).isPositive();
			total += got;
		}
		assertThat(total).isEqualTo(30);
	}

	@Test
	void aRequestToTheLeaderIsAnsweredThroughTheMaster() {
		WorkerHandle leader = this.cluster.leader();
		this.cluster.from(3, request(5, "leader", "whoami"));
		Frame delivered = this.cluster.sent(leader.pid(), MessageType.DELIVER).get(0);
		String call = delivered.fields().get("call");
		assertThat(call).isNotNull();
		this.cluster.post(this.cluster.connections.get(leader.pid()), Frame.of(MessageType.ANSWER, "call", call,
				"kind", "text", "data", Messaging.encode("me".getBytes(StandardCharsets.UTF_8))));
		Frame answer = this.cluster.sent(this.cluster.master.worker(3).pid(), MessageType.DELIVER).get(0);
		assertThat(answer.fields()).containsEntry("inReplyTo", "5")
			.containsEntry("from", String.valueOf(leader.workerId()))
			.containsEntry("topic", "whoami");
		assertThat(text(answer)).isEqualTo("me");
	}

	@Test
	void anAnswerFromAWorkerThatWasNotAskedClosesItsConnection() {
		WorkerHandle leader = this.cluster.leader();
		this.cluster.from(3, request(5, "leader", "whoami"));
		String call = this.cluster.sent(leader.pid(), MessageType.DELIVER).get(0).fields().get("call");
		this.cluster.from(2, Frame.of(MessageType.ANSWER, "call", call, "kind", "text", "data", "eA=="));
		assertThat(this.cluster.connection(2).closedFor).isEqualTo("ANSWER to call " + call
				+ ", which was not delivered to this worker");
		assertThat(this.cluster.master.worker(2)).isNotNull();
	}

	@Test
	void aRequestWhoseRecipientExitsBeforeAnsweringFailsWithWhy() {
		WorkerHandle target = this.cluster.master.worker(2);
		this.cluster.from(1, request(1, "2", "slow"));
		this.cluster.process(target.pid()).exit(137);
		Frame failure = this.cluster.sent(this.cluster.master.worker(1).pid(), MessageType.DELIVER).get(0);
		assertThat(failure.fields()).containsEntry("inReplyTo", "1")
			.containsEntry("error", "worker 2 (pid " + target.pid() + ") exited before it answered");
	}

	@Test
	void aMessageForTheLeaderWhileLeadershipMovesIsHeldForTheNextLeader() {
		WorkerHandle old = this.cluster.leader();
		this.cluster.post(this.cluster.connections.get(old.pid()), Frame.of(MessageType.YIELD, "epoch", 1));
		this.cluster.from(2, send(1, "leader", "t", "for the next one"));
		assertThat(acks(2)).containsExactly("seq=1 delivered=0 held=1");
		this.cluster.post(this.cluster.connections.get(old.pid()), Frame.of(MessageType.REVOKED, "epoch", 1));
		WorkerHandle next = this.cluster.leader();
		assertThat(next).isNotSameAs(old);
		assertThat(this.cluster.log).containsSubsequence(next.pid() + " GRANT {epoch=2}",
				next.pid() + " DELIVER {from=2, fromPid=" + this.cluster.master.worker(2).pid()
						+ ", topic=t, kind=text, data=" + Messaging.encode("for the next one".getBytes()) + "}");
	}

	@Test
	void heldMessagesAreBounded() {
		WorkerHandle crashed = this.cluster.master.worker(3);
		this.cluster.process(crashed.pid()).exit(1);
		this.cluster.pass(Duration.ofMillis(1100));
		for (int seq = 1; seq <= Messaging.MAX_HELD_MESSAGES + 1; seq++) {
			this.cluster.from(1, send(seq, "3", "t", "m"));
		}
		List<String> acks = acks(1);
		assertThat(acks.get(Messaging.MAX_HELD_MESSAGES - 1)).isEqualTo("seq=256 delivered=0 held=1");
		assertThat(acks.get(Messaging.MAX_HELD_MESSAGES)).startsWith("seq=257 delivered=0 held=0 error=worker 3 (pid ")
			.endsWith("is starting and 256 message(s) are already held for it");
	}

	@Test
	void aMalformedSendClosesTheSendersConnectionAndNothingElse() {
		this.cluster.from(1, Frame.of(MessageType.SEND, "seq", 1, "to", "all", "topic", "bad topic", "kind", "text",
				"data", "eA=="));
		this.cluster.from(2, Frame.of(MessageType.SEND, "seq", 1, "to", "all", "topic", "t", "kind", "text", "data",
				"!!"));
		this.cluster.from(3, Frame.of(MessageType.SEND, "seq", 1, "to", "all", "topic", "t", "kind", "text", "data",
				"A".repeat(Messaging.MAX_PAYLOAD_BYTES / 3 * 4 + 8)));
		assertThat(this.cluster.connection(1).closedFor).isEqualTo("invalid topic 'bad topic'");
		assertThat(this.cluster.connection(2).closedFor).isEqualTo("payload is not base64");
		assertThat(this.cluster.connection(3).closedFor).isEqualTo("payload larger than 65536 bytes");
		assertThat(this.cluster.master.view().workers()).hasSize(3);
	}

	private List<String> acks(int id) {
		return this.cluster.sent(this.cluster.master.worker(id).pid(), MessageType.SENT)
			.stream()
			.map((frame) -> String.join(" ", frame.fields().entrySet().stream().map((e) -> e.getKey() + "=" + e.getValue()).toList()))
			.toList();
	}

	private static Frame send(long seq, String to, String topic, String text) {
		return Frame.of(MessageType.SEND, "seq", seq, "to", to, "topic", topic, "kind", "text", "data",
				Messaging.encode(text.getBytes(StandardCharsets.UTF_8)));
	}

	private static Frame request(long seq, String to, String topic) {
		return Frame.of(MessageType.SEND, "seq", seq, "to", to, "topic", topic, "kind", "text", "data", "",
				"expectReply", true);
	}

	private static String text(Frame frame) {
		try {
			return new String(Messaging.decode(frame.fields().get("data")), StandardCharsets.UTF_8);
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
	}

}
