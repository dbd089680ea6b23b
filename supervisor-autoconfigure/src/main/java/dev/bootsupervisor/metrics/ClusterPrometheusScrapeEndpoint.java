package dev.bootsupervisor.metrics;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import dev.bootsupervisor.cluster.ClusterMessage;
import dev.bootsupervisor.cluster.ClusterMessageListener;
import dev.bootsupervisor.cluster.ClusterMessenger;
import dev.bootsupervisor.cluster.ClusterViewSource;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.Messaging;
import dev.bootsupervisor.protocol.WorkerState;
import dev.bootsupervisor.protocol.WorkerView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;

/**
 * The {@code prometheus} endpoint of a worker, answering for the whole cluster: the worker that the kernel hands
 * the scrape to asks every other ready worker for its own scrape over the cluster channel, in parallel, and merges
 * them, each family once, in the format Boot negotiated and with Boot's {@code includedNames} filter. A worker that
 * does not answer within the scrape timeout is left out, and {@value ScrapeSummary#NAME} says so. Every worker's
 * series carry its {@code worker} tag, so they never collide.
 */
@WebEndpoint(id = "prometheus")
public class ClusterPrometheusScrapeEndpoint extends PrometheusScrapeEndpoint {

	/** The cluster topic on which workers ask each other for their scrapes. */
	public static final String TOPIC = "supervisor.metrics.scrape";

	private static final Log logger = LogFactory.getLog(ClusterPrometheusScrapeEndpoint.class);

	private final ClusterViewSource views;

	private final ClusterMessenger messenger;

	private final int workerId;

	private final Duration timeout;

	/**
	 * Create the endpoint of one worker.
	 * @param registry the worker's Prometheus registry
	 * @param exporterProperties the Prometheus client's properties, as Boot passes them
	 * @param views where the cluster view comes from
	 * @param messenger how the other workers are asked
	 * @param workerId this worker's id
	 * @param timeout how long to wait for the other workers
	 */
	public ClusterPrometheusScrapeEndpoint(PrometheusRegistry registry, @Nullable Properties exporterProperties,
			ClusterViewSource views, ClusterMessenger messenger, int workerId, Duration timeout) {
		super(registry, exporterProperties);
		this.views = views;
		this.messenger = messenger;
		this.workerId = workerId;
		this.timeout = timeout;
	}

	@Override
	@ReadOperation(producesFrom = PrometheusOutputFormat.class)
	public WebEndpointResponse<byte[]> scrape(PrometheusOutputFormat format, @Nullable Set<String> includedNames) {
		long deadline = System.nanoTime() + this.timeout.toNanos();
		ClusterView view = view();
		Map<Integer, CompletableFuture<ClusterMessage>> asked = new TreeMap<>();
		int notReady = 0;
		if (view != null) {
			byte[] request = request(format, includedNames);
			Set<Integer> seen = new LinkedHashSet<>();
			for (WorkerView worker : view.workers()) {
				if (worker.id() == this.workerId || !seen.add(worker.id())) {
					continue;
				}
				if (worker.state() == WorkerState.READY) {
					asked.put(worker.id(), this.messenger.request(worker.id(), TOPIC, request, this.timeout));
				}
				else {
					notReady++;
				}
			}
		}
		Map<Integer, byte[]> scrapes = new TreeMap<>();
		scrapes.put(this.workerId, super.scrape(format, includedNames).getBody());
		int missing = 0;
		for (Map.Entry<Integer, CompletableFuture<ClusterMessage>> entry : asked.entrySet()) {
			byte[] scrape = await(entry.getKey(), entry.getValue(), deadline);
			if (scrape != null) {
				scrapes.put(entry.getKey(), scrape);
			}
			else {
				missing++;
			}
		}
		ScrapeSummary summary = new ScrapeSummary(scrapes.size(), missing, notReady);
		return new WebEndpointResponse<>(merge(format, new ArrayList<>(scrapes.values()),
				summary.included(includedNames) ? summary : null), format);
	}

	/**
	 * Answer another worker's request for this worker's own scrape.
	 * @param request the format and the included names, see {@link #request(PrometheusOutputFormat, Set)}
	 * @return this worker's scrape, gzipped
	 */
	@ClusterMessageListener(TOPIC)
	public byte[] answer(byte[] request) {
		List<String> lines = Arrays.asList(new String(request, StandardCharsets.UTF_8).split("\n"));
		PrometheusOutputFormat format = PrometheusOutputFormat.valueOf(lines.get(0));
		Set<String> names = (lines.size() > 1) ? new LinkedHashSet<>(lines.subList(1, lines.size())) : null;
		byte[] scrape = gzip(super.scrape(format, names).getBody());
		if (scrape.length > Messaging.MAX_PAYLOAD_BYTES) {
			throw new IllegalStateException("the metrics of worker " + this.workerId + " take " + scrape.length
					+ " bytes compressed, more than the " + Messaging.MAX_PAYLOAD_BYTES
					+ " a cluster message carries; narrow them with includedNames or MeterFilters");
		}
		return scrape;
	}

	static byte[] merge(PrometheusOutputFormat format, List<byte[]> scrapes, @Nullable ScrapeSummary summary) {
		return switch (format) {
			case CONTENT_TYPE_PROTOBUF -> ProtobufExpositionMerger.merge(scrapes, summary);
			case CONTENT_TYPE_OPENMETRICS_100 -> TextExpositionMerger.merge(scrapes, true, summary);
			default -> TextExpositionMerger.merge(scrapes, false, summary);
		};
	}

	static byte[] request(PrometheusOutputFormat format, @Nullable Set<String> includedNames) {
		StringBuilder request = new StringBuilder(format.name());
		if (includedNames != null) {
			includedNames.forEach((name) -> request.append('\n').append(name));
		}
		return request.toString().getBytes(StandardCharsets.UTF_8);
	}

	private @Nullable ClusterView view() {
		try {
			return this.views.clusterView();
		}
		catch (IOException ex) {
			logger.warn("Prometheus scrape of worker " + this.workerId + " holds this worker's meters only: the "
					+ "master did not say which workers are ready (" + ex.getMessage() + ")");
			return null;
		}
	}

	private byte @Nullable [] await(int id, CompletableFuture<ClusterMessage> answer, long deadline) {
		try {
			long left = Math.max(0, deadline - System.nanoTime());
			return gunzip(answer.get(left, TimeUnit.NANOSECONDS).payload());
		}
		catch (TimeoutException ex) {
			answer.cancel(false);
			logger.warn("Prometheus scrape leaves out worker " + id + ": it did not answer within "
					+ this.timeout.toMillis() + " ms (supervisor.metrics.scrape-timeout)");
		}
		catch (ExecutionException | UncheckedIOException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			logger.warn("Prometheus scrape leaves out worker " + id + ": " + cause.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return null;
	}

	static byte[] gzip(byte[] bytes) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
		try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
			zip.write(bytes);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	static byte[] gunzip(byte[] bytes) {
		try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("a malformed answer (" + ex.getMessage() + ")", ex);
		}
	}

}
