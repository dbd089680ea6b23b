package dev.bootsupervisor.sample;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

/**
 * Decides which {@code GET /} requests fail, from {@code sample.faults.error-percent}: deterministic and spread
 * evenly, request n fails when {@code n * percent / 100} steps up, so any 100 consecutive requests hold exactly
 * {@code percent} failures and a short window already shows the share.
 */
@Component
class InjectedFaults {

	private final SampleProperties.Faults faults;

	private final AtomicLong requests = new AtomicLong();

	InjectedFaults(SampleProperties properties) {
		this.faults = properties.faults();
	}

	SampleProperties.Faults faults() {
		return this.faults;
	}

	/** Counts one request; returns its sequence number (from 1) when it must fail, or 0 when it must not. */
	long nextFailure() {
		long percent = this.faults.errorPercent();
		if (percent == 0) {
			return 0;
		}
		long n = this.requests.getAndIncrement();
		return ((n + 1) * percent / 100 > n * percent / 100) ? n + 1 : 0;
	}

}
