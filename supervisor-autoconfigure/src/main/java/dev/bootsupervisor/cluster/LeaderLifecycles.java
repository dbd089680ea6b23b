package dev.bootsupervisor.cluster;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import dev.bootsupervisor.worker.LeadershipListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * What a grant and a revocation do in the application: start the {@link LeaderOnly} lifecycles (by phase) and
 * publish {@link LeadershipGrantedEvent}; stop them (in reverse) and publish {@link LeadershipRevokedEvent}.
 */
public class LeaderLifecycles implements LeadershipListener {

	private static final Log logger = LogFactory.getLog(LeaderLifecycles.class);

	private final Leadership leadership;

	private final ListableBeanFactory beans;

	private final ApplicationEventPublisher events;

	private volatile List<SmartLifecycle> lifecycles;

	/**
	 * Create the listener.
	 * @param leadership the leadership, source of the events
	 * @param beans where the leader-only lifecycles are found, at the first grant
	 * @param events where the events are published
	 */
	public LeaderLifecycles(Leadership leadership, ListableBeanFactory beans, ApplicationEventPublisher events) {
		this.leadership = leadership;
		this.beans = beans;
		this.events = events;
	}

	@Override
	public void granted(long epoch) {
		for (SmartLifecycle lifecycle : lifecycles()) {
			if (!lifecycle.isRunning()) {
				lifecycle.start();
			}
		}
		Instant grantedAt = this.leadership.grantedAt().orElseGet(Instant::now);
		this.events.publishEvent(new LeadershipGrantedEvent(this.leadership, epoch, grantedAt));
	}

	@Override
	public void revoked(long epoch) {
		List<SmartLifecycle> started = lifecycles();
		for (int i = started.size() - 1; i >= 0; i--) {
			SmartLifecycle lifecycle = started.get(i);
			try {
				if (lifecycle.isRunning()) {
					lifecycle.stop();
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Stopping leader-only " + lifecycle + " failed", ex);
			}
		}
		this.events.publishEvent(new LeadershipRevokedEvent(this.leadership, epoch));
	}

	private List<SmartLifecycle> lifecycles() {
		List<SmartLifecycle> found = this.lifecycles;
		if (found == null) {
			found = this.beans.getBeansOfType(SmartLifecycle.class, false, false)
				.values()
				.stream()
				.filter((bean) -> AnnotatedElementUtils.hasAnnotation(AopUtils.getTargetClass(bean), LeaderOnly.class))
				.sorted(Comparator.comparingInt(SmartLifecycle::getPhase))
				.toList();
			this.lifecycles = found;
		}
		return found;
	}

}
