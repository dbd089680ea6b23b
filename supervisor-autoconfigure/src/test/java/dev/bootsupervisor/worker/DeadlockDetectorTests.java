package dev.bootsupervisor.worker;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link DeadlockDetector}, on a real deadlock of two threads of the test JVM.
 */
class DeadlockDetectorTests {

	private final List<String> reports = new CopyOnWriteArrayList<>();

	private final DeadlockDetector detector = new DeadlockDetector(ManagementFactory.getThreadMXBean(),
			this.reports::add);

	private final List<Thread> deadlocked = new CopyOnWriteArrayList<>();

	@AfterEach
	void endTheDeadlock() throws InterruptedException {
		this.detector.stop();
		// The locks are taken interruptibly, so that the deadlock ends with the test
		for (Thread thread : this.deadlocked) {
			thread.interrupt();
		}
		for (Thread thread : this.deadlocked) {
			thread.join(Duration.ofSeconds(10).toMillis());
		}
	}

	@Test
	void findsNothingWithoutADeadlock() {
		assertThat(this.detector.check()).isNull();
	}

	@Test
	void findsADeadlockOfTwoThreadsAndNamesThemAndTheirLocks() {
		deadlock();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.detector.check() != null);
		assertThat(this.detector.check()).startsWith("2 threads deadlocked:")
			.contains("\"test-deadlock-a\" waits for java.util.concurrent.locks.ReentrantLock")
			.contains("held by \"test-deadlock-b\"")
			.contains("\"test-deadlock-b\" waits for")
			.contains("held by \"test-deadlock-a\"")
			.hasSizeLessThanOrEqualTo(1000)
			.doesNotContain("\n");
	}

	@Test
	void reportsADeadlockOnce() {
		this.detector.start(Duration.ofMillis(20));
		deadlock();
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.reports.isEmpty());
		// Checked again and again, the deadlock would be reported each time: it is not
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> this.reports.size() == 1);
		assertThat(this.reports.get(0)).contains("test-deadlock-a", "test-deadlock-b");
	}

	private void deadlock() {
		ReentrantLock first = new ReentrantLock();
		ReentrantLock second = new ReentrantLock();
		CountDownLatch bothHeld = new CountDownLatch(2);
		this.deadlocked.add(lockInTurn("test-deadlock-a", first, second, bothHeld));
		this.deadlocked.add(lockInTurn("test-deadlock-b", second, first, bothHeld));
	}

	private static Thread lockInTurn(String name, ReentrantLock mine, ReentrantLock theirs, CountDownLatch bothHeld) {
		Thread thread = new Thread(() -> {
			try {
				mine.lockInterruptibly();
				try {
					bothHeld.countDown();
					bothHeld.await();
					theirs.lockInterruptibly();
					theirs.unlock();
				}
				finally {
					mine.unlock();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

}
