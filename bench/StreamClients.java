/*
 * Stream clients for bench/streams.sh (issue 23): N server-sent event clients on GET /events and M WebSocket clients
 * (half on /ws/echo, half on /ws/plain) of the sample app, held open and reconnected as a browser would, recording
 * every close and how long each client was without events. A single-file program for JDK 17:
 *
 *   java bench/StreamClients.java PORT SSE WS RETRY_MS STOP_FILE RESULT_FILE [SSE_CONNECTION]
 *
 * The SSE clients behave as an EventSource: a stream that ends (cleanly or with an error) is reopened after the
 * last `retry:` the server sent, RETRY_MS until it sent one. SSE_CONNECTION says on which connection: `reuse` (the
 * default) lets the JDK's HttpClient reuse an idle keep-alive connection from its pool, as a browser does; `new`
 * sends `Connection: close`, so every stream has a connection of its own and a reconnect opens a new one. A
 * WebSocket client reopens its session RETRY_MS after a close frame or an error, and sends a text message every
 * second on its open session (the sample echoes it with its pid), so that a session that stopped answering shows.
 * A failed connect is retried after RETRY_MS too. Everything is asynchronous (the JDK's HttpClient and WebSocket,
 * one small scheduler), so 200 clients need a handful of threads.
 *
 * An event is anything that carries the serving pid: SSE's `hello` and `tick` data, WebSocket's `pid:<pid>` greeting
 * and its echoes. A close is over when the client gets an event from another worker than the one that closed it:
 * an event from the same pid (a reconnect that landed on the draining worker again) does not end it.
 *
 * Progress on stdout: "READY <clients> <pid>=<count> ..." once every client got its first event. It runs until
 * STOP_FILE exists, then writes RESULT_FILE, one line per record, times in ms since the epoch:
 *   close <client> <kind> <endpoint> <closed at> <how> <pid before> <reconnects to that pid> <pid after|-> <ms|->
 *   client <client> <kind> <endpoint> <first pid> <last pid> <closes> <failed connects> <ms since its last event|->
 * how: ws-<close code>, ws-error (no close frame), sse-end (the stream ended cleanly), sse-error, connect-failed;
 * ms: from the close to the first event from another worker, RETRY_MS (or the server's retry) included.
 */

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

public class StreamClients {

	static String base;

	static long defaultRetry;

