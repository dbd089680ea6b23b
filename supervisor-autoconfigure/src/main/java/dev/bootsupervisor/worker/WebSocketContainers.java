package dev.bootsupervisor.worker;

import jakarta.websocket.CloseReason;

/**
 * What the WebSocket closers share: where the servlet context keeps the Jakarta container, and the close reason.
 */
final class WebSocketContainers {

	/** The servlet context attribute that holds the Jakarta WebSocket {@code ServerContainer}. */
	static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";

	static final CloseReason GOING_AWAY = new CloseReason(CloseReason.CloseCodes.GOING_AWAY,
			"This server is going away; reconnect");

	private WebSocketContainers() {
	}

}
