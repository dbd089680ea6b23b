package dev.bootsupervisor.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.bootsupervisor.protocol.Messaging;
import dev.bootsupervisor.worker.InboundMessage;
import dev.bootsupervisor.worker.MessageHandler.Answer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ClusterMessageListeners} and {@link ClusterMessageListenerPostProcessor}, in a real context.
 */
class ClusterMessageListenersTests {

	@Test
	void findsTheListenersOfEveryBeanAndPassesEachParameterKind() throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(
				ListenerConfiguration.class)) {
			ClusterMessageListeners listeners = context.getBean(ClusterMessageListeners.class);
			Receiver receiver = context.getBean(Receiver.class);
			assertThat(listeners.handle(message("as.text", "hello", false))).isNull();
			assertThat(listeners.handle(message("as.bytes", "ab", false))).isNull();
			assertThat(listeners.handle(message("as.message", "m", false))).isNull();
			assertThat(receiver.received).containsExactly("text hello", "bytes 2", "message m from 3");
			Answer answer = listeners.handle(message("echo", "q", true));
			assertThat(answer.kind()).isEqualTo(Messaging.TEXT);
			assertThat(new String(answer.payload(), StandardCharsets.UTF_8)).isEqualTo("echo q");
			assertThat(listeners.handle(message("raw", "q", true)).kind()).isEqualTo(Messaging.BYTES);
		}
	}

	@Test
	void aListenerThatThrowsFailsWithItsOwnException() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(
				ListenerConfiguration.class)) {
			ClusterMessageListeners listeners = context.getBean(ClusterMessageListeners.class);
			assertThatIllegalStateException().isThrownBy(() -> listeners.handle(message("fails", "q", true)))
				.withMessage("cannot answer q");
		}
	}

	@Test
	void aRequestForATopicNobodyListensToFailsAndAMessageIsDropped() throws Exception {
		ClusterMessageListeners listeners = new ClusterMessageListeners();
		assertThat(listeners.handle(message("nobody", "m", false))).isNull();
		assertThatIllegalStateException().isThrownBy(() -> listeners.handle(message("nobody", "q", true)))
			.withMessage("worker has no listener for topic 'nobody'");
	}

	@Test
	void refusesTwoListenersOfOneTopicAndBadSignatures() throws Exception {
		ClusterMessageListeners listeners = new ClusterMessageListeners();
		Receiver receiver = new Receiver();
		listeners.register("t", receiver, Receiver.class.getMethod("text", String.class));
		assertThatIllegalStateException()
			.isThrownBy(() -> listeners.register("t", receiver, Receiver.class.getMethod("bytes", byte[].class)))
			.withMessageContaining("two @ClusterMessageListener methods");
		assertThatIllegalStateException()
			.isThrownBy(() -> listeners.register("u", receiver, Object.class.getMethod("equals", Object.class)))
			.withMessageContaining("must take one ClusterMessage, String or byte[] parameter");
		assertThatIllegalStateException()
			.isThrownBy(() -> listeners.register("bad topic", receiver, Receiver.class.getMethod("text", String.class)))
			.withMessageContaining("invalid topic");
	}

	@Test
	void aContextWithAnInvalidListenerFailsToStart() {
		assertThatExceptionOfType(BeanCreationException.class)
			.isThrownBy(() -> new AnnotationConfigApplicationContext(BadListenerConfiguration.class))
			.withMessageContaining("must return void, String or byte[]");
	}

	private static InboundMessage message(String topic, String text, boolean request) {
		return new InboundMessage(topic, 3, 99, Messaging.TEXT, text.getBytes(StandardCharsets.UTF_8), request);
	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerConfiguration {

		@Bean
		static ClusterMessageListeners listeners() {
			return new ClusterMessageListeners();
		}

		@Bean
		static ClusterMessageListenerPostProcessor listenerPostProcessor(ClusterMessageListeners listeners) {
			return new ClusterMessageListenerPostProcessor(listeners);
		}

		@Bean
		Receiver receiver() {
			return new Receiver();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadListenerConfiguration extends ListenerConfiguration {

		@Bean
		BadReceiver badReceiver() {
			return new BadReceiver();
		}

	}

	static class Receiver {

		final List<String> received = new CopyOnWriteArrayList<>();

		@ClusterMessageListener("as.text")
		public void text(String text) {
			this.received.add("text " + text);
		}

		@ClusterMessageListener("as.bytes")
		public void bytes(byte[] bytes) {
			this.received.add("bytes " + bytes.length);
		}

		@ClusterMessageListener("as.message")
		public void message(ClusterMessage message) {
			this.received.add("message " + message.text() + " from " + message.fromWorker());
		}

		@ClusterMessageListener("echo")
		public String echo(String text) {
			return "echo " + text;
		}

		@ClusterMessageListener("raw")
		public byte[] raw(byte[] bytes) {
			return bytes;
		}

		@ClusterMessageListener("fails")
		public String fails(String text) {
			throw new IllegalStateException("cannot answer " + text);
		}

	}

	static class BadReceiver {

		@ClusterMessageListener("bad")
		public int count(String text) {
			return text.length();
		}

	}

}
