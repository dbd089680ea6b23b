package dev.bootsupervisor.master;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;

/**
 * Acts on what people ask of the cluster: signals (TERM, INT, HUP, TTIN, TTOU, USR1) and the requests of control
 * commands and of workers' actuator endpoints (view, stop, reload, scale, reopen-logs,
 * log-files). A request whose client gave up or went
 * away is ignored.
 */
final class ControlRequests {

	private static final System.Logger log = System.getLogger(Master.class.getName());

	private final SupervisorSettings settings;

	private final Clock clock;

	private final Master master;

	private final Reloads reloads;

	private final Scaling scaling;

	private final Shutdown shutdown;

	ControlRequests(SupervisorSettings settings, Clock clock, Master master, Reloads reloads, Scaling scaling,
			Shutdown shutdown) {
		this.settings = settings;
		this.clock = clock;
		this.master = master;
		this.reloads = reloads;
		this.scaling = scaling;
		this.shutdown = shutdown;
	}

	/**
	 * Act on a signal.
	 * @param name the signal's name without {@code SIG}
	 */
	void signal(String name) {
		switch (name) {
			case "TERM", "INT" -> {
				if (this.shutdown.delaying()) {
					this.shutdown.endDelay("SIG" + name, this.clock.instant());
				}
				else if (this.master.phase().isStopping()) {
					log.log(System.Logger.Level.INFO, "SIG{0} received while stopping; still waiting for workers",
							name);
				}
				else {
					this.master.stopGracefully("SIG" + name + " received");
				}
			}
			case "HUP" -> this.reloads.start("SIGHUP", null, (ok, message) -> {
			});
			case "TTIN" -> scaleBy(1, "SIGTTIN");
			case "TTOU" -> scaleBy(-1, "SIGTTOU");
			case "USR1" -> this.master.reopenLogs("SIGUSR1");
			default -> log.log(System.Logger.Level.INFO, "SIG{0} received; ignored", name);
		}
	}

	private void scaleBy(int delta, String trigger) {
		this.scaling.scale(this.scaling.target() + delta, trigger, null, (ok, message) -> log.log(
				ok ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "Scale ({0}): {1}", trigger, message));
	}

	/**
	 * Act on a request.
	 * @param connection where it came from
	 * @param request the request
	 * @param control whether it came from a control command, not a worker
	 * @throws ProtocolException when the request is malformed or not allowed
	 */
	void handle(ChannelConnection connection, Frame request, boolean control) throws ProtocolException {
		String command = request.require("command");
		Long deadline = request.get("deadline").isPresent() ? request.requireLong("deadline") : null;
		if (deadline != null && this.clock.instant().toEpochMilli() > deadline) {
			// the client gave up (the master was paused, or too busy): acting now would surprise everyone
			log.log(System.Logger.Level.WARNING, "Ignored a {0} request from {1}: its client gave up waiting at {2}",
					command, connection, Instant.ofEpochMilli(deadline));
			return;
		}
		if (connection.isClosed()) {
			log.log(System.Logger.Level.WARNING, "Ignored a {0} request from {1}: its client went away", command,
					connection);
			return;
		}
		switch (command) {
			case "view" -> connection.send(withId(request, ClusterView.toFrame(this.master.view())));
			case "stop" -> {
				if (!control) {
					throw new ProtocolException("workers cannot stop the cluster");
				}
				boolean already = this.master.phase().isStopping();
				connection.send(withId(request, Frame.of(MessageType.REPLY, "ok", true, "message",
						already ? "already stopping" : "stopping", "shutdownTimeout",
						// the command waits this long for the outcome: the shutdown delay comes first
						this.settings.shutdownTimeout().plus(this.settings.shutdownDelay()).toMillis())));
				this.shutdown.tell(connection, request);
				if (!already) {
					this.master.stopGracefully("stop command");
				}
			}
			case "reload" -> {
				String trigger = control ? "reload command"
						: "actuator request via worker " + connection.worker().workerId();
				Integer requester = control ? null : connection.worker().workerId();
				this.reloads.start(trigger, requester, (ok, message) -> connection.send(reply(request, ok, message)));
			}
			case "scale" -> {
				int workers = request.requireInt("workers");
				this.scaling.scale(workers, control ? "scale command" : "actuator request",
						control ? null : connection.worker(),
						(ok, message) -> connection.send(reply(request, ok, message)));
			}
			case "reopen-logs" -> {
				if (!control) {
					throw new ProtocolException("workers cannot reopen the log files");
				}
				LogReopener.Outcome outcome = this.master.reopenLogs("reopen-logs command");
				connection.send(reply(request, outcome.ok(), outcome.message()));
			}
			case "log-files" -> {
				if (!control) {
					throw new ProtocolException("workers cannot ask for the log files");
				}
				// logs without the start's log-dir: the master knows where its output goes
				connection.send(withId(request, this.master.logFiles()
					.map((files) -> Frame.of(MessageType.REPLY, "ok", true, "stdout", files[0], "stderr", files[1]))
					.orElseGet(() -> Frame.of(MessageType.REPLY, "ok", false, "message",
							"no log files: this master runs in the foreground"))));
			}
			default -> connection.send(reply(request, false, "unknown command '" + command + "'"));
		}
	}

	private static Frame reply(Frame request, boolean ok, String message) {
		return withId(request, Frame.of(MessageType.REPLY, "ok", ok, "message", message));
	}

	/**
	 * A reply that carries its request's id, so the client matches them.
	 * @param request the request
	 * @param reply the reply
	 * @return the reply with the id
	 */
	static Frame withId(Frame request, Frame reply) {
		String id = request.fields().get("id");
		if (id == null) {
			return reply;
		}
		Map<String, String> fields = new LinkedHashMap<>(reply.fields());
		fields.put("id", id);
		return new Frame(reply.type(), fields);
	}

}
