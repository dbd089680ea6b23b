package dev.bootsupervisor.worker;

import java.util.function.Consumer;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationListener;

/**
 * Tells the master that this worker is broken when the application publishes {@link LivenessState#BROKEN},
 * Spring Boot's own signal that the application cannot recover by itself.
 */
public class LivenessBrokenListener implements ApplicationListener<AvailabilityChangeEvent<LivenessState>> {

	private final Consumer<String> broken;

	/**
	 * Create a listener.
	 * @param broken told of the broken state, with what published it
	 */
	public LivenessBrokenListener(Consumer<String> broken) {
		this.broken = broken;
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<LivenessState> event) {
		if (event.getState() == LivenessState.BROKEN) {
			Object source = event.getSource();
			this.broken.accept("LivenessState.BROKEN published by "
					+ ((source != null) ? source.getClass().getName() : "the application"));
		}
	}

}
