package dev.bootsupervisor.cluster;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method that receives the cluster messages of a topic. It takes one parameter, a
 * {@link ClusterMessage}, a {@code String} (the text) or a {@code byte[]}; it returns {@code void}, or a
 * {@code String} or {@code byte[]} that answers a request. Messages are handled one at a time, in order of arrival,
 * on the worker's {@code supervisor-messages} thread; a listener that throws answers a request with its error.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ClusterMessageListener {

	/**
	 * The topic.
	 * @return the topic, see {@link dev.bootsupervisor.protocol.Messaging#TOPIC}
	 */
	String value();

}
