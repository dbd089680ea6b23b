package dev.bootsupervisor.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The long-lived clients of the sample's streams: server-sent events ({@code GET /events}), WebSocket sessions
 * ({@code /ws/echo}, {@code /ws/plain}) and a persistent HTTP/2 client, each recording which worker served it and
 * how it ended, for the tests of what a draining worker tells them.
 */
final class StreamClients {

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

	private static final HttpClient HTTP1 = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(CONNECT_TIMEOUT)
		.build();

	private StreamClients() {
	}

	/**
	 * Open an event stream and wait for its first event, which names the serving worker.
	 * @param port the cluster's port
	 * @return the open stream
	 */
	static EventStream events(int port) {
		EventStream stream = new EventStream();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events")).build();
		HTTP1.sendAsync(request, BodyHandlers.ofLines()).whenComplete((response, failure) -> {
			if (failure != null) {
				stream.ended.complete("failed to open: " + failure);
				return;
			}
			Thread reader = new Thread(() -> stream.read(response), "sse-client");
			reader.setDaemon(true);
			reader.start();
		});
		await("the first event of a stream").atMost(CONNECT_TIMEOUT)
			.until(() -> stream.pid.get() != 0 || stream.ended.isDone());
		return stream;
	}

	/**
	 * Open a WebSocket session and wait for its greeting, which names the serving worker.
	 * @param port the cluster's port
	 * @param path {@code /ws/echo} or {@code /ws/plain}
	 * @return the open session
	 */
	static Session webSocket(int port, String path) {
		Session session = new Session(path);
		HTTP1.newWebSocketBuilder()
			.connectTimeout(CONNECT_TIMEOUT)
			.buildAsync(URI.create("ws://127.0.0.1:" + port + path), session)
			.whenComplete((socket, failure) -> {
				if (failure != null) {
					session.closed.complete(new Close(-1, "failed to open: " + failure));
				}
			});
		await("the greeting of " + path).atMost(CONNECT_TIMEOUT)
			.until(() -> session.pid.get() != 0 || session.closed.isDone());
		return session;
	}

	/**
	 * A server-sent event stream: the pid of its worker, and how it ended ({@code "clean"} when the response body
	 * completed normally, else the failure).
	 */
	static final class EventStream {

		final AtomicLong pid = new AtomicLong();

		final List<String> events = Collections.synchronizedList(new ArrayList<>());

		final CompletableFuture<String> ended = new CompletableFuture<>();

		volatile Instant endedAt;

		private void read(HttpResponse<Stream<String>> response) {
			String event = null;
			try (Stream<String> lines = response.body()) {
				for (String line : (Iterable<String>) lines::iterator) {
					if (line.startsWith("event:")) {
						event = line.substring(6).trim();
					}
					else if (line.startsWith("data:")) {
						this.events.add(event);
						this.pid.compareAndSet(0, Long.parseLong(line.substring(5).trim()));
					}
				}
				this.endedAt = Instant.now();
				this.ended.complete("clean");
			}
			catch (RuntimeException ex) {
				this.endedAt = Instant.now();
				this.ended.complete(ex.toString());
			}
		}

	}

	/** A WebSocket session: the pid of its worker, and its close (status code, reason). */
	static final class Session implements WebSocket.Listener {

		final String path;

		final AtomicLong pid = new AtomicLong();

		final CompletableFuture<Close> closed = new CompletableFuture<>();

		private final StringBuilder text = new StringBuilder();

		Session(String path) {
			this.path = path;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.text.append(data);
			if (last) {
				String message = this.text.toString();
				this.text.setLength(0);
				if (message.startsWith("pid:")) {
					this.pid.set(Long.parseLong(message.substring(4)));
				}
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(new Close(statusCode, reason));
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			// 1006: what a client reports when the connection dropped without a close frame
			this.closed.complete(new Close(1006, error.toString()));
		}

	}

	/**
	 * How a WebSocket session closed.
	 * @param code the status code, 1006 when the connection dropped, -1 when it never opened
	 * @param reason the reason or the failure
	 */
	record Close(int code, String reason) {
	}

	/**
	 * A client that sends {@code GET /} back to back on one {@link HttpClient} that speaks HTTP/2 (h2c, upgraded
	 * from its first request): the client opens a new connection only when the one it has is going away.
	 */
	static final class Http2Load implements AutoCloseable {

		private final HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_2)
			.connectTimeout(CONNECT_TIMEOUT)
			.build();

		private final AtomicBoolean stop = new AtomicBoolean();

		private final AtomicLong answered = new AtomicLong();

		private final AtomicLong overHttp2 = new AtomicLong();

		private final AtomicLong retriedAfterGoAway = new AtomicLong();

		final List<String> failures = Collections.synchronizedList(new ArrayList<>());

		final Set<Long> pids = ConcurrentHashMap.newKeySet();

		private final Thread thread;

		Http2Load(int port) {
			// a request of this client takes milliseconds: one that hangs is lost
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
				.timeout(Duration.ofSeconds(10))
				.build();
			this.thread = new Thread(() -> {
				Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
				while (!this.stop.get() && Instant.now().isBefore(deadline)) {
					try {
						HttpResponse<String> response = send(request);
						if (response.statusCode() != 200) {
							this.failures.add("status " + response.statusCode() + ": " + response.body());
						}
						else {
							this.answered.incrementAndGet();
							this.pids.add(Long.parseLong(response.body().replaceAll("^\\{\"pid\":(\\d+),.*", "$1")));
							if (response.version() == HttpClient.Version.HTTP_2) {
								this.overHttp2.incrementAndGet();
							}
						}
						Thread.sleep(5);
					}
					catch (IOException ex) {
						this.failures.add(Instant.now() + " " + ex);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "http2-client");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		/**
		 * Send a request, and once more when the server's {@code GOAWAY} failed it. RFC 9113 (6.8) lets a client retry
		 * the streams a {@code GOAWAY} did not process, and the JDK's client does since JDK 24; the JDK 17 client of
		 * this suite fails every stream in flight on its connection on any {@code GOAWAY}, even a graceful one.
		 */
		private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
			try {
				return this.client.send(request, BodyHandlers.ofString());
			}
			catch (IOException ex) {
				if (ex.getMessage() == null || !ex.getMessage().endsWith("GOAWAY received")) {
					throw ex;
				}
				this.retriedAfterGoAway.incrementAndGet();
				return this.client.send(request, BodyHandlers.ofString());
			}
		}

		long answered() {
			return this.answered.get();
		}

		long retriedAfterGoAway() {
			return this.retriedAfterGoAway.get();
		}

		long overHttp2() {
			return this.overHttp2.get();
		}

		@Override
		public void close() throws InterruptedException {
			this.stop.set(true);
			this.thread.join(Duration.ofSeconds(60).toMillis());
		}

	}

}
