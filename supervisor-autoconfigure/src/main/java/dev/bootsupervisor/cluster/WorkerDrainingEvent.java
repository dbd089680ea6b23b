package dev.bootsupervisor.cluster;

import java.time.Duration;

import org.springframework.context.ApplicationEvent;

/**
 * Published, synchronously, when this worker starts to drain (stop, reload, scale-down, recycle, watchdog
 * replacement), once it no longer accepts connections: the moment for the app to say goodbye to its long-lived
 * exchanges its own way (a last server-sent event with a reconnect hint, its own WebSocket close). What the app
 * leaves open is told to go when the {@linkplain #grace() grace} ends: WebSocket sessions get a close frame 1001
 * Going Away and streamed async responses (server-sent events) are completed.
 */
public class WorkerDrainingEvent extends ApplicationEvent {

	private final String reason;

	private final Duration grace;

	/**
	 * Create an event.
	 * @param source the component that drains the worker
	 * @param reason why the worker drains, as far as it knows
	 * @param grace how long the app has, from this event, before what it left open is closed
	 */
	public WorkerDrainingEvent(Object source, String reason, Duration grace) {
		super(source);
		this.reason = reason;
		this.grace = grace;
	}

	/**
	 * Why the worker drains, as far as it knows: its application is shutting down (the master's stop, reload,
	 * scale-down or recycle), or the master's watchdog closed its accept gate.
	 * @return the reason
	 */
	public String reason() {
		return this.reason;
	}

	/**
	 * How long the app has, from this event, to end its long-lived exchanges before the worker closes them.
	 * @return the grace
	 */
	public Duration grace() {
		return this.grace;
	}

}
