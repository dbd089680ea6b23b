package dev.bootsupervisor.control;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.bootsupervisor.protocol.CanaryResult;
import dev.bootsupervisor.protocol.ClusterView;
import dev.bootsupervisor.protocol.ReloadRecord;
import dev.bootsupervisor.protocol.WorkerView;

/**
 * The JSON form of a cluster view, shared by {@code status} and {@code list}: its field names are an interface
 * scripts rely on, so they only ever get added to.
 */
final class ViewJson {

	private ViewJson() {
	}

	/** The summary members: what {@code list} shows of each app, and {@code status} starts with. */
	static void summary(JsonWriter json, ClusterView view) {
		json.field("name", view.name())
			.field("running", true)
			.field("answering", true)
			.field("state", view.state().label())
			.field("masterPid", view.masterPid())
			.field("startedAt", view.masterStartedAt().toString())
			.field("uptimeSeconds", seconds(view.masterStartedAt(), view.at()))
			.field("port", view.port())
			.field("workersReady", view.workers().stream().filter(WorkerView::ready).count())
			.field("workersConfigured", view.configuredWorkers())
			.field("workersLive", view.liveWorkers());
	}

	/** Every member of a view, for {@code status}. */
	static void full(JsonWriter json, ClusterView view) {
		summary(json, view);
		json.field("at", view.at().toString()).field("leaderEpoch", view.leaderEpoch());
		counts(json, "restartsByReason", view.restartsByReason());
		counts(json, "reloadsByOutcome", view.reloadsByOutcome());
		json.name("cds").beginObject().field("state", view.cds().state()).field("location", view.cds().location())
			.field("detail", view.cds().detail()).endObject();
		json.name("reloadHistory").beginArray();
		for (ReloadRecord reload : view.reloadHistory()) {
			json.beginObject()
				.field("startedAt", reload.startedAt().toString())
				.field("trigger", reload.trigger())
				.field("version", reload.version())
				.field("outcome", reload.outcome())
				.field("durationMillis", reload.duration().toMillis())
				.field("detail", reload.detail());
			CanaryResult canary = reload.canary();
			if (canary == null) {
				json.nullField("canary");
			}
			else {
				json.name("canary")
					.beginObject()
					.field("worker", canary.workerId())
					.field("passed", canary.passed())
					.field("windowMillis", canary.window().toMillis())
					.field("requests", canary.requests())
					.field("errorPercent", canary.errorPercent())
					.field("p99Millis", canary.p99().toNanos() / 1e6)
					.field("oldRequests", canary.oldRequests())
					.field("oldErrorPercent", canary.oldErrorPercent())
					.field("oldP99Millis", canary.oldP99().toNanos() / 1e6)
					.field("verdict", canary.verdict())
					.endObject();
			}
			json.endObject();
		}
		json.endArray();
		json.name("workers").beginArray();
		for (WorkerView worker : view.workers()) {
			json.beginObject()
				.field("id", worker.id())
				.field("pid", worker.pid())
				.field("generation", worker.generation())
				.field("state", worker.state().label())
				.field("ready", worker.ready())
				.field("alive", worker.alive())
				.field("leader", worker.leader())
				.field("uptimeSeconds", worker.alive() ? seconds(worker.startedAt(), view.at()) : 0)
				.field("restarts", worker.restarts());
			WorkerView.LastExit last = worker.lastExit();
			if (last == null) {
				json.nullField("lastExit");
			}
			else {
				json.name("lastExit").beginObject().field("code", last.code()).field("signal", last.signal())
					.field("at", last.at().toString()).field("reason", last.reason()).endObject();
			}
			json.field("restartAt", (worker.restartAt() != null) ? worker.restartAt().toString() : null);
			json.endObject();
		}
		json.endArray();
	}

	private static void counts(JsonWriter json, String name, Map<String, Integer> counts) {
		json.name(name).beginObject();
		counts.forEach((key, count) -> json.field(key, (long) count));
		json.endObject();
	}

	private static long seconds(Instant from, Instant to) {
		return (from != null && to != null) ? Math.max(0, Duration.between(from, to).toSeconds()) : 0;
	}

}
