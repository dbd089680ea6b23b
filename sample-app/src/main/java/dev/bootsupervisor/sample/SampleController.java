package dev.bootsupervisor.sample;

import java.time.Duration;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers with the identity of the process that served the request, at once or after a delay; {@code GET /} with
 * the faults of {@code sample.faults.*} when a bad version is asked for.
 */
@RestController
class SampleController {

	private static final Log logger = LogFactory.getLog(SampleController.class);

	private final WorkerIdentity identity;

	private final Environment environment;

	private final InjectedFaults faults;

	SampleController(WorkerIdentity identity, Environment environment, InjectedFaults faults) {
		this.identity = identity;
		this.environment = environment;
		this.faults = faults;
	}

	@GetMapping("/")
	ResponseEntity<Object> identity() throws InterruptedException {
		Duration latency = this.faults.faults().latency();
		if (!latency.isZero()) {
			Thread.sleep(latency.toMillis());
		}
		long failure = this.faults.nextFailure();
		if (failure > 0) {
			return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
				.body(Map.of("error", "injected fault (sample.faults.error-percent="
						+ this.faults.faults().errorPercent() + "), request " + failure, "pid", this.identity.pid()));
		}
		return ResponseEntity.ok(this.identity);
	}

	/** The serving process and the version markers of its deploy ({@code none} when a marker is absent). */
	@GetMapping("/version")
	Map<String, Object> version() {
		return Map.of("pid", this.identity.pid(), "generation", this.identity.generation(), "deploy",
				this.environment.getProperty("info.deploy", "none"), "library",
				this.environment.getProperty("info.library", "none"));
	}

	@GetMapping("/slow")
	WorkerIdentity slow(@RequestParam long ms) throws InterruptedException {
		// Logged so that a test knows the request is in flight before it signals the master.
		logger.info("Slow request: answering in " + ms + " ms");
		Thread.sleep(ms);
		return this.identity;
	}

}
