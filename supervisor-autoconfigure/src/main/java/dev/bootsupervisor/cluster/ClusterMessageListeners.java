package dev.bootsupervisor.cluster;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.bootsupervisor.protocol.Messaging;
import dev.bootsupervisor.worker.InboundMessage;
import dev.bootsupervisor.worker.MessageHandler;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.ReflectionUtils;

/**
 * The {@link ClusterMessageListener} methods by topic, one per topic, which handle the messages delivered to this
 * worker; a request for a topic nobody listens to is answered with an error, a plain message for it is dropped.
 */
public class ClusterMessageListeners implements MessageHandler {

	private static final Log logger = LogFactory.getLog(ClusterMessageListeners.class);

	private final Map<String, Listener> listeners = new ConcurrentHashMap<>();

	/**
	 * Register a listener method.
	 * @param topic the topic
	 * @param bean the bean (its proxy, if any)
	 * @param method the method, with one parameter ({@link ClusterMessage}, {@code String} or {@code byte[]})
	 * @throws IllegalStateException when the topic is invalid, already has a listener, or the method's signature
	 * does not fit
	 */
	public void register(String topic, Object bean, Method method) {
		String where = method.getDeclaringClass().getName() + "." + method.getName();
		if (!Messaging.TOPIC.matcher(topic).matches()) {
			throw new IllegalStateException("@ClusterMessageListener on " + where + " names an invalid topic '"
					+ topic + "'");
		}
		Class<?>[] parameters = method.getParameterTypes();
		if (parameters.length != 1 || !(parameters[0] == ClusterMessage.class || parameters[0] == String.class
				|| parameters[0] == byte[].class)) {
			throw new IllegalStateException("@ClusterMessageListener " + where
					+ " must take one ClusterMessage, String or byte[] parameter");
		}
		Class<?> result = method.getReturnType();
		if (!(result == void.class || result == String.class || result == byte[].class)) {
			throw new IllegalStateException("@ClusterMessageListener " + where
					+ " must return void, String or byte[], not " + result.getName());
		}
		ReflectionUtils.makeAccessible(method);
		Listener previous = this.listeners.putIfAbsent(topic, new Listener(bean, method));
		if (previous != null) {
			throw new IllegalStateException("Topic '" + topic + "' has two @ClusterMessageListener methods: "
					+ previous.method() + " and " + method);
		}
	}

	@Override
	public Answer handle(InboundMessage message) throws Exception {
		Listener listener = this.listeners.get(message.topic());
		if (listener == null) {
			if (message.request()) {
				throw new IllegalStateException("worker has no listener for topic '" + message.topic() + "'");
			}
			if (logger.isDebugEnabled()) {
				logger.debug("No @ClusterMessageListener for topic '" + message.topic() + "': message from worker "
						+ message.from() + " dropped");
			}
			return null;
		}
		ClusterMessage received = new ClusterMessage(message.topic(), message.from(), message.fromPid(),
				message.payload(), Messaging.TEXT.equals(message.kind()));
		Class<?> type = listener.method().getParameterTypes()[0];
		Object argument = (type == ClusterMessage.class) ? received
				: (type == String.class) ? received.text() : received.payload();
		Object result;
		try {
			result = listener.method().invoke(listener.bean(), argument);
		}
		catch (InvocationTargetException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
		if (result instanceof String text) {
			return new Answer(Messaging.TEXT, text.getBytes(StandardCharsets.UTF_8));
		}
		if (result instanceof byte[] bytes) {
			return new Answer(Messaging.BYTES, bytes);
		}
		return null;
	}

	private record Listener(Object bean, Method method) {

	}

}
