package dev.bootsupervisor.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The CPU quota and memory limit of the container this process runs in, read from its cgroup (v1 or v2) the way
 * the JVM reads them: the process's cgroup from {@code /proc/self/cgroup}, where its hierarchy is mounted from
 * {@code /proc/self/mountinfo}, and the tightest limit from that cgroup up to the mount's root.
 */
public final class ContainerLimits {

	/** At or above this, a v1 limit is the kernel's way of saying "none" (2^63 rounded down to a page). */
	private static final long V1_UNLIMITED = 1L << 62;

	private final Path root;

	private final List<String[]> cgroups;

	private final List<String[]> mounts;

	private final Limit<Double> cpu;

	private final Limit<Long> memory;

	/**
	 * Read the limits of the process whose file system is at a root.
	 * @param root the file-system root: {@code /}, or a directory that holds a fake {@code proc} and {@code sys}
	 */
	public ContainerLimits(Path root) {
		this.root = root;
		this.cgroups = lines(root.resolve("proc/self/cgroup"), ":", 3);
		this.mounts = lines(root.resolve("proc/self/mountinfo"), " ", -1);
		this.cpu = readCpu();
		this.memory = readMemory();
	}

	/**
	 * The limits of this process.
	 * @return the limits
	 */
	public static ContainerLimits current() {
		return new ContainerLimits(Path.of("/"));
	}

	/**
	 * The CPU quota, in processors: {@code 1.5} for 150 ms of CPU time every 100 ms.
	 * @return the quota, empty when there is none
	 */
	public OptionalDouble cpuQuota() {
		return (this.cpu != null) ? OptionalDouble.of(this.cpu.value()) : OptionalDouble.empty();
	}

	/**
	 * The memory limit, in bytes.
	 * @return the limit, empty when there is none
	 */
	public OptionalLong memoryLimit() {
		return (this.memory != null) ? OptionalLong.of(this.memory.value()) : OptionalLong.empty();
	}

	/**
	 * Where the limits come from, for the log: {@code cgroup v1}, {@code cgroup v2}, both, or {@code none}.
	 * @return the source
	 */
	public String source() {
		String cpu = (this.cpu != null) ? this.cpu.version() : null;
		String memory = (this.memory != null) ? this.memory.version() : null;
		if (cpu == null && memory == null) {
			return "no cgroup limit";
		}
		if (cpu != null && memory != null && !cpu.equals(memory)) {
			return "cgroup " + cpu + " (CPU), " + memory + " (memory)";
		}
		return "cgroup " + ((cpu != null) ? cpu : memory);
	}

	private Limit<Double> readCpu() {
		Path v1 = directory("cpu");
		if (v1 != null) {
			Double tightest = null;
			for (Path level : upToMount(v1, "cpu")) {
				long quota = number(level.resolve("cpu.cfs_quota_us"));
				long period = number(level.resolve("cpu.cfs_period_us"));
				if (quota > 0 && period > 0) {
					tightest = min(tightest, (double) quota / period);
				}
			}
			return (tightest != null) ? new Limit<>(tightest, "v1") : null;
		}
		Path v2 = directory(null);
		if (v2 == null) {
			return null;
		}
		Double tightest = null;
		for (Path level : upToMount(v2, null)) {
			String[] max = text(level.resolve("cpu.max")).split("\\s+");
			if (max.length == 2 && !max[0].equals("max")) {
				try {
					double quota = Long.parseLong(max[0]);
					double period = Long.parseLong(max[1]);
					if (quota > 0 && period > 0) {
						tightest = min(tightest, quota / period);
					}
				}
				catch (NumberFormatException ex) {
					// not a limit
				}
			}
		}
		return (tightest != null) ? new Limit<>(tightest, "v2") : null;
	}

