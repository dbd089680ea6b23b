package dev.bootsupervisor.sample;

import java.io.IOException;

import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.standard.ServerEndpointExporter;

/**
 * Two WebSocket endpoints that answer with the serving pid: {@code /ws/echo}, a Spring {@code WebSocketHandler},
 * and {@code /ws/plain}, a Jakarta {@code @ServerEndpoint}. Each says {@code pid:<pid>} when a session opens and
 * echoes every text message after {@code <pid>:}.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class WebSocketEndpoints implements WebSocketConfigurer {

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(new EchoHandler(), "/ws/echo");
	}

	@Bean
	static ServerEndpointExporter serverEndpointExporter() {
		ServerEndpointExporter exporter = new ServerEndpointExporter();
		exporter.setAnnotatedEndpointClasses(PlainEndpoint.class);
		return exporter;
	}

	private static final long PID = ProcessHandle.current().pid();

	static final class EchoHandler extends TextWebSocketHandler {

		@Override
		public void afterConnectionEstablished(WebSocketSession session) throws IOException {
			session.sendMessage(new TextMessage("pid:" + PID));
		}

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
			session.sendMessage(new TextMessage(PID + ":" + message.getPayload()));
		}

	}

	@ServerEndpoint("/ws/plain")
	public static class PlainEndpoint {

		@OnOpen
		public void open(Session session) throws IOException {
			session.getBasicRemote().sendText("pid:" + PID);
		}

		@OnMessage
		public String echo(String message) {
			return PID + ":" + message;
		}

	}

}
