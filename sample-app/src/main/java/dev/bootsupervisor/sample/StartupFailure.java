package dev.bootsupervisor.sample;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Fails the application's startup, before the web server starts, when {@code sample.fail-on-start} is set or
 * when this worker's generation has reached {@code sample.fail-from-generation}.
 */
@Component
class StartupFailure implements InitializingBean {

	private final SampleProperties properties;

	private final WorkerIdentity identity;

	StartupFailure(SampleProperties properties, WorkerIdentity identity) {
		this.properties = properties;
		this.identity = identity;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.properties.failOnStart()) {
			throw new IllegalStateException("Startup failure requested by sample.fail-on-start=true");
		}
		int failFrom = this.properties.failFromGeneration();
		if (failFrom > 0 && this.identity.generation() >= failFrom) {
			throw new IllegalStateException("Startup failure requested by sample.fail-from-generation=" + failFrom
					+ " (this worker is generation " + this.identity.generation() + ")");
		}
	}

}
