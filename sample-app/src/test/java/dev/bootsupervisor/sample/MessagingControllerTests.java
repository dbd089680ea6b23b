package dev.bootsupervisor.sample;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import dev.bootsupervisor.cluster.ClusterMessage;
import dev.bootsupervisor.cluster.ClusterMessageException;
import dev.bootsupervisor.cluster.ClusterMessenger;
import dev.bootsupervisor.cluster.Delivery;
import org.junit.jupiter.api.Test;

import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Tests for {@link MessagingController}.
 */
class MessagingControllerTests {

	private final ClusterMessenger messenger = mock(ClusterMessenger.class);

	private final SampleMessages messages = new SampleMessages(new WorkerIdentity(42, 2, 1));

	private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new MessagingController(this.messenger, this.messages))
		.build();

	@Test
	void broadcastAnswersTheCounts() throws Exception {
		given(this.messenger.broadcast("sample.broadcast", "hi"))
			.willReturn(CompletableFuture.completedFuture(new Delivery(2, 1)));
		this.mvc.perform(post("/broadcast").param("text", "hi"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.delivered").value(2))
			.andExpect(jsonPath("$.held").value(1));
	}

	@Test
	void aRefusedBroadcastIsABadGateway() throws Exception {
		given(this.messenger.broadcast("sample.broadcast", "hi"))
			.willReturn(CompletableFuture.failedFuture(new ClusterMessageException("held queue full")));
		this.mvc.perform(post("/broadcast").param("text", "hi"))
			.andExpect(status().isBadGateway())
			.andExpect(jsonPath("$.error").value("held queue full"));
	}

	@Test
	void messagesListsWhatWasReceivedInOrder() throws Exception {
		this.messages.broadcast("one");
		this.messages.broadcast("two");
		this.mvc.perform(get("/messages")).andExpect(content().json("[\"one\",\"two\"]"));
	}

	@Test
	void theEchoAnswersWithWorkerPidAndText() {
		assertThat(this.messages.echo("x")).isEqualTo("2 42 x");
	}

	@Test
	void askRelaysTheAnswerOrTheFailure() throws Exception {
		given(this.messenger.requestLeader(eq("sample.echo"), eq("q"), any(Duration.class)))
			.willReturn(CompletableFuture.completedFuture(new ClusterMessage("sample.echo", 1, 7, "1 7 q".getBytes(),
					true)));
		given(this.messenger.request(eq(5), eq("sample.echo"), eq("q"), any(Duration.class)))
			.willReturn(CompletableFuture.failedFuture(new ClusterMessageException("no worker 5")));
		given(this.messenger.requestAny(eq("sample.echo"), eq("q"), any(Duration.class)))
			.willReturn(CompletableFuture.failedFuture(new TimeoutException("no answer")));
		this.mvc.perform(get("/ask").param("to", "leader").param("text", "q"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.answer").value("1 7 q"));
		this.mvc.perform(get("/ask").param("to", "5").param("text", "q"))
			.andExpect(status().isBadGateway())
			.andExpect(jsonPath("$.error").value("no worker 5"));
		this.mvc.perform(get("/ask").param("to", "any").param("text", "q")).andExpect(status().isGatewayTimeout());
		this.mvc.perform(get("/ask").param("to", "nobody").param("text", "q")).andExpect(status().isBadRequest());
	}

}
