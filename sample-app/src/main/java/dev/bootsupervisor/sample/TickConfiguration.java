package dev.bootsupervisor.sample;

import java.nio.file.Path;
import java.time.Clock;

import dev.bootsupervisor.cluster.Leadership;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * With {@code --sample.tick-file=PATH}, scheduling is on and the leader ticks into that file.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("sample.tick-file")
@EnableScheduling
class TickConfiguration {

	@Bean
	LeaderTicker leaderTicker(Environment environment, Leadership leadership, WorkerIdentity identity) {
		return new LeaderTicker(Path.of(environment.getRequiredProperty("sample.tick-file")), leadership, identity,
				Clock.systemUTC());
	}

}
