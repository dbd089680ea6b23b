package dev.bootsupervisor.master;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import dev.bootsupervisor.protocol.BrokenCause;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;
import dev.bootsupervisor.protocol.RequestFigures;
import dev.bootsupervisor.protocol.WorkerState;

/**
 * Acts on what arrives on the master's channel: verifies a worker's HELLO against the table, records its reports
 * (failed startup, draining, heartbeats), hands readiness to the master and requests to {@link ControlRequests}. A
 * connection that breaks the protocol is closed with the reason.
 */
final class ChannelMessages {

	/** A heartbeat carries the old generation's use after at most this many collections. */
	private static final int MAX_COLLECTIONS = 3;

	private final WorkerTable table;

	private final ControlRequests requests;

	private final Clock clock;

	private final BiConsumer<WorkerHandle, Instant> ready;

	private final Watchdog watchdog;

	private final Leadership leadership;

	private final MessageRelay relay;

	/**
	 * Create the channel's message handling.
	 * @param table the worker table
	 * @param requests answers requests
	 * @param clock the clock
	 * @param ready told that a worker reported it is ready
	 * @param watchdog told that a worker reported itself broken
	 * @param leadership told that a leader confirmed a revoke or yields
	 * @param relay relays the workers' messages
	 */
	ChannelMessages(WorkerTable table, ControlRequests requests, Clock clock, BiConsumer<WorkerHandle, Instant> ready,
			Watchdog watchdog, Leadership leadership, MessageRelay relay) {
		this.table = table;
		this.requests = requests;
		this.clock = clock;
		this.ready = ready;
		this.watchdog = watchdog;
		this.leadership = leadership;
		this.relay = relay;
	}

	void connected(MasterEvent.WorkerConnected connected) {
		ChannelConnection connection = connected.connection();
		WorkerHandle worker = this.table.byPid(connected.pid());
		if (worker == null || worker.workerId() != connected.workerId()
				|| worker.generation() != connected.generation()) {
			connection.close("HELLO from worker " + connected.workerId() + " pid " + connected.pid()
					+ " generation " + connected.generation() + " matches no worker this master started");
			return;
		}
		connection.worker(worker);
		worker.connection(connection);
	}

	void received(ChannelConnection connection, Frame frame) {
		try {
			if (connection.role().equals("worker")) {
				fromWorker(connection, frame);
			}
			else if (frame.type() == MessageType.REQUEST) {
				this.requests.handle(connection, frame, true);
			}
			else {
				throw new ProtocolException("unexpected " + frame.type() + " from a control connection");
			}
		}
		catch (ProtocolException ex) {
			connection.close(ex.getMessage());
		}
	}

	private static WorkerHeartbeat heartbeat(Frame frame, Instant now) throws ProtocolException {
		List<Double> oldAfterGc = new ArrayList<>();
		String percents = frame.get("oldAfterGc").orElse("-");
		if (!percents.equals("-")) {
			for (String percent : percents.split(",", -1)) {
				try {
					double value = Double.parseDouble(percent);
					if (!(value >= 0 && value <= 1000) || oldAfterGc.size() == MAX_COLLECTIONS) {
						throw new NumberFormatException();
					}
					oldAfterGc.add(value);
				}
				catch (NumberFormatException ex) {
					throw new ProtocolException("malformed oldAfterGc '" + percents + "'");
				}
			}
		}
		return new WorkerHeartbeat(now, frame.requireLong("heapUsed"), frame.requireLong("heapMax"),
				frame.get("health").orElse("UNKNOWN"), optionalLong(frame, "cpu", -1), optionalLong(frame, "inFlight", 0),
				optionalLong(frame, "completed", 0), optionalLong(frame, "oldCollections", 0), oldAfterGc,
				RequestFigures.from(frame), Math.max(-1, optionalLong(frame, "connections", -1)));
	}

	private static long optionalLong(Frame frame, String name, long fallback) throws ProtocolException {
		return frame.get(name).isPresent() ? frame.requireLong(name) : fallback;
	}

	private static String detail(Frame frame) {
		return oneLine(frame.get("detail").orElse(""));
	}

	/**
	 * Text a worker sent, fit for a log line or another worker: control characters blanked, at most 1000
	 * characters.
	 * @param text the text
	 * @return the line
	 */
	static String oneLine(String text) {
		String line = text.replaceAll("\\p{Cntrl}", " ");
		return (line.length() > 1000) ? line.substring(0, 1000) + "..." : line;
	}

	private void fromWorker(ChannelConnection connection, Frame frame) throws ProtocolException {
		WorkerHandle worker = connection.worker();
		if (worker == null) {
			throw new ProtocolException(frame.type() + " before the worker was verified");
		}
		Instant now = this.clock.instant();
		switch (frame.type()) {
			case READY -> this.ready.accept(worker, now);
			case FAILED -> worker.startupError(frame.require("error"));
			case DRAINING -> {
				worker.stoppedAccepting();
				if (worker.state() == WorkerState.READY || worker.state() == WorkerState.STARTING) {
					worker.transition(WorkerState.DRAINING, frame.get("reason").orElse("worker is shutting down"),
							now);
				}
			}
			case HEARTBEAT -> worker.heartbeat(heartbeat(frame, now));
			case BROKEN -> this.watchdog.broken(worker, BrokenCause.of(frame.require("cause")), detail(frame),
					now);
			case REVOKED -> this.leadership.revoked(worker, frame.requireLong("epoch"), now);
			case YIELD -> this.leadership.yielded(worker, frame.requireLong("epoch"), now);
			case SEND -> this.relay.send(worker, frame);
			case ANSWER -> this.relay.answer(worker, frame);
			case REQUEST -> this.requests.handle(connection, frame, false);
			default -> throw new ProtocolException("unexpected " + frame.type() + " from a worker");
		}
	}

}
