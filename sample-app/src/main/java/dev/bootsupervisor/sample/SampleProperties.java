package dev.bootsupervisor.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Switches that make the sample application misbehave on purpose, so that tests can watch the supervisor cope.
 *
 * @param chaos whether the chaos endpoints are enabled: {@code POST /crash} halts the serving process abruptly,
 * {@code /deadlock}, {@code /leak}, {@code /gc-storm} and {@code /broken} make it sick for the watchdogs,
 * {@code /orphan} leaves a child process behind for the master to reap
 * @param startupDelay how long an application runner blocks the startup, delaying readiness
 * @param failOnStart whether the application fails to start
 * @param failFromGeneration the first worker generation whose startup fails; 0 for none
 */
@ConfigurationProperties("sample")
public record SampleProperties(boolean chaos, @DefaultValue("0s") Duration startupDelay, boolean failOnStart,
		int failFromGeneration) {

}
