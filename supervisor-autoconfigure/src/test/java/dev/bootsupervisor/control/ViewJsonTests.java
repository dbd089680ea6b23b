package dev.bootsupervisor.control;

import java.util.Map;

import dev.bootsupervisor.actuate.ClusterViews;
import dev.bootsupervisor.protocol.ClusterView;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ViewJson}: the field names scripts rely on, with their values.
 */
class ViewJsonTests {

	private final ClusterView view = ClusterViews.of(Map.of("crash", 1), ClusterViews.ready(1, 201),
			ClusterViews.restarted(2, 202));

	@Test
	void summaryHasWhatListShowsOfAnApp() {
		JsonWriter json = new JsonWriter().beginObject();
		ViewJson.summary(json, this.view);
		assertThat(json.endObject().toString()).isEqualTo("{\"name\":\"app\",\"running\":true,\"answering\":true,"
				+ "\"state\":\"running\",\"masterPid\":100,\"startedAt\":\"2026-01-01T11:59:00Z\",\"uptimeSeconds\":60,"
				+ "\"port\":8080,\"workersReady\":2,\"workersConfigured\":2,\"workersLive\":2}");
	}

	@Test
	void fullHasEveryWorkerWithItsLastExit() {
		JsonWriter json = new JsonWriter().beginObject();
		ViewJson.full(json, this.view);
		assertThat(json.endObject().toString()).endsWith("\"workersLive\":2,\"at\":\"2026-01-01T12:00:00Z\","
				+ "\"leaderEpoch\":0,\"restartsByReason\":{\"crash\":1},\"reloadsByOutcome\":{},\"cds\":{\"state\":\"none\","
				+ "\"location\":\"\",\"detail\":\"\"},\"reloadHistory\":[],\"workers\":["
				+ "{\"id\":1,\"pid\":201,\"generation\":1,\"state\":\"ready\",\"ready\":true,\"alive\":true,"
				+ "\"leader\":false,\"uptimeSeconds\":30,\"restarts\":0,\"lastExit\":null,\"restartAt\":null},"
				+ "{\"id\":2,\"pid\":202,\"generation\":2,\"state\":\"ready\",\"ready\":true,\"alive\":true,"
				+ "\"leader\":false,\"uptimeSeconds\":5,\"restarts\":1,\"lastExit\":{\"code\":137,\"signal\":\"KILL\","
				+ "\"at\":\"2026-01-01T11:59:54Z\",\"reason\":\"crashed\"},\"restartAt\":null}]}");
	}

	@Test
	void aRestartingWorkerHasItsRestartTime() {
		JsonWriter json = new JsonWriter().beginObject();
		ViewJson.full(json, ClusterViews.of(Map.of("crash", 1), ClusterViews.restarting(1, 201),
				ClusterViews.ready(2, 202)));
		assertThat(json.endObject().toString()).contains("{\"id\":1,\"pid\":201,\"generation\":1,"
				+ "\"state\":\"restarting\",\"ready\":false,\"alive\":false,\"leader\":false,\"uptimeSeconds\":0,"
				+ "\"restarts\":0,\"lastExit\":{\"code\":137,\"signal\":\"KILL\",\"at\":\"2026-01-01T11:59:57Z\","
				+ "\"reason\":\"crashed\"},\"restartAt\":\"2026-01-01T12:00:02Z\"}");
	}

}
