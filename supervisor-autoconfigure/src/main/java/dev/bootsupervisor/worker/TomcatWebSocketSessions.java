package dev.bootsupervisor.worker;

import java.util.function.Supplier;

import jakarta.servlet.ServletContext;
import org.apache.tomcat.websocket.WsWebSocketContainer;

/**
 * Closes the WebSocket sessions of this worker's Tomcat with 1001 Going Away: every session of its Jakarta
 * WebSocket container, whether a {@code @ServerEndpoint}, a Spring {@code WebSocketHandler} or STOMP (Spring
 * upgrades through the same container). This is the container's own {@code destroy()}, which Tomcat calls when
 * the web application stops, called earlier: at the end of the drain's grace rather than after the web server's
 * graceful shutdown.
 */
public final class TomcatWebSocketSessions implements LongLivedExchanges {

	private final Supplier<ServletContext> servletContext;

	/**
	 * Create a closer.
	 * @param servletContext the web application's servlet context, {@code null} before it exists
	 */
	public TomcatWebSocketSessions(Supplier<ServletContext> servletContext) {
		this.servletContext = servletContext;
	}

	@Override
	public int endAll() {
		ServletContext context = this.servletContext.get();
		Object container = (context != null) ? context.getAttribute(WebSocketContainers.SERVER_CONTAINER) : null;
		if (!(container instanceof WsWebSocketContainer tomcat)) {
			return 0;
		}
		// Tomcat keeps its sessions to itself: it closes them all, without a count
		tomcat.destroy();
		return -1;
	}

	@Override
	public String description() {
		return "WebSocket session(s)";
	}

}
