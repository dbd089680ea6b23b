package dev.bootsupervisor.sample;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Blocks the startup for {@code sample.startup-delay} after the web server has started, like an application
 * that warms a cache before it can serve: the application is not ready, so it must receive no request yet.
 */
@Component
class StartupDelayRunner implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(StartupDelayRunner.class);

	private final Duration delay;

	StartupDelayRunner(SampleProperties properties) {
		this.delay = properties.startupDelay();
	}

	@Override
	public void run(ApplicationArguments args) throws InterruptedException {
		if (this.delay.isZero() || this.delay.isNegative()) {
			return;
		}
		logger.info("Startup delay of " + this.delay.toMillis() + " ms started");
		Thread.sleep(this.delay.toMillis());
		logger.info("Startup delay finished");
	}

}
