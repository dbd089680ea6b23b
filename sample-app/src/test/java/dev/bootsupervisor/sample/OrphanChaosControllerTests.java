package dev.bootsupervisor.sample;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /orphan}, called directly: bad lifetimes are refused with a message, a good one leaves a live process
 * whose parent is no longer the shell that started it.
 */
class OrphanChaosControllerTests {

	private final OrphanChaosController controller = new OrphanChaosController(new WorkerIdentity(42, 1, 1));

	@Test
	void badLifetimesAreRefusedWithAMessage() throws Exception {
		for (String seconds : new String[] { "", "0", "-1", "601", "1.5", "abc", "99999" }) {
			ResponseEntity<?> response = this.controller.orphan(seconds);
			assertThat(response.getStatusCode()).as("seconds=%s", seconds).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(response.getBody().toString()).contains("seconds must be a whole number from 1 to 600");
		}
	}

	@Test
	void theOrphanOutlivesItsShell() throws Exception {
		long orphan = (long) this.controller.orphan("1").getBody().get("orphan");
		ProcessHandle handle = ProcessHandle.of(orphan).orElseThrow();
		assertThat(handle.info().command()).hasValueSatisfying((command) -> assertThat(command).endsWith("sleep"));
		// the shell has exited: the sleep's parent is now whichever process reaps orphans
		assertThat(handle.parent().flatMap((parent) -> parent.info().command()).orElse("init"))
			.doesNotMatch(".*/(ba|da)?sh");
		handle.destroyForcibly();
	}

}
