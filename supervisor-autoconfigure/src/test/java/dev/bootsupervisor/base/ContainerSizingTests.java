package dev.bootsupervisor.base;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ContainerSizing}: the number of workers {@code auto} picks and each worker's share.
 */
class ContainerSizingTests {

	private static final long MIB = 1024 * 1024;

	@Test
	void autoIsTheQuotaRoundedUpAtMostTheProcessors() {
		assertThat(ContainerSizing.autoWorkers(OptionalDouble.of(1.0), 8, 1024)).isEqualTo(1);
		assertThat(ContainerSizing.autoWorkers(OptionalDouble.of(1.5), 8, 1024)).isEqualTo(2);
		assertThat(ContainerSizing.autoWorkers(OptionalDouble.of(0.25), 8, 1024)).isEqualTo(1);
		assertThat(ContainerSizing.autoWorkers(OptionalDouble.of(16), 4, 1024)).isEqualTo(4);
		assertThat(ContainerSizing.autoWorkers(OptionalDouble.empty(), 6, 1024)).isEqualTo(6);
		assertThat(ContainerSizing.autoWorkers(OptionalDouble.empty(), 2000, 1024)).isEqualTo(1024);
	}

	@Test
	void oneWorkerInOneCpuAndOneGibibyte() {
		ContainerSizing sizing = decide(1.0, 1024, 1, true, List.of(), Map.of());
		// (1024 - 128) / 1 = 896 MiB per worker; non-heap max(192, 224) = 224; heap 672
		assertThat(sizing.workerOptions()).containsExactly("-XX:ActiveProcessorCount=1", "-Xmx672m");
		assertThat(sizing.summary()).isEqualTo("Container sizing: CPU quota 1, memory limit 1024 MiB (cgroup v1); "
				+ "1 worker (auto: the CPU quota); each worker -XX:ActiveProcessorCount=1 -Xmx672m (processors: quota "
				+ "/ workers, rounded up; heap: (1024 MiB - 128 MiB for the master) / 1 worker - 224 MiB non-heap)");
		assertThat(sizing.warning()).isNull();
	}

	@Test
	void fourWorkersShareTheQuotaAndTheLimit() {
		ContainerSizing sizing = decide(3.0, 2048, 4, false, List.of(), Map.of());
		// (2048 - 128) / 4 = 480 MiB per worker; non-heap max(192, 120) = 192; heap 288; 3 / 4 rounds up to 1
		assertThat(sizing.workerOptions()).containsExactly("-XX:ActiveProcessorCount=1", "-Xmx288m");
		assertThat(sizing.summary()).contains("4 workers; each worker");
	}

	@Test
	void aFractionalShareRoundsUp() {
		assertThat(decide(3.0, -1, 2, false, List.of(), Map.of()).workerOptions())
			.containsExactly("-XX:ActiveProcessorCount=2");
	}

	@Test
	void aHeapOptionOfTheUserLeavesTheHeapAlone() {
		for (String option : List.of("-Xmx512m", "-Xms256m", "-XX:MaxHeapSize=1g", "-XX:MaxRAM=2g",
				"-XX:MaxRAMPercentage=50", "-XX:MaxRAMFraction=2", "-XX:InitialRAMPercentage=10",
				"-XX:MinRAMPercentage=60")) {
			ContainerSizing sizing = decide(1.0, 1024, 1, false, List.of("-Dx=y", option), Map.of());
			assertThat(sizing.workerOptions()).as(option).containsExactly("-XX:ActiveProcessorCount=1");
			assertThat(sizing.summary()).as(option).contains("heap left to " + option);
		}
	}

	@Test
	void optionsInTheEnvironmentCountAsTheUsers() {
		ContainerSizing sizing = decide(2.0, 1024, 1, false, List.of(),
				Map.of("JAVA_TOOL_OPTIONS", " -XX:ActiveProcessorCount=4 ", "JDK_JAVA_OPTIONS", "-Xss1m -Xmx300m"));
		assertThat(sizing.workerOptions()).isEmpty();
		assertThat(sizing.summary()).contains("each worker with its JVM options unchanged")
			.contains("processors left to -XX:ActiveProcessorCount=4; heap left to -Xmx300m");
	}

	@Test
	void noLimitsAddNothing() {
		ContainerSizing sizing = decide(-1, -1, 2, true, List.of(), Map.of());
		assertThat(sizing.workerOptions()).isEmpty();
		assertThat(sizing.summary()).isEqualTo("Container sizing: no CPU quota, no memory limit (cgroup v1); "
				+ "2 workers (auto: the available processors); each worker with its JVM options unchanged");
	}

	@Test
	void aLimitTooSmallForTheWorkersWarnsAndGivesTheSmallestHeap() {
		ContainerSizing sizing = decide(-1, 512, 4, false, List.of(), Map.of());
		assertThat(sizing.workerOptions()).containsExactly("-Xmx64m");
		assertThat(sizing.warning()).isEqualTo("Memory limit 512 MiB is too small for 4 workers: each gets 96 MiB "
				+ "after 128 MiB for the master, under the 256 MiB a worker needs (64 MiB heap, 192 MiB non-heap); "
				+ "the workers may be killed out of memory. Run fewer workers (supervisor.workers) or raise the limit");
	}

	@Test
	void applyAddsTheOptionsAfterTheUsers() {
		WorkerCommand command = new WorkerCommand("java", List.of("-Dx=y"), List.of("-jar", "app.jar"),
				List.of("--a"), "app");
		WorkerCommand sized = decide(1.0, 1024, 1, false, List.of(), Map.of()).apply(command);
		assertThat(sized.forWorker(1, 1)).containsSequence("java", "-Dx=y", "-XX:ActiveProcessorCount=1", "-Xmx672m")
			.endsWith("-jar", "app.jar", "--a");
	}

	private static ContainerSizing decide(double quota, long memoryMib, int workers, boolean auto,
			List<String> options, Map<String, String> environment) {
		return ContainerSizing.decide((quota > 0) ? OptionalDouble.of(quota) : OptionalDouble.empty(),
				(memoryMib > 0) ? OptionalLong.of(memoryMib * MIB) : OptionalLong.empty(), "cgroup v1", workers, auto,
				options, environment);
	}

}
