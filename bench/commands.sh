#!/usr/bin/env bash
# Boot Supervisor benchmark: how fast the operator's commands answer. Starts the sample as a daemon with 2 workers,
# then times `status` (text and JSON) and `list` on the fast path (wall and CPU time), against baselines in the
# same run: `java -version` (the JVM's floor), the same `status` forced onto Boot's full path (an active profile
# makes the fast path step aside), and, when OLD_JAR is set, a jar built before the fast path. Last, one status
# with -Xlog:class+load shows where its time goes.
#
#   mvn -B verify -DskipTests -DskipITs && bash bench/commands.sh
#
# Prints one header line (machine) and one markdown table on stdout (also saved to $OUT/commands.md); progress on
# stderr, the commands' output in $OUT/commands-runs.log. 127.0.0.1 only, a free port. Needs java and python3
# (standard library only). About a minute with the defaults on an idle machine.
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  OLD_JAR [none]  JAVA [java]  JAVA_OPTS [none]  RUNS [9] per command
#   READY_TIMEOUT [180] seconds  OUT [bench/out]
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
OLD_JAR=${OLD_JAR:-}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
RUNS=${RUNS:-9}
READY_TIMEOUT=${READY_TIMEOUT:-180}
OUT=${OUT:-$BENCH_DIR/out}
export OUT
LOG_TAG=commands
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

require_java_python "timing the commands"
require_jar
mkdir -p "$OUT"
: > "$OUT/commands-runs.log"
private_run_dir commands
APP_RUN_DIR=$RUN_DIR/app
NAME=bench-commands-$$
trap 'cleanup_daemon; exit 130' INT TERM
trap 'cleanup_daemon' EXIT

cleanup_daemon() { # the daemon's master from its pid file: stopped by pid, then the run directory removed
  local pid
  pid=$(cat "$APP_RUN_DIR/master.pid" 2>/dev/null)
  if [ -n "$pid" ] && alive "$pid"; then
    MASTER=$pid
    remember_workers
    stop_app "$pid" "cleanup: master" 60
    kill_survivors "${WORKERS_SEEN[@]}"
  fi
  [ -n "${RUN_DIR:-}" ] && rm -rf "$RUN_DIR"
}

PORT=$(free_port)
HEADER="$(machine); $RUNS runs per command, JAVA_OPTS='$JAVA_OPTS'"
log "starting $NAME as a daemon, 2 workers, port $PORT"
# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -jar "$JAR" --server.address=127.0.0.1 --server.port="$PORT" --supervisor.workers=2 \
  --supervisor.daemon=true --supervisor.name="$NAME" --supervisor.run-dir="$APP_RUN_DIR" \
  --supervisor.log-dir="$RUN_DIR/logs" --supervisor.startup-timeout="${READY_TIMEOUT}s" > "$OUT/commands-daemon.log" 2>&1 \
  || { tail -20 "$OUT/commands-daemon.log" >&2; die "the daemon did not start"; }
MASTER=$(cat "$APP_RUN_DIR/master.pid")
remember_workers
log "$NAME ready: master $MASTER, workers $(workers_of "$MASTER" | paste -sd' ' -)"

where_the_time_goes() { # one fast-path status with -Xlog:class+load: when each step's first class loaded
  local file=$OUT/commands-classload.txt
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -Xlog:class+load:file="$file" -jar "$JAR" --supervisor.command=status "${APP[@]}" > /dev/null 2>&1
  python3 - "$file" <<'PY'
import re, sys
marks = [("JVM started, launcher loaded", "org.springframework.boot.loader.launch.JarLauncher"),
         ("the app's main class loaded (nested jars opened)", "dev.bootsupervisor.sample.SampleApplication"),
         ("SpringApplication loaded", "org.springframework.boot.SpringApplication"),
         ("Logback starts (SpringApplication's static logger: commons-logging, Log4j API, SLF4J)",
          "ch.qos.logback.classic.LoggerContext"),
         ("spring.factories read (SpringFactoriesLoader)", "org.springframework.core.io.support.SpringFactoriesLoader"),
         ("run listener constructed: the fast path starts", "dev.bootsupervisor.boot.SupervisorRunListener"),
         ("the control connection opens", "dev.bootsupervisor.control.ControlClient"),
         ("the view is decoded", "dev.bootsupervisor.protocol.ClusterView")]
lines = open(sys.argv[1]).read().splitlines()
first, last, count = {}, 0.0, 0
for line in lines:
    m = re.match(r"\[([0-9.]+)s\]\S* (\S+)", line)
    if not m:
        continue
    t, name = float(m.group(1)), m.group(2)
    first.setdefault(name, (t, count))
    last, count = t, count + 1
print("| one fast-path `status` (-Xlog:class+load) | at, s | classes loaded by then |")
print("|---|---|---|")
for label, name in marks:
    if name in first:
        print("| %s | %.3f | %d |" % (label, first[name][0], first[name][1]))
print("| last class loaded (exit) | %.3f | %d |" % (last, count))
PY
}

row() { # row LABEL NOTE COMMAND...
  python3 "$BENCH_DIR/commands.py" "$RUNS" "$@"
}
APP=(--supervisor.run-dir="$APP_RUN_DIR")
# shellcheck disable=SC2086
{
  echo "$HEADER"
  echo
  echo "| command (2-worker daemon) | wall median, s | wall max, s | CPU median, s | exit codes | note |"
  echo "|---|---|---|---|---|---|"
  row "\`java -version\`" "the JVM's floor" "$JAVA" $JAVA_OPTS -version
  row "\`status\`" "fast path" "$JAVA" $JAVA_OPTS -jar "$JAR" --supervisor.command=status "${APP[@]}"
  row "\`status --supervisor.format=json\`" "fast path" "$JAVA" $JAVA_OPTS -jar "$JAR" --supervisor.command=status \
    --supervisor.format=json "${APP[@]}"
  row "\`list\`" "fast path" "$JAVA" $JAVA_OPTS -jar "$JAR" --supervisor.command=list
  row "\`status\` of an app that is not running" "fast path, exit 3" "$JAVA" $JAVA_OPTS -jar "$JAR" \
    --supervisor.command=status --supervisor.name="$NAME-absent"
  row "\`status --spring.profiles.active=bench\`" "Boot's full path (the profile forces it)" "$JAVA" $JAVA_OPTS -jar \
    "$JAR" --supervisor.command=status --spring.profiles.active=bench "${APP[@]}"
  if [ -n "$OLD_JAR" ]; then
    row "\`status\`, jar before the fast path" "$(basename "$OLD_JAR")" "$JAVA" $JAVA_OPTS -jar "$OLD_JAR" \
      --supervisor.command=status "${APP[@]}"
  fi
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  where_the_time_goes
} | tee "$OUT/commands.md"

log "stopping $NAME"
# shellcheck disable=SC2086
"$JAVA" $JAVA_OPTS -jar "$JAR" --supervisor.command=stop "${APP[@]}" >> "$OUT/commands-runs.log" 2>&1 \
  || log "stop exited with $? (see $OUT/commands-runs.log)"
