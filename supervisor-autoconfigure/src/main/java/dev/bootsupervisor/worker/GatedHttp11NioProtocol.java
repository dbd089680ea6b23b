package dev.bootsupervisor.worker;

import org.apache.coyote.http11.Http11NioProtocol;

/**
 * The HTTP/1.1 NIO protocol of a supervised worker: Tomcat's own, on a {@link GatedNioEndpoint}. Tomcat
 * instantiates it by class name, so the {@link AcceptGate} is set afterwards, by a protocol handler customizer.
 */
public class GatedHttp11NioProtocol extends Http11NioProtocol {

	public GatedHttp11NioProtocol() {
		this(new GatedNioEndpoint());
	}

	GatedHttp11NioProtocol(GatedNioEndpoint endpoint) {
		super(endpoint);
	}

	/**
	 * Set the gate that decides when this protocol's endpoint accepts connections.
	 * @param gate the gate
	 */
	public void setAcceptGate(AcceptGate gate) {
		getGatedEndpoint().setAcceptGate(gate);
	}

	/**
	 * Return how many connections the endpoint holds open, idle keep-alive ones included.
	 * @return the open connection count
	 */
	public int getOpenConnectionCount() {
		return getGatedEndpoint().getOpenConnectionCount();
	}

	private GatedNioEndpoint getGatedEndpoint() {
		return (GatedNioEndpoint) getEndpoint();
	}

}
