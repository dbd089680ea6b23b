package dev.bootsupervisor.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import dev.bootsupervisor.cluster.ClusterMessage;
import dev.bootsupervisor.cluster.ClusterMessenger;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Cluster messaging over HTTP: {@code POST /broadcast?text=X}, {@code GET /messages} (the texts this worker
 * received) and {@code GET /ask?to=leader|any|<id>&text=X} (request and answer on {@code sample.echo}).
 */
@RestController
class MessagingController {

	private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

	/** How long a broadcast waits for the master's acknowledgement. */
	private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);

	private final ClusterMessenger messenger;

	private final SampleMessages messages;

	MessagingController(ClusterMessenger messenger, SampleMessages messages) {
		this.messenger = messenger;
		this.messages = messages;
	}

	@PostMapping("/broadcast")
	ResponseEntity<Map<String, Object>> broadcast(@RequestParam String text) {
		return answer(this.messenger.broadcast(SampleMessages.BROADCAST, text), SEND_TIMEOUT,
				(delivery) -> Map.of("delivered", delivery.delivered(), "held", delivery.held()));
	}

	@GetMapping("/messages")
	List<String> messages() {
		return this.messages.received();
	}

	@GetMapping("/ask")
	ResponseEntity<Map<String, Object>> ask(@RequestParam String to, @RequestParam String text) {
		CompletableFuture<ClusterMessage> reply;
		if (to.equals("leader")) {
			reply = this.messenger.requestLeader(SampleMessages.ECHO, text, ASK_TIMEOUT);
		}
		else if (to.equals("any")) {
			reply = this.messenger.requestAny(SampleMessages.ECHO, text, ASK_TIMEOUT);
		}
		else if (to.matches("[1-9][0-9]{0,4}")) {
			reply = this.messenger.request(Integer.parseInt(to), SampleMessages.ECHO, text, ASK_TIMEOUT);
		}
		else {
			return ResponseEntity.badRequest()
				.body(Map.of("error", "to must be leader, any or a worker id from 1, not '" + to + "'"));
		}
		return answer(reply, ASK_TIMEOUT.plusSeconds(1), (message) -> Map.of("answer", message.text()));
	}

	private static <T> ResponseEntity<Map<String, Object>> answer(CompletableFuture<T> future, Duration wait,
			Function<T, Map<String, Object>> body) {
		try {
			return ResponseEntity.ok(body.apply(future.get(wait.toMillis(), TimeUnit.MILLISECONDS)));
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			HttpStatus status = (cause instanceof TimeoutException) ? HttpStatus.GATEWAY_TIMEOUT
					: HttpStatus.BAD_GATEWAY;
			return ResponseEntity.status(status).body(Map.of("error", String.valueOf(cause.getMessage())));
		}
		catch (TimeoutException ex) {
			return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT)
				.body(Map.of("error", "no acknowledgement from the master within " + wait.toMillis() + " ms"));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", "interrupted"));
		}
	}

}
