package dev.bootsupervisor.metrics;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.bootsupervisor.actuate.ClusterViews;
import dev.bootsupervisor.cluster.ClusterMessage;
import dev.bootsupervisor.cluster.ClusterMessageException;
import dev.bootsupervisor.cluster.ClusterMessenger;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.WorkerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics;
import org.junit.jupiter.api.Test;

import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ClusterPrometheusScrapeEndpoint} and the merges it makes, on scrapes written by Boot's own
 * endpoint from real registries.
 */
class ClusterPrometheusScrapeEndpointTests {

	private final PrometheusMeterRegistry one = registry(1, 5);

	private final PrometheusMeterRegistry two = registry(2, 7);

	@Test
	void textMergeHoldsEachFamilyOnceAndEveryWorkersSeries() {
		String merged = merge(PrometheusOutputFormat.CONTENT_TYPE_004, null);
		assertThat(count(merged, "(?m)^# TYPE requests_total counter$")).isEqualTo(1);
		assertThat(count(merged, "(?m)^# HELP requests_total ")).isEqualTo(1);
		assertThat(merged).contains("requests_total{uri=\"/\",worker=\"1\"} 5.0")
			.contains("requests_total{uri=\"/\",worker=\"2\"} 7.0")
			.contains("latency_seconds_count{worker=\"1\"} 5")
			.contains("latency_seconds_count{worker=\"2\"} 7");
		assertFamiliesContiguous(merged);
		assertThat(merged).contains("supervisor_scrape_workers{outcome=\"answered\"} 2.0")
			.contains("supervisor_scrape_workers{outcome=\"missing\"} 1.0");
	}

	@Test
	void aSeriesThatTwoWorkersReportAlikeIsKeptOnce() {
		String merged = merge(PrometheusOutputFormat.CONTENT_TYPE_004, null);
		assertThat(count(merged, "(?m)^slot_uptime_seconds\\{slot=\"1\",")).isEqualTo(1);
		assertThat(count(merged, "(?m)^slot_uptime_seconds\\{slot=\"2\",")).isEqualTo(1);
	}

	@Test
	void openMetricsMergeEndsWithOneEof() {
		String merged = merge(PrometheusOutputFormat.CONTENT_TYPE_OPENMETRICS_100, null);
		assertThat(count(merged, "(?m)^# EOF$")).isEqualTo(1);
		assertThat(merged).endsWith("# EOF\n");
		assertThat(count(merged, "(?m)^# TYPE requests counter$")).isEqualTo(1);
		assertThat(merged).contains("requests_total{uri=\"/\",worker=\"1\"} 5.0")
			.contains("requests_total{uri=\"/\",worker=\"2\"} 7.0")
			.contains("# TYPE supervisor_scrape_workers gauge");
		assertFamiliesContiguous(merged.replace("# EOF\n", ""));
	}

