package dev.bootsupervisor.master;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.base.CanarySettings;
import dev.bootsupervisor.base.CdsSettings;
import dev.bootsupervisor.base.SupervisorEnvironment;
import dev.bootsupervisor.base.SupervisorSettings;
import dev.bootsupervisor.base.WatchdogSettings;
import dev.bootsupervisor.base.WorkerCommand;
import dev.bootsupervisor.protocol.ProtocolException;

/**
 * Everything a lean master JVM needs, resolved by the application's JVM: settings, the worker command and the
 * launch time, handed over in environment variables across the {@code execve}.
 * <p>
 * The encoding has no limit on the number or content of JVM options and arguments: every string is
 * length-prefixed UTF-8 (spaces, quotes, {@code =}, newlines, tabs and any Unicode text survive byte for byte),
 * and the Base64 text is split over as many variables as needed, each well under the kernel's limit for one
 * string ({@code MAX_ARG_STRLEN}, 128 KiB).
 *
 * @param settings the settings
 * @param command the worker command
 * @param launchedAt when the app was launched
 */
public record MasterSpec(SupervisorSettings settings, WorkerCommand command, Instant launchedAt) {

	/** The environment variable that carries the number of parts; part {@code i} is in {@code ENV_i}. */
	public static final String ENV = SupervisorEnvironment.MASTER_SPEC;

	/** Characters of Base64 per environment variable. */
	static final int PART_LENGTH = 64 * 1024;

	private static final int VERSION = 7;

	private static final int MAX_PARTS = 1024;

	/**
	 * Encode this spec as one line of Base64 text.
	 * @return the text
	 */
	public String encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			SupervisorSettings s = this.settings;
			out.writeInt(VERSION);
			write(out, s.name());
			out.writeInt(s.workers());
			out.writeBoolean(s.address() != null);
			write(out, (s.address() != null) ? s.address() : "");
			out.writeInt(s.port());
			out.writeInt(s.backlog());
			write(out, s.backoffInitial().toString());
			write(out, s.backoffMax().toString());
			write(out, s.backoffReset().toString());
			out.writeInt(s.maxRestarts());
			write(out, s.restartWindow().toString());
			write(out, s.startupTimeout().toString());
			write(out, s.shutdownTimeout().toString());
			write(out, s.reloadTimeout().toString());
			write(out, s.runDir().toString());
			write(out, s.watchdog().timeout().toString());
			out.writeInt(s.watchdog().heapAfterGc());
			out.writeLong(s.watchdog().maxRequests());
			out.writeLong(s.watchdog().maxRequestsJitter());
			write(out, s.watchdog().maxLifetime().toString());
			write(out, s.leaderRevokeTimeout().toString());
			write(out, s.shutdownDelay().toString());
			out.writeBoolean(s.cds().enabled());
			write(out, (s.cds().directory() != null) ? s.cds().directory().toString() : "");
			write(out, s.canary().period().toString());
			out.writeInt(s.canary().minRequests());
			out.writeDouble(s.canary().maxErrorIncrease());
			out.writeDouble(s.canary().maxLatencyRatio());
			write(out, s.canary().latencyMargin().toString());
			write(out, this.command.javaExecutable());
			write(out, this.command.jvmOptions());
			write(out, this.command.launchTarget());
			write(out, this.command.arguments());
			write(out, this.launchedAt.toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return Base64.getEncoder().encodeToString(bytes.toByteArray());
	}