	static final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("retry"));

	static final ExecutorService pool = Executors.newFixedThreadPool(4, daemon("http"));

	static boolean sseNewConnection;

	static HttpClient http;

	public static void main(String[] args) throws Exception {
		if (args.length < 6 || args.length > 7 || (args.length == 7 && !args[6].matches("reuse|new"))) {
			System.err.println("usage: java StreamClients.java PORT SSE WS RETRY_MS STOP_FILE RESULT_FILE [reuse|new]");
			System.exit(2);
		}
		sseNewConnection = args.length == 7 && args[6].equals("new");
		// the JDK's client refuses to send a Connection header unless told it may (read when the client is built)
		System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
		http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.executor(pool)
			.build();
		base = "127.0.0.1:" + Integer.parseInt(args[0]);
		int sse = Integer.parseInt(args[1]);
		int ws = Integer.parseInt(args[2]);
		defaultRetry = Long.parseLong(args[3]);
		Path stop = Path.of(args[4]);
		Path result = Path.of(args[5]);
		List<Client> clients = new ArrayList<>();
		for (int i = 0; i < sse; i++) {
			clients.add(new SseClient(clients.size()));
		}
		for (int i = 0; i < ws; i++) {
			clients.add(new WsClient(clients.size(), (i % 2 == 0) ? "/ws/echo" : "/ws/plain"));
		}
		for (Client client : clients) {
			client.connect();
			Thread.sleep(5); // not 200 handshakes in the same millisecond
		}
		scheduler.scheduleAtFixedRate(() -> clients.forEach(Client::ping), 1000, 1000, TimeUnit.MILLISECONDS);
		boolean ready = false;
		while (!Files.exists(stop)) {
			if (!ready && clients.stream().allMatch((client) -> client.firstPid != 0)) {
				ready = true;
				Map<Long, Integer> perPid = new TreeMap<>();
				clients.forEach((client) -> perPid.merge(client.pid(), 1, Integer::sum));
				StringBuilder line = new StringBuilder("READY " + clients.size());
				perPid.forEach((pid, count) -> line.append(' ').append(pid).append('=').append(count));
				System.out.println(line);
				System.out.flush();
			}
			Thread.sleep(50);
		}
		long now = System.currentTimeMillis();
		try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(result))) {
			for (Client client : clients) {
				synchronized (client) {
					client.stopped = true;
					for (String close : client.closes) {
						out.println(close);
					}
					if (client.pendingClose != null) {
						out.println(client.pendingClose + " " + client.pendingSame + " - -");
					}
					out.println("client " + client.id + " " + client.kind() + " " + client.endpoint + " " + client.firstPid
							+ " " + client.pid + " " + client.closeCount + " " + client.failedConnects + " "
							+ ((client.lastEvent == 0) ? "-" : String.valueOf(now - client.lastEvent)));
				}
			}
		}
		System.out.println("DONE " + clients.size());
		System.exit(0);
	}

	static java.util.concurrent.ThreadFactory daemon(String name) {
		return (task) -> {
			Thread thread = new Thread(task, "clients-" + name);
			thread.setDaemon(true);
			return thread;
		};
	}

	/** One client: the pid it is served by, and its closes. Every method runs under its monitor. */
	abstract static class Client {

		final int id;

		final String endpoint;

		long pid;

		long firstPid;

		long lastEvent;

		int closeCount;

		int failedConnects;

		boolean stopped;

		/** A close not followed by an event yet: "close ... how pidBefore". */
		String pendingClose;

		long pendingSince;

		long pendingPid;

		int pendingSame;

		final List<String> closes = new ArrayList<>();

		Client(int id, String endpoint) {
			this.id = id;
			this.endpoint = endpoint;
		}

		abstract String kind();

		abstract void connect();

		void ping() {
		}

		synchronized long pid() {
			return this.pid;
		}

		synchronized void event(long pid) {
			long now = System.currentTimeMillis();
			this.lastEvent = now;
			if (this.firstPid == 0) {
				this.firstPid = pid;
			}
			if (this.pendingClose != null && !this.stopped) {
				if (pid == this.pendingPid) {
					if (pid != this.pid) {
						this.pendingSame++; // the first event of a new connection to the worker that closed it
					}
				}
				else {
					this.closes.add(this.pendingClose + " " + this.pendingSame + " " + pid + " " + (now - this.pendingSince));
					this.pendingClose = null;
				}
			}
			this.pid = pid;
		}

		/** The connection ended; reconnect after retryMs. */
		synchronized void closed(String how, long retryMs) {
			if (this.stopped) {
				return;
			}
			long now = System.currentTimeMillis();
			if (this.pendingClose == null) { // a second close before any event counts from the first
				this.closeCount++;
				this.pendingSince = now;
				this.pendingPid = this.pid;
				this.pendingSame = 0;
				this.pendingClose = "close " + this.id + " " + kind() + " " + this.endpoint + " " + now + " " + how + " "
						+ this.pid;
			}
			this.pid = 0;
			scheduler.schedule(this::connect, retryMs, TimeUnit.MILLISECONDS);
		}

		synchronized void connectFailed() {
			if (this.stopped) {
				return;
			}
			this.failedConnects++;
			if (this.pendingClose == null) {
				this.pendingSince = System.currentTimeMillis();
				this.pendingPid = this.pid;
				this.pendingSame = 0;
				this.pendingClose = "close " + this.id + " " + kind() + " " + this.endpoint + " " + this.pendingSince
						+ " connect-failed " + this.pid;
				this.closeCount++;
			}
			scheduler.schedule(this::connect, defaultRetry, TimeUnit.MILLISECONDS);
		}

	}

	/** An EventSource: reopened after the server's last {@code retry}, {@code defaultRetry} until it sent one. */
	static final class SseClient extends Client {

		long retry = defaultRetry;

		SseClient(int id) {
			super(id, "/events");
		}

		@Override
		String kind() {
			return "sse";
		}

		@Override
		void connect() {
			HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + base + "/events"))
				.header("Accept", "text/event-stream");
			if (sseNewConnection) {
				builder.header("Connection", "close");
			}
			HttpRequest request = builder.build();
			SseConnection connection = new SseConnection(this);
			http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(connection))
				.whenComplete((response, failure) -> {
					if (response != null && response.statusCode() != 200) {
						connection.end("sse-status-" + response.statusCode());
					}
					else if (failure != null && !connection.subscribed) {
						connectFailed();
					}
				});
		}

	}

	/** One event stream of a client: lines parsed into events. */
	static final class SseConnection implements Flow.Subscriber<String> {

		private final SseClient owner;

		volatile boolean subscribed;

		private boolean ended;

		private String data;

		SseConnection(SseClient owner) {
			this.owner = owner;
		}

		@Override
		public void onSubscribe(Flow.Subscription subscription) {
			this.subscribed = true;
			subscription.request(Long.MAX_VALUE);
		}

		@Override
		public void onNext(String line) {
			if (line.isEmpty()) {
				if (this.data != null) {
					try {
						this.owner.event(Long.parseLong(this.data.trim()));
					}
					catch (NumberFormatException ex) {
						// not a pid: not one of the sample's events
					}
				}
				this.data = null;
			}
			else if (line.startsWith("data:")) {
				this.data = line.substring(5);
			}
			else if (line.startsWith("retry:")) {
				synchronized (this.owner) {
					this.owner.retry = Long.parseLong(line.substring(6).trim());
				}
			}
		}

		@Override
		public void onError(Throwable failure) {
			end("sse-error");
		}

		@Override
		public void onComplete() {
			end("sse-end");
		}

		synchronized void end(String how) {
			if (!this.ended) {
				this.ended = true;
				long retry;
				synchronized (this.owner) {
					retry = this.owner.retry;
				}
				this.owner.closed(how, retry);
			}
		}

	}

	/** A WebSocket client that reopens its session after any close. */
	static final class WsClient extends Client {

		private static final HttpClient wsHttp = HttpClient.newBuilder()
			.connectTimeout(Duration.ofSeconds(5))
			.executor(pool)
			.build();

		private WebSocket socket;

		private int pings;

		WsClient(int id, String endpoint) {
			super(id, endpoint);
		}

		synchronized void opened(WebSocket socket) {
			this.socket = socket;
		}

		@Override
		synchronized void closed(String how, long retryMs) {
			this.socket = null;
			super.closed(how, retryMs);
		}

		@Override
		synchronized void ping() {
			if (this.socket != null && !this.stopped) {
				this.socket.sendText("ping-" + (++this.pings), true).exceptionally((failure) -> null);
			}
		}

		@Override
		String kind() {
			return "ws";
		}

		@Override
		void connect() {
			wsHttp.newWebSocketBuilder()
				.buildAsync(URI.create("ws://" + base + this.endpoint), new Session(this))
				.whenComplete((socket, failure) -> {
					if (failure != null) {
						connectFailed();
					}
				});
		}

	}

	/** One WebSocket session of a client. */
	static final class Session implements WebSocket.Listener {

		private final WsClient owner;

		private final StringBuilder text = new StringBuilder();

		private boolean ended;

		Session(WsClient owner) {
			this.owner = owner;
		}

		@Override
		public void onOpen(WebSocket socket) {
			this.owner.opened(socket);
			socket.request(1);
		}

		@Override
		public CompletionStage<?> onText(WebSocket socket, CharSequence part, boolean last) {
			this.text.append(part);
			if (last) {
				String message = this.text.toString();
				this.text.setLength(0);
				String pid = message.startsWith("pid:") ? message.substring(4)
						: message.substring(0, Math.max(0, message.indexOf(':')));
				try {
					this.owner.event(Long.parseLong(pid.trim()));
				}
				catch (NumberFormatException ex) {
					// not the sample's greeting or echo
				}
			}
			socket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
			end("ws-" + code);
			return null;
		}

		@Override
		public void onError(WebSocket socket, Throwable failure) {
			end("ws-error");
		}

		private synchronized void end(String how) {
			if (!this.ended) {
				this.ended = true;
				this.owner.closed(how, defaultRetry);
			}
		}

	}

}
