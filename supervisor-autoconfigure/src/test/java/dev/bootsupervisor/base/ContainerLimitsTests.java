package dev.bootsupervisor.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Tests for {@link ContainerLimits}, on fake cgroup v1 and v2 trees.
 */
class ContainerLimitsTests {

	private static final long GIB = 1024L * 1024 * 1024;

	@TempDir
	Path root;

	@Test
	void v2ReadsCpuMaxAndMemoryMaxTakingTheTightestUpTheHierarchy() throws IOException {
		write("proc/self/cgroup", "0::/kubepods/pod1/app\n");
		write("proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
		write("sys/fs/cgroup/kubepods/cpu.max", "400000 100000\n");
		write("sys/fs/cgroup/kubepods/memory.max", "max\n");
		write("sys/fs/cgroup/kubepods/pod1/cpu.max", "max 100000\n");
		write("sys/fs/cgroup/kubepods/pod1/memory.max", String.valueOf(2 * GIB));
		write("sys/fs/cgroup/kubepods/pod1/app/cpu.max", "150000 100000\n");
		write("sys/fs/cgroup/kubepods/pod1/app/memory.max", "max\n");
		ContainerLimits limits = new ContainerLimits(this.root);
		assertThat(limits.cpuQuota().getAsDouble()).isCloseTo(1.5, within(1e-9));
		assertThat(limits.memoryLimit().getAsLong()).isEqualTo(2 * GIB);
		assertThat(limits.source()).isEqualTo("cgroup v2");
	}

	@Test
	void v2InItsOwnCgroupNamespaceReadsTheMountRoot() throws IOException {
		write("proc/self/cgroup", "0::/\n");
		write("proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n");
		write("sys/fs/cgroup/cpu.max", "200000 100000\n");
		write("sys/fs/cgroup/memory.max", "536870912\n");
		ContainerLimits limits = new ContainerLimits(this.root);
		assertThat(limits.cpuQuota().getAsDouble()).isCloseTo(2.0, within(1e-9));
		assertThat(limits.memoryLimit().getAsLong()).isEqualTo(512L * 1024 * 1024);
	}

	@Test
	void v2WithoutLimitsHasNone() throws IOException {
		write("proc/self/cgroup", "0::/user.slice\n");
		write("proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
		write("sys/fs/cgroup/user.slice/cpu.max", "max 100000\n");
		write("sys/fs/cgroup/user.slice/memory.max", "max\n");
		ContainerLimits limits = new ContainerLimits(this.root);
		assertThat(limits.cpuQuota()).isEmpty();
		assertThat(limits.memoryLimit()).isEmpty();
		assertThat(limits.source()).isEqualTo("no cgroup limit");
	}

	@Test
	void v1ReadsQuotaOverPeriodAndTheLimitInBytesTakingTheTightestUpTheHierarchy() throws IOException {
		write("proc/self/cgroup", "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n"
				+ "0::/\n");
		write("proc/self/mountinfo", v1Mount(32, "/", "/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct")
				+ v1Mount(35, "/", "/sys/fs/cgroup/memory", "memory")
				+ "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
		write("sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_quota_us", "50000\n");
		write("sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_period_us", "100000\n");
		write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "200000\n");
		write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
		write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
		write("sys/fs/cgroup/memory/docker/memory.limit_in_bytes", String.valueOf(GIB));
		write("sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", String.valueOf(3 * GIB));
		ContainerLimits limits = new ContainerLimits(this.root);
		assertThat(limits.cpuQuota().getAsDouble()).isCloseTo(0.5, within(1e-9));
		assertThat(limits.memoryLimit().getAsLong()).isEqualTo(GIB);
		assertThat(limits.source()).isEqualTo("cgroup v1");
	}

	@Test
	void v1MountedFromTheContainersOwnCgroupAndHugeValuesMeanUnlimited() throws IOException {
		write("proc/self/cgroup", "9:memory:/docker/abc\n3:cpu:/docker/abc\n");
		write("proc/self/mountinfo", v1Mount(32, "/docker/abc", "/sys/fs/cgroup/cpu", "cpu")
				+ v1Mount(35, "/docker/abc", "/sys/fs/cgroup/memory", "memory"));
		write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
		write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
		write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
		ContainerLimits limits = new ContainerLimits(this.root);
		assertThat(limits.cpuQuota()).isEmpty();
		assertThat(limits.memoryLimit()).isEmpty();
	}

	@Test
	void aLimitAbovePhysicalMemoryIsNoLimit() throws IOException {
		write("proc/self/cgroup", "9:memory:/app\n");
		write("proc/self/mountinfo", v1Mount(35, "/", "/sys/fs/cgroup/memory", "memory"));
		write("proc/meminfo", "MemTotal:        1048576 kB\nMemFree:          524288 kB\n");
		write("sys/fs/cgroup/memory/app/memory.limit_in_bytes", String.valueOf(2 * GIB));
		assertThat(new ContainerLimits(this.root).memoryLimit()).isEmpty();
	}

	@Test
	void aMountPointWithASpaceIsUnescaped() throws IOException {
		write("proc/self/cgroup", "0::/app\n");
		write("proc/self/mountinfo", "30 23 0:26 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
		write("sys/fs/my cgroup/app/cpu.max", "100000 100000\n");
		assertThat(new ContainerLimits(this.root).cpuQuota().getAsDouble()).isCloseTo(1.0, within(1e-9));
	}

	@Test
	void noCgroupFilesMeansNoLimits() {
		ContainerLimits limits = new ContainerLimits(this.root);
		assertThat(limits.cpuQuota()).isEmpty();
		assertThat(limits.memoryLimit()).isEmpty();
	}

	private static String v1Mount(int id, String root, String mountPoint, String controllers) {
		return id + " 31 0:" + id + " " + root + " " + mountPoint + " rw,nosuid,relatime shared:9 - cgroup cgroup rw,"
				+ controllers + "\n";
	}

	private void write(String path, String content) throws IOException {
		Path file = this.root.resolve(path);
		Files.createDirectories(file.getParent());
		Files.writeString(file, content);
	}

}
