package dev.bootsupervisor.sample;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RuntimeChanges} on the sample built on Tomcat, started under {@code nohup} as many users start a server by
 * hand: SIGHUP is then ignored from the start, and its reload step checks that the master handles it anyway.
 */
@Order(9)
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

	@Override
	List<String> launchPrefix() {
		return List.of("nohup");
	}

}
