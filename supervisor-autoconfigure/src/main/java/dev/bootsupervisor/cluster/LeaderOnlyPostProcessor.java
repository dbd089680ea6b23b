package dev.bootsupervisor.cluster;

import java.util.function.Supplier;

import dev.bootsupervisor.worker.LeaderState;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.core.Ordered;

/**
 * Proxies the beans with {@link LeaderOnly} methods or classes, as {@code @Async} does. It runs before
 * {@code ScheduledAnnotationBeanPostProcessor} (which is last), so that a {@code @Scheduled @LeaderOnly} method is
 * scheduled on the proxy and goes through the check.
 */
public class LeaderOnlyPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	/** Before the scheduling post-processor, which has the lowest precedence. */
	public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 100;

	/**
	 * Create the post-processor.
	 * @param state the leader flag, looked up at the first leader-only call
	 */
	public LeaderOnlyPostProcessor(Supplier<LeaderState> state) {
		ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(LeaderOnly.class, true))
			.union(new AnnotationMatchingPointcut(null, LeaderOnly.class, true));
		this.advisor = new DefaultPointcutAdvisor(pointcut, new LeaderOnlyInterceptor(state));
		setBeforeExistingAdvisors(true);
		setProxyTargetClass(true);
		setOrder(ORDER);
	}

}