	/**
	 * Decode a spec that {@link #encode()} produced.
	 * @param text the text
	 * @return the spec
	 * @throws ProtocolException if the text is not a spec
	 */
	public static MasterSpec decode(String text) throws ProtocolException {
		try {
			ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(text));
			if (in.getInt() != VERSION) {
				throw new ProtocolException("malformed master spec: unknown version");
			}
			String name = string(in);
			int workers = in.getInt();
			boolean hasAddress = in.get() != 0;
			String address = string(in);
			SupervisorSettings settings = new SupervisorSettings(name, workers, hasAddress ? address : null,
					in.getInt(), in.getInt(), Duration.parse(string(in)), Duration.parse(string(in)),
					Duration.parse(string(in)), in.getInt(), Duration.parse(string(in)), Duration.parse(string(in)),
					Duration.parse(string(in)), Duration.parse(string(in)), Path.of(string(in)),
					new WatchdogSettings(Duration.parse(string(in)), in.getInt(), in.getLong(), in.getLong(),
							Duration.parse(string(in))),
					Duration.parse(string(in)), Duration.parse(string(in)));
			boolean cdsEnabled = in.get() != 0;
			String cdsDirectory = string(in);
			settings = settings.withCds(new CdsSettings(cdsEnabled, cdsDirectory.isEmpty() ? null : Path.of(cdsDirectory)));
			settings = settings.withCanary(new CanarySettings(Duration.parse(string(in)), in.getInt(), in.getDouble(),
					in.getDouble(), Duration.parse(string(in))));
			WorkerCommand command = new WorkerCommand(string(in), strings(in), strings(in), strings(in),
					settings.name());
			Instant launchedAt = Instant.parse(string(in));
			if (in.hasRemaining()) {
				throw new ProtocolException("malformed master spec: " + in.remaining() + " bytes after the end");
			}
			return new MasterSpec(settings, command, launchedAt);
		}
		catch (RuntimeException ex) {
			throw new ProtocolException("malformed master spec: " + ex);
		}
	}

	/**
	 * This spec as environment variables: {@link #ENV} holds the number of parts, {@code ENV_1} to {@code ENV_n}
	 * the parts of {@link #encode()}.
	 * @return the variables
	 */
	public Map<String, String> toEnvironment() {
		String text = encode();
		Map<String, String> variables = new LinkedHashMap<>();
		int parts = Math.max(1, (text.length() + PART_LENGTH - 1) / PART_LENGTH);
		variables.put(ENV, String.valueOf(parts));
		for (int i = 0; i < parts; i++) {
			variables.put(ENV + "_" + (i + 1),
					text.substring(i * PART_LENGTH, Math.min(text.length(), (i + 1) * PART_LENGTH)));
		}
		return variables;
	}

	/**
	 * Read a spec from environment variables that {@link #toEnvironment()} produced.
	 * @param environment the environment
	 * @return the spec
	 * @throws ProtocolException if the variables are missing or not a spec
	 */
	public static MasterSpec fromEnvironment(Map<String, String> environment) throws ProtocolException {
		int parts;
		try {
			parts = Integer.parseInt(environment.getOrDefault(ENV, ""));
		}
		catch (NumberFormatException ex) {
			throw new ProtocolException("malformed master spec: " + ENV + " is not a number of parts");
		}
		if (parts < 1 || parts > MAX_PARTS) {
			throw new ProtocolException("malformed master spec: " + parts + " parts");
		}
		StringBuilder text = new StringBuilder();
		for (int i = 1; i <= parts; i++) {
			String part = environment.get(ENV + "_" + i);
			if (part == null) {
				throw new ProtocolException("malformed master spec: part " + i + " of " + parts + " is missing");
			}
			text.append(part);
		}
		return decode(text.toString());
	}

	/**
	 * Whether an environment variable is part of a spec: the master's children do not inherit them.
	 * @param name the variable's name
	 * @return whether it belongs to a spec
	 */
	public static boolean isSpecVariable(String name) {
		return name.equals(ENV) || name.startsWith(ENV + "_");
	}

	private static void write(DataOutputStream out, String value) throws IOException {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		out.writeInt(bytes.length);
		out.write(bytes);
	}

	private static void write(DataOutputStream out, List<String> values) throws IOException {
		out.writeInt(values.size());
		for (String value : values) {
			write(out, value);
		}
	}

	private static String string(ByteBuffer in) throws ProtocolException {
		int length = in.getInt();
		if (length < 0 || length > in.remaining()) {
			throw new ProtocolException("malformed master spec: a string of " + length + " bytes with "
					+ in.remaining() + " left");
		}
		byte[] bytes = new byte[length];
		in.get(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private static List<String> strings(ByteBuffer in) throws ProtocolException {
		int count = in.getInt();
		// every string takes at least its 4-byte length
		if (count < 0 || count > in.remaining() / 4) {
			throw new ProtocolException("malformed master spec: a list of " + count + " strings");
		}
		List<String> values = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			values.add(string(in));
		}
		return values;
	}

}
