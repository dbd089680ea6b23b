package dev.bootsupervisor.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Kills the serving process on request, the way an out-of-memory kill or a JVM crash would: no shutdown hooks,
 * no graceful drain. Present only with {@code sample.chaos=true}.
 */
@RestController
@ConditionalOnBooleanProperty("sample.chaos")
class ChaosController {

	private static final Log logger = LogFactory.getLog(ChaosController.class);

	private final WorkerIdentity identity;

	ChaosController(WorkerIdentity identity) {
		this.identity = identity;
	}

	@PostMapping("/crash")
	void crash() {
		logger.warn("Crash requested: halting process " + this.identity.pid() + " with exit code 137");
		Runtime.getRuntime().halt(137);
	}

}
