package dev.bootsupervisor.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import dev.bootsupervisor.base.SystemExit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SupervisorRunListener} on an operating system other than Linux, named through {@code os.name}:
 * {@code java -jar} keeps working as a plain process, with one WARN line, and nothing exits.
 */
@ExtendWith(OutputCaptureExtension.class)
class SupervisorRunListenerTests {

	private final List<Integer> exits = new ArrayList<>();

	private String osName;

	private IntConsumer previousExit;

	@BeforeEach
	void recordExits() {
		this.osName = System.getProperty("os.name");
		this.previousExit = SystemExit.replace(this.exits::add);
	}

	@AfterEach
	void restore() {
		System.setProperty("os.name", this.osName);
		SystemExit.replace(this.previousExit);
	}

	@Test
	void onMacOsTheAppRunsAsAPlainProcessWithOneWarnLine(CapturedOutput output) throws Exception {
		System.setProperty("os.name", "Mac OS X");
		runOnMainThread(new MockEnvironment());
		assertThat(this.exits).isEmpty();
		assertThat(output.getAll().lines().filter((line) -> line.contains("Linux only")).toList()).singleElement()
			.asString()
			.contains("WARN", "Mac OS X", "single plain process");
	}

	@Test
	void onWindowsACommandFailsWithOneLineAndExitCodeOne(CapturedOutput output) throws Exception {
		System.setProperty("os.name", "Windows 11");
		MockEnvironment environment = new MockEnvironment();
		environment.setProperty("supervisor.command", "status");
		runOnMainThread(environment);
		assertThat(this.exits).containsExactly(1);
		assertThat(output.getErr()).contains("Boot Supervisor: supervisor.command needs Linux", "Windows 11");
	}

	private static void runOnMainThread(MockEnvironment environment) throws InterruptedException {
		SpringApplication application = new SpringApplication(Config.class);
		application.setMainApplicationClass(Config.class);
		SupervisorRunListener listener = new SupervisorRunListener(application, new String[0]);
		Thread thread = new Thread(() -> listener.environmentPrepared(null, environment), "main");
		thread.start();
		thread.join(10_000);
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

	}

}
