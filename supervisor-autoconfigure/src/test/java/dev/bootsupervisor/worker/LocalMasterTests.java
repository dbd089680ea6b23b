package dev.bootsupervisor.worker;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageTarget;
import dev.bootsupervisor.protocol.Messaging;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LocalMaster}: a cluster of one, driven through a real {@link ClusterChannel}.
 */
class LocalMasterTests {

	private final LocalMaster master = new LocalMaster();

	private final LeaderElection election = new LeaderElection(LocalMaster.WORKER_ID, new LeaderState(),
			this.master, Clock.systemUTC());

	private final ClusterChannel channel = new ClusterChannel(this.master, this.election);

	private final List<String> received = new CopyOnWriteArrayList<>();

	LocalMasterTests() {
		this.master.connect(this.channel);
		this.channel.handler((message) -> {
			this.received.add(message.topic() + " " + new String(message.payload(), StandardCharsets.UTF_8) + " from "
					+ message.from());
			return message.request() ? new MessageHandler.Answer(Messaging.TEXT, utf8("answer")) : null;
		});
	}

	@AfterEach
	void close() {
		this.channel.close();
		this.election.close(Duration.ZERO);
	}

	@Test
	void deliversToItselfForAllTheLeaderAnyAndItsOwnId() throws Exception {
		for (MessageTarget to : List.of(MessageTarget.ALL, MessageTarget.LEADER, MessageTarget.ANY,
				MessageTarget.worker(1))) {
			Frame sent = this.channel.send(to, "t", Messaging.TEXT, utf8(to.wire())).get(5, TimeUnit.SECONDS);
			assertThat(sent.fields()).containsEntry("delivered", "1").doesNotContainKey("error");
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.received.size() == 4);
		assertThat(this.received).containsExactly("t all from 1", "t leader from 1", "t any from 1", "t 1 from 1");
	}

	@Test
	void refusesAnotherWorkerId() throws Exception {
		Frame sent = this.channel.send(MessageTarget.worker(2), "t", Messaging.TEXT, utf8("x"))
			.get(5, TimeUnit.SECONDS);
		assertThat(sent.get("error")).hasValueSatisfying((error) -> assertThat(error).contains("no worker 2"));
	}

	@Test
	void answersItsOwnRequests() throws Exception {
		Frame answer = this.channel.request(MessageTarget.LEADER, "t", Messaging.TEXT, utf8("q"),
				Duration.ofSeconds(5))
			.get(5, TimeUnit.SECONDS);
		assertThat(answer.fields()).containsEntry("from", "1").containsEntry("data", Messaging.encode(utf8("answer")));
	}

	@Test
	void grantsEpochOne() {
		this.master.grant();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.election.state().isLeader());
		assertThat(this.election.state().epoch()).isEqualTo(1);
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
