package dev.bootsupervisor.actuate;

import java.util.Map;

import dev.bootsupervisor.actuate.SupervisorEndpoint.MasterUnavailableException;
import dev.bootsupervisor.cluster.ControlOutcome;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} of the {@link SupervisorEndpoint}: answers 503 Service
 * Unavailable, with the reason, when the master does not answer in time, rather than a bare server error.
 */
@EndpointWebExtension(endpoint = SupervisorEndpoint.class)
public class SupervisorEndpointWebExtension {

	private static final int STATUS_CONFLICT = 409;

	private final SupervisorEndpoint delegate;

	public SupervisorEndpointWebExtension(SupervisorEndpoint delegate) {
		this.delegate = delegate;
	}

	/**
	 * Reload or scale the cluster: 200 with the outcome when it succeeded, 400 for a bad request (an unknown
	 * action, a scale without {@code workers} or to a number the master never accepts), 409 when the master refused
	 * or the reload was rolled back, 503 when the master does not answer.
	 * @param action {@code reload} or {@code scale}
	 * @param workers the number of workers, for {@code scale}
	 * @return the outcome
	 */
	@WriteOperation
	public WebEndpointResponse<Object> control(String action, @Nullable Integer workers) {
		try {
			ControlOutcome outcome = this.delegate.control(action, workers);
			boolean wellFormed = action.equals("reload")
					|| (action.equals("scale") && SupervisorEndpoint.scaleRefusal(workers) == null);
			int status = outcome.success() ? WebEndpointResponse.STATUS_OK
					: wellFormed ? STATUS_CONFLICT : WebEndpointResponse.STATUS_BAD_REQUEST;
			return new WebEndpointResponse<>(outcome, status);
		}
		catch (MasterUnavailableException ex) {
			Map<String, String> body = Map.of("error", "Service Unavailable", "message", String.valueOf(ex.getMessage()));
			return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
		}
	}

	@ReadOperation
	public WebEndpointResponse<Object> cluster() {
		try {
			return new WebEndpointResponse<>(this.delegate.cluster());
		}
		catch (MasterUnavailableException ex) {
			Map<String, String> body = Map.of("error", "Service Unavailable", "message", String.valueOf(ex.getMessage()));
			return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
		}
	}

}
