package dev.bootsupervisor.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Leaves an orphan behind, as a worker whose child outlives the shell that started it: the process is reparented
 * to the nearest reaper (the master, when it is PID 1), which must reap it once it exits. Present only with
 * {@code sample.chaos=true}.
 */
@RestController
@ConditionalOnBooleanProperty("sample.chaos")
class OrphanChaosController {

	static final int MAX_SECONDS = 600;

	private static final Log logger = LogFactory.getLog(OrphanChaosController.class);

	private final WorkerIdentity identity;

	OrphanChaosController(WorkerIdentity identity) {
		this.identity = identity;
	}

	@PostMapping("/orphan")
	ResponseEntity<Map<String, Object>> orphan(@RequestParam(required = false) String seconds)
			throws IOException, InterruptedException {
		int lifetime = (seconds != null && seconds.matches("[0-9]{1,3}")) ? Integer.parseInt(seconds)
				: (seconds == null) ? 2 : 0;
		if (lifetime < 1 || lifetime > MAX_SECONDS) {
			return ResponseEntity.badRequest()
				.body(Map.of("error", "seconds must be a whole number from 1 to " + MAX_SECONDS));
		}
		// The sleep gets none of the shell's pipes, so the shell's output ends when the shell does
		Process shell = new ProcessBuilder("sh", "-c", "sleep " + lifetime + " </dev/null >/dev/null 2>&1 & echo $!")
			.redirectErrorStream(true)
			.start();
		String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		if (!shell.waitFor(10, TimeUnit.SECONDS) || shell.exitValue() != 0 || !output.matches("[0-9]+")) {
			shell.destroyForcibly();
			return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
				.body(Map.of("error", "the shell did not start the orphan: " + output));
		}
		long orphan = Long.parseLong(output);
		logger.info("Orphan requested: process " + this.identity.pid() + " left pid " + orphan + " (sleep "
				+ lifetime + " s) to its reaper");
		return ResponseEntity.ok(Map.of("orphan", orphan, "seconds", lifetime, "pid", this.identity.pid()));
	}

}
