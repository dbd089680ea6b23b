package dev.bootsupervisor.boot;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorPropertyNames}.
 */
class SupervisorPropertyNamesTests {

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void aMisspelledPropertyIsNamedWithTheClosestKnownOne() {
		this.environment.setProperty("supervisor.wrokers", "3");
		this.environment.setProperty("supervisor.restart.backof-max", "3s");
		assertThat(SupervisorPropertyNames.unknown(this.environment)).containsExactlyInAnyOrder(
				"Unknown property supervisor.wrokers: did you mean supervisor.workers?",
				"Unknown property supervisor.restart.backof-max: did you mean supervisor.restart.backoff-max?");
	}

	@Test
	void aNameFarFromEveryKnownOneIsNamedAlone() {
		this.environment.setProperty("supervisor.frobnicate.everything", "yes");
		assertThat(SupervisorPropertyNames.unknown(this.environment))
			.containsExactly("Unknown property supervisor.frobnicate.everything: no such supervisor setting, ignored");
	}

	@Test
	void everySpellingSpringBindsIsKnown() {
		this.environment.setProperty("supervisor.workers", "3");
		this.environment.setProperty("supervisor.restart.backoffInitial", "1s");
		this.environment.setProperty("supervisor.restart.backoff_max", "1s");
		this.environment.setProperty("supervisor.RUN-DIR", "/tmp/x");
		this.environment.setProperty("supervisor.health.min-ready-workers", "1");
		this.environment.setProperty("supervisor.metrics.workerTag", "w");
		this.environment.setProperty("supervisor.cds.enabled", "true");
		this.environment.setProperty("supervisor.worker.id", "1");
		this.environment.setProperty("supervisor.master.in-process", "true");
		this.environment.setProperty("supervisor.daemonized.stdout", "/tmp/out");
		this.environment.setProperty("supervisor.role", "master");
		this.environment.setProperty("other.property", "x");
		assertThat(SupervisorPropertyNames.unknown(this.environment)).isEmpty();
	}

	@Test
	void environmentVariablesAreLeftToOtherTools() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new SystemEnvironmentPropertySource("env",
					Map.of("SUPERVISOR_WORKERS", "3", "SUPERVISOR_RESTART_BACKOFFINITIAL", "1s",
							"SUPERVISOR_PROCESS_NAME", "app")));
		assertThat(SupervisorPropertyNames.unknown(environment)).isEmpty();
	}

	@Test
	void distanceCountsLettersAddedRemovedOrReplaced() {
		assertThat(SupervisorPropertyNames.distance("workers", "wrokers")).isEqualTo(2);
		assertThat(SupervisorPropertyNames.distance("worker", "workers")).isOne();
		assertThat(SupervisorPropertyNames.distance("", "abc")).isEqualTo(3);
	}

}
