package dev.bootsupervisor.worker;

import java.util.List;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Makes the Jetty server of a supervised worker serve the inherited listening socket through the
 * {@link AcceptGate}: the connector Spring Boot creates for {@code server.port} is replaced, before the server
 * starts, by a {@link GatedServerConnector} with its settings and connection factories (HTTP/1.1, h2c, TLS). Runs
 * after Boot's own customizers, so that what they set on the connector is carried over.
 */
public class WorkerJettyCustomizer implements WebServerFactoryCustomizer<JettyServletWebServerFactory>, Ordered {

	private final AcceptGate gate;

	public WorkerJettyCustomizer(AcceptGate gate) {
		this.gate = gate;
	}

	@Override
	public void customize(JettyServletWebServerFactory factory) {
		if (factory.getPort() < 0) {
			// server.port=-1: Boot's "no HTTP port"; the master bound none, so there is nothing to serve
			return;
		}
		factory.addServerCustomizers(this::serveInheritedSocket);
	}

	/**
	 * Replace the server's first {@link ServerConnector} with a {@link GatedServerConnector}.
	 * @param server the server, not started yet
	 */
	void serveInheritedSocket(Server server) {
		Connector[] connectors = server.getConnectors();
		for (int i = 0; i < connectors.length; i++) {
			if (connectors[i] instanceof GatedServerConnector) {
				return;
			}
			if (connectors[i] instanceof ServerConnector replaced) {
				connectors[i] = GatedServerConnector.replacing(replaced, this.gate);
				server.setConnectors(connectors);
				limitTheReplacement(server);
				return;
			}
		}
		throw new IllegalStateException("The Jetty server of this supervised worker has no ServerConnector to serve "
				+ "the listening socket inherited from the master (connectors: " + List.of(connectors) + ")");
	}

	/**
	 * Boot's {@code server.jetty.max-connections} limit names the connectors it was created with: make a new one for
	 * the replacement.
	 */
	private void limitTheReplacement(Server server) {
		for (NetworkConnectionLimit limit : server.getBeans(NetworkConnectionLimit.class)) {
			NetworkConnectionLimit replacement = new NetworkConnectionLimit(limit.getMaxNetworkConnectionCount(),
					server.getConnectors());
			replacement.setEndPointIdleTimeout(limit.getEndPointIdleTimeout());
			server.removeBean(limit);
			server.addBean(replacement);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
