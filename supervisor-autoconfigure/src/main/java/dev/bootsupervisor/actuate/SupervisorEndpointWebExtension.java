package dev.bootsupervisor.actuate;

import java.util.Map;

import dev.bootsupervisor.actuate.SupervisorEndpoint.MasterUnavailableException;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} of the {@link SupervisorEndpoint}: answers 503 Service
 * Unavailable, with the reason, when the master does not answer in time, rather than a bare server error.
 */
@EndpointWebExtension(endpoint = SupervisorEndpoint.class)
public class SupervisorEndpointWebExtension {

	private final SupervisorEndpoint delegate;

	public SupervisorEndpointWebExtension(SupervisorEndpoint delegate) {
		this.delegate = delegate;
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
