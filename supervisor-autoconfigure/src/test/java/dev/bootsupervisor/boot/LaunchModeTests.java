package dev.bootsupervisor.boot;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LaunchMode}. A plain {@code main} launch is reproduced by deciding on a thread named
 * {@code main} whose stack has no test framework on it.
 */
class LaunchModeTests {

	private final MockEnvironment environment = new MockEnvironment();

	private final SpringApplication application = new SpringApplication(Config.class);

	@Test
	void offInATest() {
		assertThat(LaunchMode.decide(this.environment, this.application)).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void offInATestEvenWithACommand() {
		this.environment.setProperty("supervisor.command", "status");
		assertThat(LaunchMode.decide(this.environment, this.application)).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void workerWhenTheWorkerIdIsSetEvenInATest() {
		this.environment.setProperty("supervisor.worker.id", "1");
		assertThat(LaunchMode.decide(this.environment, this.application)).isEqualTo(LaunchMode.WORKER);
	}

	@Test
	void masterOnAPlainMainLaunch() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.MASTER);
	}

	@Test
	void offWhenDisabled() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.enabled", "false");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void commandWhenACommandIsGiven() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.command", "status");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.COMMAND);
		this.environment.setProperty("supervisor.enabled", "false");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.COMMAND);
	}

	@Test
	void blankCommandIsACommandSoItIsRefusedInsteadOfStartingACluster() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.command", " ");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.COMMAND);
	}

	@Test
	void workerWinsOverEverything() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		this.environment.setProperty("supervisor.worker.id", "2");
		this.environment.setProperty("supervisor.command", "status");
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.WORKER);
	}

	@Test
	void offWithoutAMainApplicationClass() throws Exception {
		this.application.setMainApplicationClass(null);
		assertThat(decideOnMainThread()).isEqualTo(LaunchMode.OFF);
	}

	@Test
	void offOnAnotherThread() throws Exception {
		this.application.setMainApplicationClass(Config.class);
		assertThat(decideOn("restartedMain")).isEqualTo(LaunchMode.OFF);
	}

	private LaunchMode decideOnMainThread() throws InterruptedException {
		return decideOn("main");
	}

	private LaunchMode decideOn(String threadName) throws InterruptedException {
		AtomicReference<LaunchMode> mode = new AtomicReference<>();
		Thread thread = new Thread(() -> mode.set(LaunchMode.decide(this.environment, this.application)), threadName);
		thread.start();
		thread.join(10_000);
		return mode.get();
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

	}

}
