package dev.bootsupervisor.worker;

import java.util.function.Supplier;

import jakarta.servlet.ServletContext;
import jakarta.websocket.Session;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketContainer;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.util.Callback;

/**
 * Closes the Jakarta WebSocket sessions of this worker's Jetty with 1001 Going Away: every open session of its
 * Jakarta container, the {@code @ServerEndpoint}s. Spring's {@code WebSocketHandler}s (and STOMP) upgrade through
 * Jetty's own API on Jetty: {@link JettyApiWebSocketSessions} closes those.
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
			if (session instanceof JakartaWebSocketSession jakarta) {
				// the core session, not Session.close(CloseReason): Jetty reports a close of its own with a code
				// other than 1000 to the endpoint's @OnError as an "Abnormal Close"
				jakarta.getCoreSession()
					.close(WebSocketContainers.GOING_AWAY.getCloseCode().getCode(),
							WebSocketContainers.GOING_AWAY.getReasonPhrase(), Callback.NOOP);
				closed++;
			}
		}
		return closed;
	}

	@Override
	public String description() {
		return "Jakarta WebSocket session(s)";
	}

}
