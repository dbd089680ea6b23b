package dev.bootsupervisor.cluster;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a bean method (a {@code @Scheduled} one, say): the call runs only while this worker leads, otherwise it is
 * skipped and returns {@code null} (zero or {@code false} for a primitive). A revocation waits for the calls still
 * running before the worker confirms it. On a class, every public method is leader-only (not {@code toString},
 * {@code equals} and {@code hashCode}); a {@link org.springframework.context.SmartLifecycle} class keeps its
 * lifecycle methods, but Spring does not start it: it is started on every grant and stopped on every revocation.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LeaderOnly {

}
