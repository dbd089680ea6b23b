package dev.bootsupervisor.master;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.protocol.ClusterPhase;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SystemdNotifier}: what it sends, and when, on a fake socket and clock.
 */
class SystemdNotifierTests {

	private final List<String> sent = new ArrayList<>();

	private long micros = 1_000_000_000L;

	private final SystemdNotifier notifier = new SystemdNotifier(this.sent::add, 4242, Duration.ofSeconds(4),
			Duration.ofSeconds(60), Duration.ofSeconds(30), () -> this.micros);

	@Test
	void readyOnlyOnceTheClusterRunsWithMainPidAndStatusInOneDatagram() {
		this.notifier.observe(starting(0, 2));
		this.notifier.observe(starting(1, 2));
		assertThat(this.sent).allSatisfy((message) -> assertThat(message).doesNotContain("READY=1"));
		assertThat(this.sent).anySatisfy((message) -> assertThat(message).contains("STATUS=starting: 1/2 workers ready"));
		this.sent.clear();
		this.notifier.observe(running(2, 2));
		// the watchdog was pinged once a first worker was ready
		assertThat(this.sent).containsExactly("READY=1\nMAINPID=4242\nSTATUS=2/2 workers ready");
	}

	@Test
	void statusIsSentOnlyWhenItChanges() {
		this.notifier.observe(running(2, 2));
		this.sent.clear();
		this.notifier.observe(running(2, 2));
		assertThat(this.sent).isEmpty();
		this.notifier.observe(running(1, 2));
		assertThat(this.sent).containsExactly("STATUS=1/2 workers ready");
	}

	@Test
	void reloadingCarriesTheMonotonicTimeAndEndsWithReady() {
		this.notifier.observe(running(2, 2));
		this.sent.clear();
		this.micros += 100_000;
		this.notifier.observe(reloading(0, 2));
		assertThat(this.sent).containsExactly("RELOADING=1\nMONOTONIC_USEC=1000100000\nSTATUS=reloading 0/2");
		this.sent.clear();
		this.notifier.observe(reloading(1, 2));
		assertThat(this.sent).containsExactly("STATUS=reloading 1/2");
		this.sent.clear();
		this.notifier.observe(running(2, 2));
		assertThat(this.sent).containsExactly("READY=1\nSTATUS=2/2 workers ready");
	}

	@Test
	void stoppingIsSentOnceWhenTheStopStartsAndTheDrainIsExtendedUpToTheMastersDeadline() {
		this.notifier.observe(running(2, 2));
		this.sent.clear();
		this.notifier.observe(stopping(2));
		assertThat(this.sent).containsExactly("STOPPING=1\nSTATUS=stopping: 2 workers draining\n"
				+ "EXTEND_TIMEOUT_USEC=10000000");
		this.sent.clear();
		this.micros += 4_000_000;
		this.notifier.observe(stopping(1));
		// no worker is ready in a drain: no watchdog ping
		assertThat(this.sent).containsExactly("STATUS=stopping: 1 worker draining");
		List<Long> extensions = new ArrayList<>();
		for (int i = 0; i < 320; i++) {
			this.sent.clear();
			this.micros += 100_000;
			this.notifier.observe(stopping(1));
			this.sent.stream().flatMap((m) -> m.lines()).filter((l) -> l.startsWith("EXTEND_TIMEOUT_USEC="))
				.map((l) -> Long.parseLong(l.substring("EXTEND_TIMEOUT_USEC=".length()))).forEach(extensions::add);
		}
		// 30 s shutdown timeout and a 5 s margin: the last extension ends with the master's own deadline
		assertThat(extensions).hasSize(6).last().isEqualTo(5_000_000L);
		assertThat(this.sent).noneSatisfy((message) -> assertThat(message).contains("STOPPING=1"));
	}

	@Test
	void aStopDuringAReloadSaysStoppingNotReady() {
		this.notifier.observe(running(2, 2));
		this.notifier.observe(reloading(0, 2));
		this.sent.clear();
		this.notifier.observe(new SystemdNotifier.State(ClusterPhase.STOPPING, false, 0, 0, 0, 2, 3));
		assertThat(this.sent).singleElement().asString().startsWith("STOPPING=1\n").doesNotContain("READY=1");
	}

