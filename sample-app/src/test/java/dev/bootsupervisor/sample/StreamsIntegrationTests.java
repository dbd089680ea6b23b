package dev.bootsupervisor.sample;

import java.nio.file.Path;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Streams} on the sample built on Tomcat.
 */
@Order(5)
class StreamsIntegrationTests extends Streams {

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
