#!/usr/bin/env bash
# Boot Supervisor benchmark: the time of one merged Prometheus scrape of a WORKERS-worker cluster against a 1-worker
# cluster in the same run (issue 22's bar: at most 2x), and the scrape's size.
#
#   mvn -B install -DskipTests && bash bench/metrics.sh
#
# Starts side by side, each on a free 127.0.0.1 port with a run directory of its own: a 1-worker cluster, a
# WORKERS-worker cluster, and (PLAIN=1) the plain app (--supervisor.enabled=false: Boot's own endpoint, a reference
# row); class-data training is off (--supervisor.cds.enabled=false), so no training JVM runs during the measurement.
# A cluster is ready when GET /actuator/health is 200, GET /actuator/supervisor lists all its workers ready and a
# scrape's supervisor_scrape_workers{outcome="answered"} counts them all. Then bench/metrics.py warms each one up
# (WARMUP_REQUESTS x GET /, WARMUP_SCRAPES scrapes of each row) and times SCRAPES rounds of GET /actuator/prometheus,
# one scrape of each cluster a round, interleaved so that noise hits them alike, each on a new connection; in the
# same rounds, spread evenly, OM_SCRAPES OpenMetrics scrapes of each cluster and RELAY_SCRAPES scrapes filtered to
# supervisor_scrape_workers (every worker's own scrape empty: what the relay through the master costs alone), and
# as many GET / on the 1-worker cluster (the floor of any request on a new connection). Each row also shows the CPU
# time the master and the workers spent per scrape (/proc, all threads), so a slow merged scrape says whether the
# time goes to the relay or to the workers' own scrapes.
#
# Prints one header line (machine) and one markdown table on stdout, with the verdicts (median ratio <= 2.0x, no
# failed scrape), also saved to $OUT/result.md; progress on stderr; the apps' logs, every scrape's figures
# ($OUT/scrapes.tsv) and one body of each row ($OUT/scrape-*.txt) stay in $OUT. Every process is stopped by pid.
# About 2 minutes with the defaults on an idle 2-core machine. Needs java and python3 (standard library only).
#
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]  JAVA_OPTS [none: the same JVM flags for every launch]
#   WORKERS [4] workers of the larger cluster, MID [2] workers of a third cluster, for reference (as many workers
#   as this machine has CPUs; 0 leaves it out), SCRAPES [300] rounds, OM_SCRAPES [100], RELAY_SCRAPES [100],
#   WARMUP_REQUESTS [200], WARMUP_SCRAPES [100] per row, PLAIN [1]: 0 leaves the plain app out,
#   READY_TIMEOUT [180] seconds, OUT [bench/out/metrics], STRICT [0]: 1 makes the script exit 1 when a target is missed
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
WORKERS=${WORKERS:-4}
MID=${MID:-2}
SCRAPES=${SCRAPES:-300}
OM_SCRAPES=${OM_SCRAPES:-100}
RELAY_SCRAPES=${RELAY_SCRAPES:-100}
WARMUP_REQUESTS=${WARMUP_REQUESTS:-200}
WARMUP_SCRAPES=${WARMUP_SCRAPES:-100}
PLAIN=${PLAIN:-1}
READY_TIMEOUT=${READY_TIMEOUT:-180}
OUT=${OUT:-$BENCH_DIR/out/metrics}
STRICT=${STRICT:-0}
LOG_TAG=metrics
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
HELPER="python3 $BENCH_DIR/metrics.py"

