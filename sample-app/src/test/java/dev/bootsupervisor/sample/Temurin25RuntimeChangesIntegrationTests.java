package dev.bootsupervisor.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link RuntimeChanges} (reload, SIGHUP, scaling) on the sample built on Tomcat with the app on Temurin 25
 * ({@code it.java25}): the starts and reloads of a supervised cluster, with its AOT cache, on the newest JDK.
 * Skipped, and reported as such, on a machine without that JDK.
 */
@Order(9)
class Temurin25RuntimeChangesIntegrationTests extends RuntimeChanges {

	@RegisterExtension
	static final ProcessFixture shared = ProcessFixture.perClass().onJava(ProcessFixture.temurin25(), 25);

	@TempDir
	static Path temp;

	@BeforeAll
	static void requireTemurin25() {
		assumeTrue(Files.isExecutable(Path.of(ProcessFixture.temurin25())),
				"Temurin 25 is not at " + ProcessFixture.temurin25() + " (set -Dit.java25=...)");
	}

	@Override
	ProcessFixture fixture() {
		return shared;
	}

	@Override
	String server() {
		return "tomcat";
	}

	@Override
	Path runDir() {
		return temp.resolve("run");
	}

	@Override
	List<String> launchPrefix() {
		return List.of();
	}

}
