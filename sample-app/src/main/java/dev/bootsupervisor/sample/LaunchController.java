package dev.bootsupervisor.sample;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.springframework.boot.ApplicationArguments;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers with the command line of the process that served the request: its JVM options and its application
 * arguments, exactly as the JVM received them. The tests compare them with what they launched.
 */
@RestController
class LaunchController {

	private final WorkerIdentity identity;

	private final ApplicationArguments arguments;

	LaunchController(WorkerIdentity identity, ApplicationArguments arguments) {
		this.identity = identity;
		this.arguments = arguments;
	}

	@GetMapping("/launch")
	Launch launch() {
		return new Launch(this.identity.pid(), this.identity.worker(),
				ManagementFactory.getRuntimeMXBean().getInputArguments(), List.of(this.arguments.getSourceArgs()));
	}

	record Launch(long pid, int worker, List<String> jvmOptions, List<String> args) {

	}

}
