package dev.bootsupervisor.actuate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.bootsupervisor.cluster.ClusterControl;
import dev.bootsupervisor.cluster.ControlOutcome;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the write operation of {@link SupervisorEndpoint} and its web extension.
 */
class SupervisorEndpointWriteOperationTests {

	private final RecordingControl control = new RecordingControl();

	private final SupervisorEndpoint endpoint = new SupervisorEndpoint(() -> ClusterViews.of(Map.of()), this.control,
			1);

	private final SupervisorEndpointWebExtension web = new SupervisorEndpointWebExtension(this.endpoint);

	@Test
	void reloadAnswersTheMastersOutcome() {
		WebEndpointResponse<Object> response = this.web.control("reload", null);
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getBody()).isEqualTo(new ControlOutcome("reload", true, "reloaded 2 workers in 5 s"));
		assertThat(this.control.calls).containsExactly("reload");
	}

	@Test
	void scalePassesTheNumberOfWorkers() {
		assertThat(this.web.control("scale", 3).getStatus()).isEqualTo(200);
		assertThat(this.control.calls).containsExactly("scale 3");
	}

	@Test
	void refusedActionAnswersConflict() {
		this.control.succeed = false;
		WebEndpointResponse<Object> response = this.web.control("reload", null);
		assertThat(response.getStatus()).isEqualTo(409);
		assertThat(((ControlOutcome) response.getBody()).message()).isEqualTo("reload already in progress");
	}

	@Test
	void badRequestsAnswer400WithoutAskingTheMaster() {
		assertThat(this.web.control("scale", null).getStatus()).isEqualTo(400);
		assertThat(this.web.control("restart", null).getStatus()).isEqualTo(400);
		assertThat(this.control.calls).isEmpty();
	}

	@Test
	void scaleToANumberTheMasterNeverAcceptsAnswers400WithoutAskingTheMaster() {
		for (int workers : new int[] { 0, -1, 1025 }) {
			WebEndpointResponse<Object> response = this.web.control("scale", workers);
			assertThat(response.getStatus()).as("scale to %d", workers).isEqualTo(400);
			assertThat(((ControlOutcome) response.getBody()).message())
				.isEqualTo("cannot scale to " + workers + " workers: expected 1 to 1024");
		}
		assertThat(this.control.calls).isEmpty();
		assertThat(this.web.control("scale", 1024).getStatus()).isEqualTo(200);
		assertThat(this.control.calls).containsExactly("scale 1024");
	}

	@Test
	void masterThatDoesNotAnswerGives503() {
		this.control.fail = true;
		assertThat(this.web.control("reload", null).getStatus()).isEqualTo(503);
	}

	@Test
	void endpointWithoutControlIsReadOnly() {
		SupervisorEndpoint readOnly = new SupervisorEndpoint(() -> ClusterViews.of(Map.of()), 1);
		assertThat(readOnly.control("reload", null).success()).isFalse();
	}

	static final class RecordingControl implements ClusterControl {

		final List<String> calls = new ArrayList<>();

		boolean succeed = true;

		boolean fail;

		@Override
		public ControlOutcome reload() throws IOException {
			check();
			this.calls.add("reload");
			return new ControlOutcome("reload", this.succeed,
					this.succeed ? "reloaded 2 workers in 5 s" : "reload already in progress");
		}

		@Override
		public ControlOutcome scale(int workers) throws IOException {
			check();
			this.calls.add("scale " + workers);
			return new ControlOutcome("scale", this.succeed, "scaling to " + workers + " workers");
		}

		private void check() throws IOException {
			if (this.fail) {
				throw new IOException("no answer");
			}
		}

	}

}
