package dev.bootsupervisor.worker;

import org.apache.coyote.ProtocolHandler;

import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Makes the Tomcat connector of a supervised worker serve the inherited listening socket through the
 * {@link AcceptGate}. Runs after Boot's own customizers so that its protocol wins.
 */
public class WorkerTomcatCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

	private final AcceptGate gate;

	public WorkerTomcatCustomizer(AcceptGate gate) {
		this.gate = gate;
	}

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		if (factory.getPort() < 0) {
			// server.port=-1: Boot's "no HTTP port"; the master bound none, so there is nothing to serve
			return;
		}
		factory.setProtocol(GatedHttp11NioProtocol.class.getName());
		TomcatProtocolHandlerCustomizer<ProtocolHandler> attachGate = this::attachGate;
		factory.addProtocolHandlerCustomizers(attachGate);
	}

	private void attachGate(ProtocolHandler protocolHandler) {
		if (protocolHandler instanceof GatedHttp11NioProtocol gated) {
			gated.setAcceptGate(this.gate);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
