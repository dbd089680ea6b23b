package dev.bootsupervisor.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.protocol.Frame;
import dev.bootsupervisor.protocol.FrameCodec;
import dev.bootsupervisor.protocol.MessageType;
import dev.bootsupervisor.protocol.ProtocolException;

/**
 * Everything a lean master JVM needs, resolved by the application's JVM: settings, the worker command and the
 * launch time, as one line of text handed over in an environment variable.
 *
 * @param settings the settings
 * @param command the worker command
 * @param launchedAt when the app was launched
 */
public record MasterSpec(SupervisorSettings settings, WorkerCommand command, Instant launchedAt) {

	/** The environment variable that carries the spec. */
	public static final String ENV = "SUPERVISOR_MASTER_SPEC";

	public String encode() {
		Map<String, String> f = new LinkedHashMap<>();
		SupervisorSettings s = this.settings;
		f.put("name", s.name());
		f.put("workers", String.valueOf(s.workers()));
		if (s.address() != null) {
			f.put("address", s.address());
		}
		f.put("port", String.valueOf(s.port()));
		f.put("backlog", String.valueOf(s.backlog()));
		f.put("backoffInitial", s.backoffInitial().toString());
		f.put("backoffMax", s.backoffMax().toString());
		f.put("backoffReset", s.backoffReset().toString());
		f.put("maxRestarts", String.valueOf(s.maxRestarts()));
		f.put("restartWindow", s.restartWindow().toString());
		f.put("startupTimeout", s.startupTimeout().toString());
		f.put("shutdownTimeout", s.shutdownTimeout().toString());
		f.put("reloadTimeout", s.reloadTimeout().toString());
		f.put("runDir", s.runDir().toString());
		f.put("java", this.command.javaExecutable());
		list(f, "opt", this.command.jvmOptions());
		list(f, "target", this.command.launchTarget());
		list(f, "arg", this.command.arguments());
		f.put("launchedAt", this.launchedAt.toString());
		return FrameCodec.encode(new Frame(MessageType.REQUEST, f)).trim();
	}

	public static MasterSpec decode(String text) throws ProtocolException {
		Frame f = FrameCodec.decode(text);
		try {
			SupervisorSettings settings = new SupervisorSettings(f.require("name"), f.requireInt("workers"),
					f.get("address").orElse(null), f.requireInt("port"), f.requireInt("backlog"),
					Duration.parse(f.require("backoffInitial")), Duration.parse(f.require("backoffMax")),
					Duration.parse(f.require("backoffReset")), f.requireInt("maxRestarts"),
					Duration.parse(f.require("restartWindow")), Duration.parse(f.require("startupTimeout")),
					Duration.parse(f.require("shutdownTimeout")), Duration.parse(f.require("reloadTimeout")),
					Path.of(f.require("runDir")));
			WorkerCommand command = new WorkerCommand(f.require("java"), list(f, "opt"), list(f, "target"),
					list(f, "arg"), settings.name());
			return new MasterSpec(settings, command, Instant.parse(f.require("launchedAt")));
		}
		catch (RuntimeException ex) {
			throw new ProtocolException("malformed master spec: " + ex.getMessage());
		}
	}

	private static void list(Map<String, String> fields, String prefix, List<String> values) {
		fields.put(prefix + ".count", String.valueOf(values.size()));
		for (int i = 0; i < values.size(); i++) {
			fields.put(prefix + "." + i, values.get(i));
		}
	}

	private static List<String> list(Frame frame, String prefix) throws ProtocolException {
		int count = frame.requireInt(prefix + ".count");
		List<String> values = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			values.add(frame.require(prefix + "." + i));
		}
		return values;
	}

}
