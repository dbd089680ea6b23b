package dev.bootsupervisor.base;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * How the workers fit a container: how many {@code supervisor.workers=auto} means under a CPU quota, and the JVM
 * options that give each worker its share of the quota and of the memory limit. The heap formula, per worker:
 * {@code (limit - 128 MiB for the master) / workers - max(192 MiB, a quarter of that share)} for what a JVM uses
 * besides its heap (metaspace, code cache, thread stacks, direct buffers, the collector's own structures).
 *
 * @param workerOptions the JVM options added to every worker
 * @param summary the decision as one log line
 * @param warning a line to log as a warning, {@code null} when the workers fit
 */
public record ContainerSizing(List<String> workerOptions, String summary, String warning) {

	private static final long MIB = 1024 * 1024;

	/** What the master itself takes: the lean master JVM runs in 64 MiB of heap, with room for its non-heap. */
	static final long MASTER_RESERVE = 128 * MIB;

	/** The least a worker JVM uses besides its heap: a small Spring Boot app's metaspace, code and threads. */
	static final long MIN_NON_HEAP = 192 * MIB;

	/** The smallest heap given to a worker, even when the limit is too small for it. */
	static final long MIN_HEAP = 64 * MIB;

	/** Options that set the heap, or the memory the JVM sizes its heap from: any of them leaves the heap alone. */
	private static final List<String> HEAP_OPTIONS = List.of("-Xmx", "-Xms", "-XX:MaxHeapSize=",
			"-XX:InitialHeapSize=", "-XX:MaxRAM=", "-XX:MaxRAMPercentage=", "-XX:MaxRAMFraction=",
			"-XX:InitialRAMPercentage=", "-XX:MinRAMPercentage=");

	private static final String PROCESSORS = "-XX:ActiveProcessorCount=";

	public ContainerSizing {
		workerOptions = List.copyOf(workerOptions);
	}

	/**
	 * The number of workers for {@code supervisor.workers=auto}: one per processor of the CPU quota (rounded up,
	 * as the JVM counts it), at most the processors available, else one per available processor.
	 * @param quota the CPU quota, in processors
	 * @param processors the processors available to this JVM
	 * @param max the most workers allowed
	 * @return the number of workers
	 */
	public static int autoWorkers(OptionalDouble quota, int processors, int max) {
		int workers = quota.isPresent() ? Math.min((int) Math.ceil(quota.getAsDouble()), processors) : processors;
		return Math.max(1, Math.min(workers, max));
	}

	/**
	 * Decide the workers' sizing.
	 * @param limits the container's limits
	 * @param workers the number of workers
	 * @param auto whether the number came from {@code supervisor.workers=auto}
	 * @param jvmOptions the JVM options the workers get from the app's JVM
	 * @param environment the environment, for {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS}
	 * @return the sizing
	 */
	public static ContainerSizing decide(ContainerLimits limits, int workers, boolean auto, List<String> jvmOptions,
			Map<String, String> environment) {
		return decide(limits.cpuQuota(), limits.memoryLimit(), limits.source(), workers, auto, jvmOptions,
				environment);
	}

	static ContainerSizing decide(OptionalDouble quota, OptionalLong memory, String source, int workers,
			boolean auto, List<String> jvmOptions, Map<String, String> environment) {
		List<String> options = allOptions(jvmOptions, environment);
		List<String> added = new ArrayList<>();
		List<String> why = new ArrayList<>();
		String warning = null;
		if (quota.isPresent()) {
			Optional<String> set = find(options, List.of(PROCESSORS));
			if (set.isPresent()) {
				why.add("processors left to " + set.get());
			}
			else {
				int share = Math.max(1, (int) Math.ceil(quota.getAsDouble() / workers));
				added.add(PROCESSORS + share);
				why.add("processors: quota / workers, rounded up");
			}
		}
		if (memory.isPresent()) {
			Optional<String> set = find(options, HEAP_OPTIONS);
			if (set.isPresent()) {
				why.add("heap left to " + set.get());
			}
			else {
				long share = (memory.getAsLong() - MASTER_RESERVE) / workers;
				long nonHeap = Math.max(MIN_NON_HEAP, share / 4);
				long heap = (share - nonHeap) / MIB;
				if (heap * MIB < MIN_HEAP) {
					heap = MIN_HEAP / MIB;
					warning = "Memory limit " + mib(memory.getAsLong()) + " is too small for " + plural(workers)
							+ ": each gets " + mib(Math.max(0, share)) + " after " + mib(MASTER_RESERVE)
							+ " for the master, under the " + mib(MIN_HEAP + MIN_NON_HEAP) + " a worker needs ("
							+ mib(MIN_HEAP) + " heap, " + mib(MIN_NON_HEAP) + " non-heap); the workers may be "
							+ "killed out of memory. Run fewer workers (supervisor.workers) or raise the limit";
				}
				added.add("-Xmx" + heap + "m");
				why.add("heap: (" + mib(memory.getAsLong()) + " - " + mib(MASTER_RESERVE) + " for the master) / "
						+ plural(workers) + " - " + mib(nonHeap) + " non-heap");
			}
		}
		String summary = "Container sizing: "
				+ (quota.isPresent() ? "CPU quota " + format(quota.getAsDouble()) : "no CPU quota") + ", "
				+ (memory.isPresent() ? "memory limit " + mib(memory.getAsLong()) : "no memory limit") + " ("
				+ source + "); " + plural(workers) + (auto ? (quota.isPresent() ? " (auto: the CPU quota)"
						: " (auto: the available processors)") : "")
				+ "; each worker " + (added.isEmpty() ? "with its JVM options unchanged" : String.join(" ", added))
				+ (why.isEmpty() ? "" : " (" + String.join("; ", why) + ")");
		return new ContainerSizing(added, summary, warning);
	}

	/**
	 * Whether there is anything to say: a limit, or a number of workers that {@code auto} chose.
	 * @param limits the limits
	 * @param auto whether {@code supervisor.workers=auto}
	 * @return whether to log the decision
	 */
	public static boolean worthLogging(ContainerLimits limits, boolean auto) {
		return auto || limits.cpuQuota().isPresent() || limits.memoryLimit().isPresent();
	}

	/**
	 * A worker command with this sizing's options added after the user's.
	 * @param command the worker command
	 * @return the command
	 */
	public WorkerCommand apply(WorkerCommand command) {
		if (this.workerOptions.isEmpty()) {
			return command;
		}
		List<String> options = new ArrayList<>(command.jvmOptions());
		options.addAll(this.workerOptions);
		return command.withLaunch(options, command.launchTarget());
	}

	private static List<String> allOptions(List<String> jvmOptions, Map<String, String> environment) {
		List<String> options = new ArrayList<>(jvmOptions);
		Stream.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")
			.map(environment::get)
			.filter((value) -> value != null && !value.isBlank())
			.forEach((value) -> options.addAll(List.of(value.trim().split("\\s+"))));
		return options;
	}

	private static Optional<String> find(List<String> options, List<String> prefixes) {
		return options.stream().filter((option) -> prefixes.stream().anyMatch(option::startsWith)).findFirst();
	}

	private static String plural(int workers) {
		return workers + ((workers == 1) ? " worker" : " workers");
	}

	private static String format(double processors) {
		return (processors == Math.rint(processors)) ? String.valueOf((long) processors)
				: String.format(Locale.ROOT, "%.2f", processors);
	}

	private static String mib(long bytes) {
		return (bytes / MIB) + " MiB";
	}

}
