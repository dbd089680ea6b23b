package dev.bootsupervisor.cluster;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.function.Supplier;

import dev.bootsupervisor.worker.LeaderState;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.context.Lifecycle;
import org.springframework.context.Phased;
import org.springframework.context.SmartLifecycle;

/**
 * Runs a {@link LeaderOnly} call only while this worker leads, counted as running so that a revocation waits for
 * it. The lifecycle methods of a leader-only {@link SmartLifecycle} pass through, except that it never starts
 * itself: the grant starts it.
 */
public class LeaderOnlyInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(LeaderOnlyInterceptor.class);

	private final Supplier<LeaderState> state;

	/**
	 * Create the interceptor.
	 * @param state the leader flag, looked up at the first call (the interceptor is created before the beans)
	 */
	public LeaderOnlyInterceptor(Supplier<LeaderState> state) {
		this.state = state;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		if (method.getDeclaringClass() == Object.class || AopUtils.isToStringMethod(method)
				|| AopUtils.isEqualsMethod(method) || AopUtils.isHashCodeMethod(method)) {
			// toString and the like of a leader-only class answer on every worker
			return invocation.proceed();
		}
		if (isLifecycleMethod(method)) {
			return method.getName().equals("isAutoStartup") ? Boolean.FALSE : invocation.proceed();
		}
		LeaderState leader = this.state.get();
		if (!leader.enter()) {
			if (logger.isDebugEnabled()) {
				logger.debug("Skipped leader-only " + method.getDeclaringClass().getSimpleName() + "."
						+ method.getName() + ": this worker does not lead");
			}
			return skipped(method.getReturnType());
		}
		try {
			return invocation.proceed();
		}
		finally {
			leader.exit();
		}
	}

	private static boolean isLifecycleMethod(Method method) {
		Class<?> declaring = method.getDeclaringClass();
		if (!Lifecycle.class.isAssignableFrom(declaring) && !Phased.class.isAssignableFrom(declaring)) {
			return false;
		}
		for (Class<?> type : new Class<?>[] { Lifecycle.class, Phased.class, SmartLifecycle.class }) {
			for (Method declared : type.getMethods()) {
				if (declared.getName().equals(method.getName())
						&& Arrays.equals(declared.getParameterTypes(), method.getParameterTypes())) {
					return true;
				}
			}
		}
		return false;
	}

	private static Object skipped(Class<?> type) {
		return (type.isPrimitive() && type != void.class) ? Array.get(Array.newInstance(type, 1), 0) : null;
	}

}
