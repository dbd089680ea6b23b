package dev.bootsupervisor.cluster;

import dev.bootsupervisor.worker.LocalMaster;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Without a master, the application is a cluster of one: it leads, epoch 1, from when it is ready.
 */
public class LocalLeadershipGrant implements ApplicationListener<ApplicationReadyEvent> {

	private final LocalMaster master;

	/**
	 * Create the listener.
	 * @param master the stand-in master, or {@code null} in a supervised worker, which its master grants
	 */
	public LocalLeadershipGrant(LocalMaster master) {
		this.master = master;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (this.master != null) {
			this.master.grant();
		}
	}

}
