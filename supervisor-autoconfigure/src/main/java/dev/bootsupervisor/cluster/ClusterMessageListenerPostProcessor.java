package dev.bootsupervisor.cluster;

import java.lang.reflect.Method;
import java.util.Map;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds the {@link ClusterMessageListener} methods of every bean and registers them, invoked on the bean as the
 * context holds it (its proxy, if any).
 */
public class ClusterMessageListenerPostProcessor implements BeanPostProcessor {

	private final ClusterMessageListeners listeners;

	/**
	 * Create the post-processor.
	 * @param listeners where the methods are registered
	 */
	public ClusterMessageListenerPostProcessor(ClusterMessageListeners listeners) {
		this.listeners = listeners;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> type = AopUtils.getTargetClass(bean);
		Map<Method, ClusterMessageListener> methods = MethodIntrospector.selectMethods(type,
				(MethodIntrospector.MetadataLookup<ClusterMessageListener>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, ClusterMessageListener.class));
		methods.forEach((method, annotation) -> this.listeners.register(annotation.value(), bean,
				AopUtils.selectInvocableMethod(method, bean.getClass())));
		return bean;
	}

}
