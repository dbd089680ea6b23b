package dev.bootsupervisor.sample;

import java.nio.file.Path;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RuntimeChanges} on the sample built on Tomcat.
 */
class TomcatRuntimeChangesIntegrationTests extends RuntimeChanges {

	@RegisterExtension
	static final ProcessFixture shared = ProcessFixture.perClass();

	@TempDir
	static Path temp;

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

}
