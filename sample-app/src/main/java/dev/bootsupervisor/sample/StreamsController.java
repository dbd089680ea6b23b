package dev.bootsupervisor.sample;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.bootsupervisor.cluster.WorkerDrainingEvent;

import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /events}: server-sent events, one {@code tick} with the serving pid every 200 ms. When its worker
 * drains it says goodbye: a last {@code draining} event with a short reconnect hint, then the ticks stop; the
 * worker completes the stream when the drain's grace ends.
 */
@RestController
class StreamsController {

	private final WorkerIdentity identity;

	private final Set<SseEmitter> emitters = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "sample-sse-ticker");
		thread.setDaemon(true);
		return thread;
	});

	private volatile boolean draining;

	StreamsController(WorkerIdentity identity) {
		this.identity = identity;
		this.ticker.scheduleAtFixedRate(this::tick, 200, 200, TimeUnit.MILLISECONDS);
	}

	@GetMapping(path = "/events", produces = "text/event-stream")
	SseEmitter events() throws IOException {
		SseEmitter emitter = new SseEmitter(0L);
		emitter.onCompletion(() -> this.emitters.remove(emitter));
		emitter.onError((failure) -> this.emitters.remove(emitter));
		emitter.send(SseEmitter.event().name("hello").data(this.identity.pid()));
		this.emitters.add(emitter);
		return emitter;
	}

	@EventListener
	void onDraining(WorkerDrainingEvent event) {
		this.draining = true;
		// on the ticker's thread, so that no tick is written at the same time
		this.ticker.execute(() -> this.emitters.forEach((emitter) -> send(emitter,
				SseEmitter.event().name("draining").reconnectTime(500).data(this.identity.pid()))));
	}

	private void tick() {
		if (!this.draining) {
			this.emitters.forEach((emitter) -> send(emitter, SseEmitter.event().name("tick").data(this.identity.pid())));
		}
	}

	private void send(SseEmitter emitter, SseEmitter.SseEventBuilder event) {
		try {
			emitter.send(event);
		}
		catch (IOException | IllegalStateException ex) {
			this.emitters.remove(emitter);
		}
	}

}
