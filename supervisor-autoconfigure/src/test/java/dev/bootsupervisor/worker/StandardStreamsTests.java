package dev.bootsupervisor.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StandardStreams}, in a child JVM whose standard output and error are pointed at /dev/null the way
 * the JDK does when the inherited channel is closed.
 */
@DisabledOnOs(OS.WINDOWS)
class StandardStreamsTests {

	@TempDir
	private Path dir;

	@Test
	void putsStandardOutputAndErrorBackAfterTheyWerePointedAtDevNull() throws Exception {
		Path out = this.dir.resolve("out.txt");
		Path err = this.dir.resolve("err.txt");
		String java = ProcessHandle.current().info().command().orElse("java");
		Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
				Child.class.getName()))
			.redirectOutput(out.toFile())
			.redirectError(err.toFile())
			.start();
		assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).isZero();
		assertThat(read(out)).isEqualTo("before\nafter\n");
		assertThat(read(err)).contains("after on stderr").doesNotContain("lost");
	}

	private static String read(Path path) throws IOException {
		return Files.readString(path, StandardCharsets.UTF_8);
	}

	/**
	 * Does what closing {@code System.inheritedChannel()} does to the standard streams.
	 */
	public static final class Child {

		public static void main(String[] args) throws IOException {
			System.out.println("before");
			StandardStreams.preserveAcross(() -> {
				TestLibC libc = Native.load("c", TestLibC.class);
				int devNull = libc.open("/dev/null", 1);
				libc.dup2(devNull, 1);
				libc.dup2(devNull, 2);
				libc.close(devNull);
				System.out.println("lost");
				System.err.println("lost");
			});
			System.out.println("after");
			System.err.println("after on stderr");
		}

	}

	interface TestLibC extends Library {

		int open(String path, int flags);

		int dup2(int fd, int target);

		int close(int fd);

	}

}
