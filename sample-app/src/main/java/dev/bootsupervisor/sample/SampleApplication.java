package dev.bootsupervisor.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A small web application run by Boot Supervisor: its endpoints say which worker served a request, and its
 * {@code sample.*} properties make it slow or failing on demand, for the process-level tests.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

	@Bean
	WorkerIdentity workerIdentity(Environment environment) {
		return WorkerIdentity.of(environment);
	}

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
