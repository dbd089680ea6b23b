package dev.bootsupervisor.worker;

import java.io.IOException;
import java.util.function.Supplier;

import jakarta.servlet.ServletContext;
import jakarta.websocket.Session;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketContainer;

/**
 * Closes the WebSocket sessions of this worker's Jetty with 1001 Going Away: every open session of its Jakarta
 * WebSocket container, whether a {@code @ServerEndpoint}, a Spring {@code WebSocketHandler} or STOMP (Spring's
 * default handshake upgrades through the same container).
 */
public final class JettyWebSocketSessions implements LongLivedExchanges {

	private final Supplier<ServletContext> servletContext;

	/**
	 * Create a closer.
	 * @param servletContext the web application's servlet context, {@code null} before it exists
	 */
	public JettyWebSocketSessions(Supplier<ServletContext> servletContext) {
		this.servletContext = servletContext;
	}

	@Override
	public int endAll() {
		ServletContext context = this.servletContext.get();
		Object container = (context != null) ? context.getAttribute(WebSocketContainers.SERVER_CONTAINER) : null;
		if (!(container instanceof JakartaWebSocketContainer jetty)) {
			return 0;
		}
		int closed = 0;
		for (Session session : jetty.getOpenSessions()) {
			try {
				session.close(WebSocketContainers.GOING_AWAY);
				closed++;
			}
			catch (IOException | IllegalStateException ex) {
				// closed meanwhile, or its connection failed: nothing left to tell
			}
		}
		return closed;
	}

	@Override
	public String description() {
		return "WebSocket session(s)";
	}

}