	private Limit<Long> readMemory() {
		Path v1 = directory("memory");
		String version = "v1";
		String file = "memory.limit_in_bytes";
		if (v1 == null) {
			v1 = directory(null);
			version = "v2";
			file = "memory.max";
		}
		if (v1 == null) {
			return null;
		}
		long physical = physicalMemory();
		Long tightest = null;
		for (Path level : upToMount(v1, version.equals("v1") ? "memory" : null)) {
			long limit = number(level.resolve(file));
			if (limit > 0 && limit < V1_UNLIMITED && limit < physical) {
				tightest = (tightest == null) ? limit : Math.min(tightest, limit);
			}
		}
		return (tightest != null) ? new Limit<>(tightest, version) : null;
	}

	/**
	 * The directory of this process's cgroup for a v1 controller, or for the v2 hierarchy.
	 * @param controller the v1 controller, {@code null} for v2
	 * @return the directory, {@code null} when the process has no such cgroup or it is not mounted
	 */
	private Path directory(String controller) {
		String path = cgroupPath(controller);
		String[] mount = (path != null) ? mount(controller) : null;
		if (mount == null) {
			return null;
		}
		String mountRoot = unescape(mount[3]);
		Path mountPoint = this.root.resolve(relative(unescape(mount[4])));
		if (mountRoot.equals("/")) {
			return mountPoint.resolve(relative(path));
		}
		// the container sees a part of the hierarchy: its cgroup path starts with the part mounted
		return path.startsWith(mountRoot) ? mountPoint.resolve(relative(path.substring(mountRoot.length())))
				: mountPoint;
	}

	private String cgroupPath(String controller) {
		for (String[] line : this.cgroups) {
			if (line.length < 3) {
				continue;
			}
			boolean match = (controller == null) ? line[0].equals("0") && line[1].isEmpty()
					: List.of(line[1].split(",")).contains(controller);
			if (match) {
				return line[2];
			}
		}
		return null;
	}

	private String[] mount(String controller) {
		for (String[] fields : this.mounts) {
			int separator = List.of(fields).indexOf("-");
			if (separator < 5 || separator + 3 > fields.length) {
				continue;
			}
			String type = fields[separator + 1];
			boolean match = (controller == null) ? type.equals("cgroup2")
					: type.equals("cgroup") && List.of(fields[separator + 3].split(",")).contains(controller);
			if (match) {
				return fields;
			}
		}
		return null;
	}

	/** The directories from a cgroup up to the root of its mount, each of which may set a tighter limit. */
	private List<Path> upToMount(Path directory, String controller) {
		Path mountPoint = this.root.resolve(relative(unescape(mount(controller)[4])));
		List<Path> levels = new ArrayList<>();
		for (Path level = directory; level != null && level.startsWith(mountPoint); level = level.getParent()) {
			levels.add(level);
		}
		return levels;
	}

	private long physicalMemory() {
		for (String[] line : lines(this.root.resolve("proc/meminfo"), "\\s+", -1)) {
			if (line.length >= 2 && line[0].equals("MemTotal:")) {
				try {
					return Long.parseLong(line[1]) * 1024;
				}
				catch (NumberFormatException ex) {
					return Long.MAX_VALUE;
				}
			}
		}
		return Long.MAX_VALUE;
	}

	private static Double min(Double current, double value) {
		return (current == null) ? value : Math.min(current, value);
	}

	private static long number(Path file) {
		try {
			return Long.parseLong(text(file));
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static String text(Path file) {
		try {
			return Files.readString(file).trim();
		}
		catch (IOException | RuntimeException ex) {
			return "";
		}
	}

	private static List<String[]> lines(Path file, String separator, int limit) {
		List<String[]> lines = new ArrayList<>();
		for (String line : text(file).split("\n")) {
			if (!line.isBlank()) {
				lines.add(line.trim().split(separator, limit));
			}
		}
		return lines;
	}

	private static String relative(String path) {
		return path.replaceFirst("^/+", "");
	}

	/** Mount info escapes a space, tab, newline and backslash in a path as an octal sequence such as {@code \040}. */
	private static String unescape(String field) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < field.length(); i++) {
			char c = field.charAt(i);
			if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
				text.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
				i += 3;
			}
			else {
				text.append(c);
			}
		}
		return text.toString();
	}

	private record Limit<T>(T value, String version) {
	}

}
