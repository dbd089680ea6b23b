package dev.bootsupervisor.sample;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.bootsupervisor.sample.RawConnection.RawResponse;
import dev.bootsupervisor.sample.SupervisedProcess.Response;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients sending {@code GET /} back to back until stopped (at most a few minutes), each on a new connection per
 * request or on a keep-alive connection (which a draining worker must close cleanly): the traffic under which
 * workers are replaced and no request may fail.
 */
final class ClientLoad implements AutoCloseable {

	/** The name of every client on a new connection per request starts with this. */
	static final String NEW_CONNECTION = "new-connection";

	/** The name of every client on a keep-alive connection starts with this. */
	static final String KEEP_ALIVE = "keep-alive";

	private static final Duration LIMIT = Duration.ofMinutes(4);

	private final AtomicBoolean stop = new AtomicBoolean();

	private final Map<String, Long> requests = new ConcurrentHashMap<>();

	private final AtomicLong answered = new AtomicLong();

	private final List<Failure> failures = Collections.synchronizedList(new ArrayList<>());

	private final Set<Integer> generations = ConcurrentHashMap.newKeySet();

	private final Set<Long> pids = ConcurrentHashMap.newKeySet();

	private final List<Thread> threads = new ArrayList<>();

	/**
	 * Start one client on a new connection per request and one on a keep-alive connection.
	 * @param app the cluster
	 * @return the running load
	 */
	static ClientLoad start(SupervisedProcess app) {
		return start(app, 1, 1);
	}

	/**
	 * Start clients of both kinds.
	 * @param app the cluster
	 * @param newConnection how many clients send each request on a new connection
	 * @param keepAlive how many clients send their requests on a keep-alive connection
	 * @return the running load
	 */
	static ClientLoad start(SupervisedProcess app, int newConnection, int keepAlive) {
		ClientLoad load = new ClientLoad();
		for (int i = 1; i <= newConnection; i++) {
			load.run(name(NEW_CONNECTION, i, newConnection), app::get);
		}
		for (int i = 1; i <= keepAlive; i++) {
			load.run(name(KEEP_ALIVE, i, keepAlive), new KeepAliveClient(app.port()));
		}
		return load;
	}

	private static String name(String kind, int i, int of) {
		return (of == 1) ? kind : kind + "-" + i;
	}

	/**
	 * Return how many requests were answered with 200 so far, by every client.
	 * @return the successful requests
	 */
	long answered() {
		return this.answered.get();
	}

	private void run(String client, Client send) {
		Thread thread = new Thread(() -> {
			Instant deadline = Instant.now().plus(LIMIT);
			while (!this.stop.get() && Instant.now().isBefore(deadline)) {
				Instant sentAt = Instant.now();
				long connectedTo = send.connectedTo();
				try {
					Response response = send.get("/");
					if (response.status() != 200) {
						fail(client, sentAt, connectedTo, "status " + response.status() + ": " + response.body());
					}
					else {
						this.generations.add(response.generation());
						this.pids.add(response.pid());
						this.answered.incrementAndGet();
					}
				}
				catch (IOException ex) {
					fail(client, sentAt, connectedTo, ex.toString());
				}
				catch (InterruptedException ex) {
					return;
				}
				this.requests.merge(client, 1L, Long::sum);
				try {
					Thread.sleep(2);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
			send.close();
		}, "load-" + client);
		thread.setDaemon(true);
		this.threads.add(thread);
		thread.start();
	}

	private void fail(String client, Instant sentAt, long connectedTo, String what) {
		this.failures.add(new Failure(client, sentAt, Instant.now(), connectedTo, what));
	}

	Result stop() throws InterruptedException {
		this.stop.set(true);
		for (Thread thread : this.threads) {
			thread.join(Duration.ofSeconds(60).toMillis());
		}
		return new Result(Map.copyOf(this.requests), List.copyOf(this.failures), Set.copyOf(this.generations),
				Set.copyOf(this.pids));
	}

	@Override
	public void close() throws InterruptedException {
		if (!this.stop.get()) {
			stop();
		}
	}

	/**
	 * What the client load saw.
	 *
	 * @param requests the requests sent, by client
	 * @param failures every failed request: an exception or a status other than 200
	 * @param generations the worker generations that answered
	 * @param pids the worker pids that answered
	 */
	record Result(Map<String, Long> requests, List<Failure> failures, Set<Integer> generations, Set<Long> pids) {

		/**
		 * Assert that every client sent a fair number of requests and none failed.
		 * @param app the cluster, whose output the message shows
		 */
		void assertNoFailedRequest(SupervisedProcess app) {
			assertThat(this.requests).as("requests sent by each client").allSatisfy((client, requests) ->
					assertThat(requests).as("requests sent by the %s client", client).isGreaterThan(20));
			assertThat(this.failures).as("failed requests out of %s\n%s", this.requests, app.describe()).isEmpty();
		}

		/**
		 * Return the failures of one kind of client.
		 * @param kind {@link #NEW_CONNECTION} or {@link #KEEP_ALIVE}
		 * @return their failures
		 */
		List<Failure> failuresOf(String kind) {
			return this.failures.stream().filter((failure) -> failure.client().startsWith(kind)).toList();
		}

	}

	/**
	 * A failed request.
	 *
	 * @param client the client that sent it
	 * @param sentAt when it was sent
	 * @param at when it failed
	 * @param connectedTo the worker that answered the previous request on the same keep-alive connection, 0 for a
	 * new connection
	 * @param what the exception or the response
	 */
	record Failure(String client, Instant sentAt, Instant at, long connectedTo, String what) {

		@Override
		public String toString() {
			return this.at + " " + this.client + " (sent " + this.sentAt
					+ ((this.connectedTo != 0) ? " on a connection to pid " + this.connectedTo : "") + "): " + this.what;
		}

	}

	@FunctionalInterface
	private interface Client {

		Response get(String path) throws IOException, InterruptedException;

		/** The worker that answered the previous request on the connection the next one goes to, 0 if none. */
		default long connectedTo() {
			return 0;
		}

		default void close() {
		}

	}

	/**
	 * Requests on one keep-alive connection, opened again only after the server closed it (a draining worker
	 * answers {@code Connection: close}) or after a failure: unlike the JDK's client, it retries nothing.
	 */
	private static final class KeepAliveClient implements Client {

		private final int port;

		private RawConnection connection;

		private long pid;

		KeepAliveClient(int port) {
			this.port = port;
		}

		@Override
		public Response get(String path) throws IOException {
			if (this.connection == null) {
				this.connection = new RawConnection(this.port);
			}
			try {
				RawResponse response = this.connection.get(path);
				if (response.closing()) {
					close();
				}
				else if (response.status() == 200) {
					this.pid = response.pid();
				}
				return new Response(response.status(), response.body(), Instant.now());
			}
			catch (IOException ex) {
				close();
				throw ex;
			}
		}

		@Override
		public long connectedTo() {
			return (this.connection != null) ? this.pid : 0;
		}

		@Override
		public void close() {
			this.pid = 0;
			if (this.connection != null) {
				this.connection.close();
				this.connection = null;
			}
		}

	}

}
