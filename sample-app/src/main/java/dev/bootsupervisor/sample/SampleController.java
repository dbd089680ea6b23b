package dev.bootsupervisor.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers with the identity of the process that served the request, at once or after a delay.
 */
@RestController
class SampleController {

	private static final Log logger = LogFactory.getLog(SampleController.class);

	private final WorkerIdentity identity;

	SampleController(WorkerIdentity identity) {
		this.identity = identity;
	}

	@GetMapping("/")
	WorkerIdentity identity() {
		return this.identity;
	}

	@GetMapping("/slow")
	WorkerIdentity slow(@RequestParam long ms) throws InterruptedException {
		// Logged so that a test knows the request is in flight before it signals the master.
		logger.info("Slow request: answering in " + ms + " ms");
		Thread.sleep(ms);
		return this.identity;
	}

}