	@Test
	void protobufMergeParsesAsOneFamilyPerNameWithEveryWorkersMetrics() throws IOException {
		byte[] merged = ClusterPrometheusScrapeEndpoint.merge(PrometheusOutputFormat.CONTENT_TYPE_PROTOBUF,
				List.of(scrape(this.one, PrometheusOutputFormat.CONTENT_TYPE_PROTOBUF, null),
						scrape(this.two, PrometheusOutputFormat.CONTENT_TYPE_PROTOBUF, null)),
				new ScrapeSummary(2, 0, 1));
		Map<String, Metrics.MetricFamily> families = new HashMap<>();
		List<String> names = new ArrayList<>();
		ByteArrayInputStream in = new ByteArrayInputStream(merged);
		Metrics.MetricFamily family;
		while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
			names.add(family.getName());
			families.put(family.getName(), family);
		}
		assertThat(names).doesNotHaveDuplicates().contains("requests_total", "slot_uptime_seconds",
				ScrapeSummary.NAME);
		Metrics.MetricFamily requests = families.get("requests_total");
		assertThat(requests.getType()).isEqualTo(Metrics.MetricType.COUNTER);
		assertThat(requests.getMetricList()).extracting((metric) -> metric.getCounter().getValue())
			.containsExactly(5.0, 7.0);
		assertThat(families.get("slot_uptime_seconds").getMetricCount()).isEqualTo(2);
		Metrics.MetricFamily summary = families.get(ScrapeSummary.NAME);
		assertThat(summary.getType()).isEqualTo(Metrics.MetricType.GAUGE);
		assertThat(summary.getMetricList()).extracting((metric) -> metric.getLabel(0).getValue() + "="
				+ metric.getGauge().getValue())
			.containsExactly("answered=2.0", "missing=0.0", "not-ready=1.0");
	}

	@Test
	void includedNamesReachEveryWorkerAndLeaveTheSummaryOutUnlessNamed() {
		FakeMessenger messenger = new FakeMessenger();
		messenger.answers.put(2, CompletableFuture.completedFuture(answer(2,
				endpoint(this.two, 2, messenger, List.of())
					.answer(ClusterPrometheusScrapeEndpoint.request(PrometheusOutputFormat.CONTENT_TYPE_004,
							Set.of("requests"))))));
		ClusterPrometheusScrapeEndpoint endpoint = endpoint(this.one, 1, messenger,
				List.of(ClusterViews.ready(1, 11), ClusterViews.ready(2, 22)));
		String body = new String(endpoint.scrape(PrometheusOutputFormat.CONTENT_TYPE_004, Set.of("requests"))
			.getBody(), StandardCharsets.UTF_8);
		assertThat(body).contains("worker=\"1\"").contains("worker=\"2\"").doesNotContain("latency_seconds")
			.doesNotContain(ScrapeSummary.NAME);
		assertThat(new String(messenger.requests.get(0), StandardCharsets.UTF_8))
			.isEqualTo("CONTENT_TYPE_004\nrequests");
	}

	@Test
	void aWorkerThatDoesNotAnswerInTimeIsLeftOutAndCounted() {
		FakeMessenger messenger = new FakeMessenger();
		messenger.answers.put(2, new CompletableFuture<>());
		messenger.answers.put(3, CompletableFuture.failedFuture(new ClusterMessageException("refused")));
		ClusterPrometheusScrapeEndpoint endpoint = endpoint(this.one, 1, messenger,
				List.of(ClusterViews.ready(1, 11), ClusterViews.ready(2, 22), ClusterViews.ready(3, 33),
						ClusterViews.worker(4, 44, WorkerState.STARTING)));
		String body = new String(endpoint.scrape(PrometheusOutputFormat.CONTENT_TYPE_004, null).getBody(),
				StandardCharsets.UTF_8);
		assertThat(body).contains("requests_total{uri=\"/\",worker=\"1\"} 5.0")
			.doesNotContain("requests_total{uri=\"/\",worker=\"2\"}")
			.contains("supervisor_scrape_workers{outcome=\"answered\"} 1.0")
			.contains("supervisor_scrape_workers{outcome=\"missing\"} 2.0")
			.contains("supervisor_scrape_workers{outcome=\"not-ready\"} 1.0");
		assertThat(messenger.asked).containsExactly(2, 3);
	}

	@Test
	void withoutTheMastersViewTheScrapeHoldsThisWorkerOnly() {
		ClusterPrometheusScrapeEndpoint endpoint = new ClusterPrometheusScrapeEndpoint(
				this.one.getPrometheusRegistry(), null, () -> {
					throw new IOException("no master");
				}, new FakeMessenger(), 1, Duration.ofMillis(200));
		String body = new String(endpoint.scrape(PrometheusOutputFormat.CONTENT_TYPE_004, null).getBody(),
				StandardCharsets.UTF_8);
		assertThat(body).contains("worker=\"1\"").contains("supervisor_scrape_workers{outcome=\"answered\"} 1.0");
	}

	@Test
	void seriesKeyIgnoresValueTimestampAndExemplarAndReadsQuotedBraces() {
		assertThat(TextExpositionMerger.seriesKey("a_total{x=\"}\\\" y\"} 1.0 123 # {t=\"1\"} 1"))
			.isEqualTo("a_total{x=\"}\\\" y\"}");
		assertThat(TextExpositionMerger.seriesKey("up 1")).isEqualTo("up");
	}

	private String merge(PrometheusOutputFormat format, Set<String> names) {
		return new String(ClusterPrometheusScrapeEndpoint.merge(format,
				List.of(scrape(this.one, format, names), scrape(this.two, format, names)),
				new ScrapeSummary(2, 1, 0)), StandardCharsets.UTF_8);
	}

	private static ClusterPrometheusScrapeEndpoint endpoint(PrometheusMeterRegistry registry, int id,
			FakeMessenger messenger, List<dev.bootsupervisor.protocol.WorkerView> workers) {
		ClusterView view = ClusterViews.of(Map.of(), workers.toArray(dev.bootsupervisor.protocol.WorkerView[]::new));
		return new ClusterPrometheusScrapeEndpoint(registry.getPrometheusRegistry(), null, () -> view, messenger, id,
				Duration.ofMillis(300));
	}

	private static ClusterMessage answer(int from, byte[] payload) {
		return new ClusterMessage(ClusterPrometheusScrapeEndpoint.TOPIC, from, from * 11L, payload, false);
	}

	private static byte[] scrape(PrometheusMeterRegistry registry, PrometheusOutputFormat format, Set<String> names) {
		return new PrometheusScrapeEndpoint(registry.getPrometheusRegistry(), null).scrape(format, names).getBody();
	}

	private static PrometheusMeterRegistry registry(int worker, int requests) {
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		registry.config().meterFilter(MeterFilter.commonTags(Tags.of("worker", String.valueOf(worker))));
		Counter counter = Counter.builder("requests").tag("uri", "/").description("Requests").register(registry);
		counter.increment(requests);
		Timer timer = Timer.builder("latency").register(registry);
		for (int i = 0; i < requests; i++) {
			timer.record(Duration.ofMillis(i));
		}
		// A meter that names a slot of its own, as supervisor.worker.uptime does: every worker reports both alike
		for (int slot = 1; slot <= 2; slot++) {
			registry.gauge("slot.uptime.seconds", Tags.of("slot", String.valueOf(slot), "worker", String.valueOf(slot)),
					slot);
		}
		return registry;
	}

	private static int count(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

	/** Every sample line belongs to the family whose metadata last came before it, and no family comes twice. */
	private static void assertFamiliesContiguous(String merged) {
		List<String> seen = new ArrayList<>();
		String current = null;
		for (String line : merged.split("\n")) {
			if (line.startsWith("# TYPE ")) {
				current = line.split(" ")[2];
				assertThat(seen).as("families").doesNotContain(current);
				seen.add(current);
			}
			else if (!line.startsWith("#")) {
				assertThat(line).as("sample of family %s", current).startsWith(current);
			}
		}
		List<String> series = merged.lines().filter((line) -> !line.startsWith("#"))
			.map(TextExpositionMerger::seriesKey)
			.toList();
		assertThat(series).as("series").doesNotHaveDuplicates();
	}

	private static final class FakeMessenger extends ClusterMessenger {

		private final Map<Integer, CompletableFuture<ClusterMessage>> answers = new HashMap<>();

		private final List<Integer> asked = new ArrayList<>();

		private final List<byte[]> requests = new ArrayList<>();

		FakeMessenger() {
			super(null);
		}

		@Override
		public CompletableFuture<ClusterMessage> request(int workerId, String topic, byte[] payload,
				Duration timeout) {
			assertThat(topic).isEqualTo(ClusterPrometheusScrapeEndpoint.TOPIC);
			this.asked.add(workerId);
			this.requests.add(payload);
			return this.answers.getOrDefault(workerId, new CompletableFuture<>());
		}

	}

}
