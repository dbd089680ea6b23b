package dev.bootsupervisor.cluster;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.bootsupervisor.protocol.ClusterView;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.SpringProxy;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.Schedules;
import org.springframework.scheduling.config.TaskManagementConfigUtils;
import org.springframework.util.ClassUtils;

/**
 * Tells, once, which {@code @Scheduled} methods run in every worker because they are not {@link LeaderOnly}: the
 * leader logs them the first time it is granted leadership of a cluster of more than one worker, so the app's
 * author learns that a nightly job runs once per worker, not once per cluster.
 */
public class ScheduledMethodsReport implements ApplicationListener<LeadershipGrantedEvent> {

	private static final Log logger = LogFactory.getLog(ScheduledMethodsReport.class);

	private final ConfigurableListableBeanFactory beans;

	private final ObjectProvider<ClusterViewSource> views;

	private final AtomicBoolean reported = new AtomicBoolean();

	/**
	 * Create the report.
	 * @param beans where the scheduled methods are found
	 * @param views the cluster view, for the number of configured workers; none outside a supervised worker
	 */
	public ScheduledMethodsReport(ConfigurableListableBeanFactory beans, ObjectProvider<ClusterViewSource> views) {
		this.beans = beans;
		this.views = views;
	}

	@Override
	public void onApplicationEvent(LeadershipGrantedEvent event) {
		if (this.reported.get()) {
			return;
		}
		Set<String> methods = everyWorkerMethods();
		if (methods.isEmpty()) {
			this.reported.set(true);
			return;
		}
		int workers = configuredWorkers();
		if (workers > 1 && this.reported.compareAndSet(false, true)) {
			logger.info(methods.size() + " @Scheduled method" + ((methods.size() == 1) ? " runs" : "s run")
					+ " in each of the " + workers + " workers, not only in the leader: " + String.join(", ", methods)
					+ ". Annotate a method with @" + LeaderOnly.class.getName()
					+ " to run it in the leader only.");
		}
	}

	/**
	 * The {@code @Scheduled} methods that are not {@link LeaderOnly}, as {@code Class.method()}.
	 * @return the methods, sorted; empty when scheduling is not enabled
	 */
	Set<String> everyWorkerMethods() {
		Set<String> methods = new TreeSet<>();
		if (!this.beans.containsBean(TaskManagementConfigUtils.SCHEDULED_ANNOTATION_PROCESSOR_BEAN_NAME)) {
			return methods;
		}
		for (String name : this.beans.getBeanDefinitionNames()) {
			Class<?> type = userClass(name);
			if (type == null || AnnotatedElementUtils.hasAnnotation(type, LeaderOnly.class)) {
				continue;
			}
			Map<Method, Boolean> scheduled = MethodIntrospector.selectMethods(type,
					(MethodIntrospector.MetadataLookup<Boolean>) (method) -> isScheduled(method) ? Boolean.TRUE
							: null);
			for (Method method : scheduled.keySet()) {
				if (!AnnotatedElementUtils.hasAnnotation(method, LeaderOnly.class)) {
					methods.add(ClassUtils.getQualifiedMethodName(method, type) + "()");
				}
			}
		}
		return methods;
	}

	private static boolean isScheduled(Method method) {
		return !AnnotatedElementUtils.getMergedRepeatableAnnotations(method, Scheduled.class, Schedules.class)
			.isEmpty();
	}

	private @Nullable Class<?> userClass(String name) {
		Class<?> type = this.beans.getType(name, false);
		if (type != null && SpringProxy.class.isAssignableFrom(type) && this.beans.containsSingleton(name)) {
			// a proxy (@LeaderOnly, @Transactional): look at the class it proxies
			type = AopProxyUtils.ultimateTargetClass(this.beans.getSingleton(name));
		}
		return (type != null) ? ClassUtils.getUserClass(type) : null;
	}

	private int configuredWorkers() {
		ClusterViewSource source = this.views.getIfAvailable();
		if (source == null) {
			return 1;
		}
		try {
			ClusterView view = source.clusterView();
			return view.configuredWorkers();
		}
		catch (IOException ex) {
			logger.debug("Cannot tell which @Scheduled methods run in every worker: " + ex.getMessage());
			return 0;
		}
	}

}
