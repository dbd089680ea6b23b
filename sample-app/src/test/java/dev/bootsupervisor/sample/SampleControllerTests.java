package dev.bootsupervisor.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code GET /} of {@link SampleController}, with and without the faults of {@code sample.faults.*}, and the
 * validation of those properties at the start.
 */
class SampleControllerTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class);

	@Test
	void withoutFaultsGetAnswersTheIdentity() throws Exception {
		MockMvc mvc = mvc(0, Duration.ZERO);
		for (int i = 0; i < 100; i++) {
			mvc.perform(get("/"))
				.andExpect(status().isOk())
				.andExpect(content().json("{\"pid\":42,\"worker\":1,\"generation\":3}", true));
		}
	}

	@Test
	void theErrorPercentIsSpreadEvenlyOverTheRequests() throws Exception {
		MockMvc mvc = mvc(30, Duration.ZERO);
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			statuses.add(mvc.perform(get("/")).andReturn().getResponse().getStatus());
		}
		assertThat(statuses).containsOnly(200, 500);
		assertThat(statuses.stream().filter((s) -> s == 500)).hasSize(60);
		for (int from = 0; from + 10 <= statuses.size(); from++) {
			assertThat(statuses.subList(from, from + 10).stream().filter((s) -> s == 500)).as("from %d", from)
				.hasSizeBetween(2, 4);
		}
	}

	@Test
	void aFailedRequestSaysItIsAnInjectedFault() throws Exception {
		mvc(100, Duration.ZERO).perform(get("/"))
			.andExpect(status().isInternalServerError())
			.andExpect(jsonPath("$.error").value("injected fault (sample.faults.error-percent=100), request 1"))
			.andExpect(jsonPath("$.pid").value(42));
	}

	@Test
	void theLatencyIsAddedToEveryRequest() throws Exception {
		MockMvc mvc = mvc(50, Duration.ofMillis(100));
		for (int i = 0; i < 2; i++) {
			long start = System.nanoTime();
			mvc.perform(get("/"));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
		}
	}

	@Test
	void faultsAreOffByDefault() {
		this.contextRunner.run((context) -> assertThat(context.getBean(SampleProperties.class).faults())
			.isEqualTo(new SampleProperties.Faults(0, Duration.ZERO)));
	}

	@Test
	void badFaultsFailTheStartWithAMessage() {
		this.contextRunner.withPropertyValues("sample.faults.error-percent=101")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("sample.faults.error-percent must be a whole number from 0 to 100, not 101"));
		this.contextRunner.withPropertyValues("sample.faults.error-percent=-1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("from 0 to 100, not -1"));
		this.contextRunner.withPropertyValues("sample.faults.latency=-5ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("sample.faults.latency must not be negative, not PT-0.005S"));
	}

	private MockMvc mvc(int errorPercent, Duration latency) {
		SampleProperties properties = new SampleProperties(false, Duration.ZERO, false, 0,
				new SampleProperties.Faults(errorPercent, latency));
		SampleController controller = new SampleController(new WorkerIdentity(42, 1, 3), new MockEnvironment(),
				new InjectedFaults(properties));
		return MockMvcBuilders.standaloneSetup(controller).build();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(SampleProperties.class)
	static class PropertiesConfiguration {

	}

}
