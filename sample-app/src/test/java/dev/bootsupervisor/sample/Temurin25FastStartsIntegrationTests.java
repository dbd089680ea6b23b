package dev.bootsupervisor.sample;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link FastStartsIntegrationTests} with the app on Temurin 25 ({@code it.java25}), where the archive is an AOT
 * cache. Skipped, and reported as such, on a machine without that JDK.
 */
@Order(3)
class Temurin25FastStartsIntegrationTests extends FastStartsIntegrationTests {

	@Override
	ProcessFixture newFixture() {
		return new ProcessFixture().onJava(ProcessFixture.temurin25(), 25);
	}

	@BeforeEach
	void requireTemurin25() {
		assumeTrue(Files.isExecutable(Path.of(ProcessFixture.temurin25())),
				"Temurin 25 is not at " + ProcessFixture.temurin25() + " (set -Dit.java25=...)");
	}

}
