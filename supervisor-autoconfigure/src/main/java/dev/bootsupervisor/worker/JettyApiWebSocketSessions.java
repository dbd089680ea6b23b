package dev.bootsupervisor.worker;

import java.util.function.Supplier;

import jakarta.servlet.ServletContext;
import org.eclipse.jetty.ee11.websocket.server.JettyWebSocketServerContainer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Closes the sessions of Jetty's own WebSocket API in this worker with 1001 Going Away: on Jetty, Spring's
 * {@code DefaultHandshakeHandler} upgrades through it, so these are the sessions of Spring {@code WebSocketHandler}s
 * and STOMP.
 */
public final class JettyApiWebSocketSessions implements LongLivedExchanges {

	private final Supplier<ServletContext> servletContext;

	/**
	 * Create a closer.
	 * @param servletContext the web application's servlet context, {@code null} before it exists
	 */
	public JettyApiWebSocketSessions(Supplier<ServletContext> servletContext) {
		this.servletContext = servletContext;
	}

	@Override
	public int endAll() {
		ServletContext context = this.servletContext.get();
		JettyWebSocketServerContainer container = (context != null)
				? JettyWebSocketServerContainer.getContainer(context) : null;
		if (container == null) {
			return 0;
		}
		int closed = 0;
		for (Session session : container.getOpenSessions()) {
			if (session.isOpen()) {
				session.close(WebSocketContainers.GOING_AWAY.getCloseCode().getCode(),
						WebSocketContainers.GOING_AWAY.getReasonPhrase(), Callback.NOOP);
				closed++;
			}
		}
		return closed;
	}

	@Override
	public String description() {
		return "Spring WebSocket session(s)";
	}

}
