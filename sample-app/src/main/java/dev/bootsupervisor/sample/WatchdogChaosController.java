package dev.bootsupervisor.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Makes the serving worker sick in the ways the supervisor's watchdogs look for: deadlocked, leaking, collecting
 * without pause, or broken by its own account. Present only with {@code sample.chaos=true}.
 */
@RestController
@ConditionalOnBooleanProperty("sample.chaos")
class WatchdogChaosController {

	static final int MAX_LEAK_MB = 1024;

	static final int MAX_GC_STORM_SECONDS = 600;

	private static final int MB = 1024 * 1024;

	private static final Log logger = LogFactory.getLog(WatchdogChaosController.class);

	/** Retained for good: nothing ever clears it. */
	private static final List<byte[]> leaked = new ArrayList<>();

	private final WorkerIdentity identity;

	private final ApplicationEventPublisher eventPublisher;

	WatchdogChaosController(WorkerIdentity identity, ApplicationEventPublisher eventPublisher) {
		this.identity = identity;
		this.eventPublisher = eventPublisher;
	}

	@PostMapping("/deadlock")
	void deadlock() throws InterruptedException {
		Object first = new Object();
		Object second = new Object();
		CountDownLatch secondHeld = new CountDownLatch(1);
		Thread other = new Thread(() -> {
			synchronized (second) {
				secondHeld.countDown();
				synchronized (first) {
					logger.error("Unreachable: the deadlock did not happen");
				}
			}
		}, "sample-deadlock");
		other.setDaemon(true);
		synchronized (first) {
			other.start();
			secondHeld.await();
			logger.warn("Deadlock requested: this request's thread and 'sample-deadlock' in process "
					+ this.identity.pid() + " now wait for each other's lock for good; this request never answers");
			synchronized (second) {
				logger.error("Unreachable: the deadlock did not happen");
			}
		}
	}

	@PostMapping("/leak")
	ResponseEntity<Map<String, Object>> leak(@RequestParam(required = false) String mb) {
		Integer count = parse(mb, 1, MAX_LEAK_MB);
		if (count == null) {
			return badRequest("mb must be a whole number from 1 to " + MAX_LEAK_MB);
		}
		int total;
		synchronized (leaked) {
			for (int i = 0; i < count; i++) {
				byte[] block = new byte[MB];
				// Touch every page, so the memory is really used and not only reserved
				for (int page = 0; page < MB; page += 4096) {
					block[page] = 1;
				}
				leaked.add(block);
			}
			total = leaked.size();
		}
		logger.info("Leak requested: process " + this.identity.pid() + " now retains " + total + " MB for good");
		return ResponseEntity.ok(Map.of("retainedMb", total, "pid", this.identity.pid()));
	}

	@PostMapping("/gc-storm")
	ResponseEntity<Map<String, Object>> gcStorm(@RequestParam(required = false) String seconds) {
		Integer duration = parse(seconds, 1, MAX_GC_STORM_SECONDS);
		if (duration == null) {
			return badRequest("seconds must be a whole number from 1 to " + MAX_GC_STORM_SECONDS);
		}
		logger.info("GC storm requested: process " + this.identity.pid() + " runs full collections for " + duration
				+ " s");
		long deadline = System.nanoTime() + duration * 1_000_000_000L;
		long collections = 0;
		while (System.nanoTime() - deadline < 0) {
			System.gc();
			collections++;
		}
		return ResponseEntity.ok(Map.of("collections", collections, "pid", this.identity.pid()));
	}

	@PostMapping("/broken")
	ResponseEntity<Map<String, Object>> broken() {
		logger.warn("Broken requested: process " + this.identity.pid() + " publishes LivenessState.BROKEN");
		AvailabilityChangeEvent.publish(this.eventPublisher, this, LivenessState.BROKEN);
		return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("pid", this.identity.pid()));
	}

	private static Integer parse(String value, int min, int max) {
		if (value == null || !value.matches("[0-9]{1,9}")) {
			return null;
		}
		int number = Integer.parseInt(value);
		return (number >= min && number <= max) ? number : null;
	}

	private static ResponseEntity<Map<String, Object>> badRequest(String message) {
		return ResponseEntity.badRequest().body(Map.of("error", message));
	}

}