	@Test
	void aSlowStartIsExtendedWhileWorkersAreAliveButNotPastTheStartupTimeout() {
		this.notifier.observe(starting(0, 2));
		assertThat(this.sent).singleElement().asString().contains("EXTEND_TIMEOUT_USEC=10000000");
		this.sent.clear();
		this.micros += 4_900_000;
		this.notifier.observe(starting(0, 2));
		assertThat(this.sent).isEmpty();
		this.micros += 100_000;
		this.notifier.observe(starting(0, 2));
		assertThat(this.sent).containsExactly("EXTEND_TIMEOUT_USEC=10000000");
		this.sent.clear();
		this.micros += 5_000_000;
		this.notifier.observe(new SystemdNotifier.State(ClusterPhase.STARTING, false, 0, 0, 0, 2, 0));
		assertThat(this.sent).isEmpty();
		// 60 s startup timeout and a 5 s margin: 3 s are left at 62 s, nothing at 65 s
		this.micros += 52_000_000;
		this.notifier.observe(starting(0, 2));
		assertThat(this.sent).containsExactly("EXTEND_TIMEOUT_USEC=3000000");
		this.sent.clear();
		this.micros += 3_000_000;
		this.notifier.observe(starting(0, 2));
		assertThat(this.sent).isEmpty();
	}

	@Test
	void watchdogIsPingedEveryHalfIntervalOnlyWhileAWorkerIsReady() {
		List<Long> pings = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			this.sent.clear();
			this.notifier.observe(running((i >= 50 && i < 80) ? 0 : 1, 1));
			if (this.sent.stream().anyMatch((m) -> m.contains("WATCHDOG=1"))) {
				pings.add((long) i);
			}
			this.micros += 100_000;
		}
		// every 2 s of a 4 s watchdog, none while no worker was ready (5 s to 8 s), at once when one is again
		assertThat(pings).containsExactly(0L, 20L, 40L, 80L);
	}

	@Test
	void aFailedSendNeverReachesTheLoop() {
		SystemdNotifier failing = new SystemdNotifier((message) -> {
			throw new IOException("Connection refused");
		}, 1, null, Duration.ofSeconds(60), Duration.ofSeconds(30), () -> this.micros);
		failing.observe(running(1, 1));
		failing.observe(stopping(1));
	}

	@Test
	void watchdogIntervalIsForThisProcessOnly() {
		assertThat(SystemdTimers.watchdog(Map.of("WATCHDOG_USEC", "4000000"), 7)).isEqualTo(Duration.ofSeconds(4));
		assertThat(SystemdTimers.watchdog(Map.of("WATCHDOG_USEC", "4000000", "WATCHDOG_PID", "7"), 7))
			.isEqualTo(Duration.ofSeconds(4));
		assertThat(SystemdTimers.watchdog(Map.of("WATCHDOG_USEC", "4000000", "WATCHDOG_PID", "8"), 7)).isNull();
		assertThat(SystemdTimers.watchdog(Map.of("WATCHDOG_USEC", "soon"), 7)).isNull();
		assertThat(SystemdTimers.watchdog(Map.of(), 7)).isNull();
	}

	@Test
	void withoutNotifySocketNothingIsSent() {
		assertThat(SystemdNotifier.fromEnvironment(Map.of(), null, Duration.ZERO)).isSameAs(SystemdNotifier.OFF);
	}

	private static SystemdNotifier.State starting(int ready, int configured) {
		return new SystemdNotifier.State(ClusterPhase.STARTING, false, 0, 0, ready, configured, configured);
	}

	private static SystemdNotifier.State running(int ready, int configured) {
		return new SystemdNotifier.State(ClusterPhase.RUNNING, false, 0, 0, ready, configured, configured);
	}

	private static SystemdNotifier.State reloading(int replaced, int configured) {
		return new SystemdNotifier.State(ClusterPhase.RUNNING, true, replaced, configured, configured, configured,
				configured + 1);
	}

	private static SystemdNotifier.State stopping(int live) {
		return new SystemdNotifier.State(ClusterPhase.STOPPING, false, 0, 0, 0, 2, live);
	}

}