require_java_python "the timed scrapes"
require_jar
[ "$WORKERS" -ge 2 ] || die "WORKERS must be at least 2: the 1-worker cluster is the baseline"
[ "$SCRAPES" -ge 1 ] || die "SCRAPES must be at least 1"
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/*.log "$OUT"/*.txt "$OUT"/*.tsv "$OUT"/result.md
private_run_dir metrics
LAUNCHED=()   # every JVM started here (the plain app and the masters), stopped by pid

cleanup() {
  local rc=$? pid k
  trap - EXIT INT TERM HUP
  trap '' PIPE   # stderr may be a closed pipe: logging must not kill the cleanup
  for pid in "${LAUNCHED[@]}"; do
    if alive "$pid"; then
      for k in $(children "$pid"); do WORKERS_SEEN+=("$k"); done
      log "cleanup: stopping pid $pid"
      stop_app "$pid" "cleanup: $pid" 60
    fi
  done
  kill_survivors "${WORKERS_SEEN[@]}"
  [ -n "${RUN_DIR:-}" ] && rm -rf "$RUN_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP
trap 'exit 141' PIPE

CPU_MODEL=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
JAVA_VERSION=$("$JAVA" $JAVA_OPTS -version 2>&1 | head -1)
HEADER="Machine: nproc $(nproc), ${CPU_MODEL:-unknown CPU}, memory $MEM, kernel $(uname -r), java: $JAVA_VERSION,\
 $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start $(cut -d' ' -f1-3 /proc/loadavg); sample app (Tomcat),\
 GET /actuator/prometheus on a new connection each, $SCRAPES rounds interleaved after a warm-up\
 ($WARMUP_REQUESTS x GET /, $WARMUP_SCRAPES scrapes a row); JAVA_OPTS='$JAVA_OPTS'"
log "$HEADER"
log "logs in $OUT"

# ---------------------------------------------------------------- the clusters, side by side
declare -A PORT PID
start() { # start KEY NAME WORKERS: launch (WORKERS 0: the plain app); sets PORT[KEY], PID[KEY]
  local key=$1 name=$2 workers=$3
  PORT[$key]=$(free_port)
  if [ "$workers" = 0 ]; then
    launch "$name" "${PORT[$key]}" --supervisor.enabled=false
  else
    mkdir -m 700 "$RUN_DIR/$name"   # owner-only, else the master refuses it
    launch "$name" "${PORT[$key]}" --supervisor.workers="$workers" --supervisor.name="bench-$name-$$" \
      --supervisor.run-dir="$RUN_DIR/$name" --supervisor.cds.enabled=false
  fi
  PID[$key]=$APP_PID
}
await() { # await KEY NAME WORKERS
  local took
  took=$($HELPER wait "${PORT[$1]}" "$3" --timeout "$READY_TIMEOUT" --pid "${PID[$1]}") \
    || { tail -30 "$OUT/$2.log" >&2; die "$2 was not ready within ${READY_TIMEOUT}s (see $OUT/$2.log)"; }
  log "$2: ready ${took}s after the wait began"
}
KEYS=(s1 s4)
[ "$MID" -ge 2 ] && [ "$MID" != "$WORKERS" ] && KEYS=(s1 s2 s4)
[ "$PLAIN" = 1 ] && KEYS=(plain "${KEYS[@]}")
declare -A NAME=([plain]=plain [s1]=workers-1 [s2]=workers-$MID [s4]=workers-$WORKERS)
declare -A COUNT=([plain]=0 [s1]=1 [s2]=$MID [s4]=$WORKERS)
for key in "${KEYS[@]}"; do start "$key" "${NAME[$key]}" "${COUNT[$key]}"; done
for key in "${KEYS[@]}"; do await "$key" "${NAME[$key]}" "${COUNT[$key]}"; done

SPECS=()
for key in "${KEYS[@]}"; do
  workers=""
  if [ "${COUNT[$key]}" != 0 ]; then
    workers=$(workers_of "${PID[$key]}" | paste -sd, -)
    WORKERS_SEEN+=(${workers//,/ })
    [ "$(echo "$workers" | tr ',' '\n' | grep -c .)" = "${COUNT[$key]}" ] \
      || die "${NAME[$key]}: expected ${COUNT[$key]} worker JVMs under master ${PID[$key]}, found '$workers'"
  fi
  if [ "${COUNT[$key]}" = 0 ]; then
    SPECS+=("$key:${PORT[$key]}:0::${PID[$key]}")   # the plain app: no master, its one JVM in the workers' column
  else
    SPECS+=("$key:${PORT[$key]}:${COUNT[$key]}:${PID[$key]}:$workers")
  fi
  log "${NAME[$key]}: port ${PORT[$key]}, pid ${PID[$key]}${workers:+, workers $workers}"
done

# ---------------------------------------------------------------- the measurement
$HELPER measure --out "$OUT" --scrapes "$SCRAPES" --om-scrapes "$OM_SCRAPES" --relay-scrapes "$RELAY_SCRAPES" \
  --warmup-requests "$WARMUP_REQUESTS" --warmup-scrapes "$WARMUP_SCRAPES" "${SPECS[@]}" > "$OUT/table.md"
status=$?
[ "$status" = 0 ] || [ "$status" = 3 ] || die "the measurement failed (exit $status)"
for key in "${KEYS[@]}"; do grep -q 'Exception\|ERROR' "$OUT/${NAME[$key]}.log" \
  && log "${NAME[$key]}: its log has errors or exceptions: see $OUT/${NAME[$key]}.log"; done

for key in "${KEYS[@]}"; do
  WORKERS_SEEN+=($(children "${PID[$key]}"))
  stop_app "${PID[$key]}" "${NAME[$key]}" 60
done
kill_survivors "${WORKERS_SEEN[@]}"

{
  echo "$HEADER"
  echo
  cat "$OUT/table.md"
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/result.md"

[ "$STRICT" = 1 ] && [ "$status" = 3 ] && exit 1
exit 0
