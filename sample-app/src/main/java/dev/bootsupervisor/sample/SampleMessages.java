package dev.bootsupervisor.sample;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.bootsupervisor.cluster.ClusterMessageListener;

import org.springframework.stereotype.Component;

/**
 * The sample's cluster listeners: it keeps the texts broadcast on {@code sample.broadcast}, in order, and answers
 * requests on {@code sample.echo} with {@code <worker id> <pid> <text>}.
 */
@Component
public class SampleMessages {

	/** The topic of {@code POST /broadcast}. */
	static final String BROADCAST = "sample.broadcast";

	/** The topic of {@code GET /ask}. */
	static final String ECHO = "sample.echo";

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final WorkerIdentity identity;

	SampleMessages(WorkerIdentity identity) {
		this.identity = identity;
	}

	@ClusterMessageListener(BROADCAST)
	public void broadcast(String text) {
		this.received.add(text);
	}

	@ClusterMessageListener(ECHO)
	public String echo(String text) {
		return this.identity.worker() + " " + this.identity.pid() + " " + text;
	}

	List<String> received() {
		return List.copyOf(this.received);
	}

}
