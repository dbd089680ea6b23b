package dev.bootsupervisor.worker;

import org.apache.coyote.http11.Http11NioProtocol;
import org.junit.jupiter.api.Test;

import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerTomcatCustomizer}.
 */
class WorkerTomcatCustomizerTests {

	private final AcceptGate gate = new AcceptGate();

	private final TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();

	@Test
	void setsTheGatedProtocol() {
		new WorkerTomcatCustomizer(this.gate).customize(this.factory);
		assertThat(this.factory.getProtocol()).isEqualTo(GatedHttp11NioProtocol.class.getName());
	}

	@Test
	void attachesTheGateToTheProtocolTomcatCreates() {
		new WorkerTomcatCustomizer(this.gate).customize(this.factory);
		GatedNioEndpoint endpoint = new GatedNioEndpoint();
		customizeProtocol(new GatedHttp11NioProtocol(endpoint));
		assertThat(endpoint.getAcceptGate()).isSameAs(this.gate);
	}

	@Test
	void leavesOtherProtocolsAlone() {
		new WorkerTomcatCustomizer(this.gate).customize(this.factory);
		customizeProtocol(new Http11NioProtocol());
		assertThat(this.gate.openConnections()).isZero();
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void customizeProtocol(Http11NioProtocol protocol) {
		for (TomcatProtocolHandlerCustomizer customizer : this.factory.getProtocolHandlerCustomizers()) {
			customizer.customize(protocol);
		}
	}

}
