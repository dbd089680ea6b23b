#!/usr/bin/env bash
# Boot Supervisor benchmark: what a canary reload costs and what it saves (issue 27).
#
#   mvn -B install -DskipTests && bash bench/canary.sh
#
# Starts two 2-worker clusters of the sample app side by side, each on a free 127.0.0.1 port with a run directory
# of its own and class-data training off (so no training JVM runs during the measurement): "canary", with the
# default supervisor.reload.canary-period (10 s), and "direct", with --supervisor.reload.canary-period=0s (no
# canary). Each reads its next version from its own properties file (--spring.config.additional-location), which
# a worker reads at its start: a reload after the file changed starts the replacements with the new values, while
# the old workers keep theirs. Both serve a steady client load the whole time (bench/watchdog.py load: clients on a
# new connection per request and on keep-alive connections, every request recorded with its status). Then, one
# reload at a time (`--supervisor.command=reload`, timed from the command's launch to its exit):
#   1. a good version (no faults), RELOADS times on each cluster, in turn: the median reload wall time with the
#      canary and without, their ratio, and the requests that failed on each cluster meanwhile (target 0);
#   2. a bad version (sample.faults.error-percent=ERROR_PERCENT), once on each cluster: with the canary, the
#      command's exit code (expected 1) and its line about the canary; on both, the 5xx the clients got from the
#      reload's launch until WINDOW seconds after it (without the canary the bad version rolls through every
#      worker), and their ratio;
#   3. a slow version (sample.faults.latency=LATENCY) on the canary cluster: the exit code (expected 1) and the line.
# Prints one header line (machine) and one markdown table on stdout (also saved to $OUT/result.md); progress on
# stderr; the apps' logs, every reload command's output and the request records stay in $OUT. Every process is
# stopped by pid, on exit and on Ctrl-C. About 6 minutes with the defaults.
#
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]  JAVA_OPTS [none] for the apps,
#   CMD_OPTS [-XX:TieredStopAtLevel=1 -XX:+UseSerialGC] for the short-lived reload command JVMs,
#   RELOADS [3] good reloads per cluster, GAP [5] seconds of load between reloads, WARMUP [10] seconds of load
#   before the first, WINDOW [40] seconds counted from a bad reload's launch, ERROR_PERCENT [30], LATENCY [200ms],
#   NEW [2] and KEEPALIVE [2] load clients per cluster, PAUSE [0.01] seconds between a client's requests,
#   READY_TIMEOUT [120] and RELOAD_TIMEOUT [300] seconds, OUT [bench/out/canary],
#   STRICT [0]: 1 makes the script exit 1 when a target is missed
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
CMD_OPTS=${CMD_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
RELOADS=${RELOADS:-3}
GAP=${GAP:-5}
WARMUP=${WARMUP:-10}
WINDOW=${WINDOW:-40}
ERROR_PERCENT=${ERROR_PERCENT:-30}
LATENCY=${LATENCY:-200ms}
NEW=${NEW:-2}
KEEPALIVE=${KEEPALIVE:-2}
PAUSE=${PAUSE:-0.01}
READY_TIMEOUT=${READY_TIMEOUT:-120}
RELOAD_TIMEOUT=${RELOAD_TIMEOUT:-300}
OUT=${OUT:-$BENCH_DIR/out/canary}
STRICT=${STRICT:-0}
LOG_TAG=canary
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
HELPER="python3 $BENCH_DIR/canary.py"
LOADER="python3 $BENCH_DIR/watchdog.py"

require_java_python "the client load and the counts"
require_jar
[ "$RELOADS" -ge 1 ] || die "RELOADS must be at least 1"
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/*.log "$OUT"/*.txt "$OUT"/result.md
private_run_dir canary

# ---------------------------------------------------------------- process bookkeeping (by pid only)
LAUNCHED=()   # the two masters
LOADS=()      # the two load clients
CMD_PID=""    # the reload command running, if any

cleanup() {
  local rc=$? pid k
  trap - EXIT INT TERM HUP
  trap '' PIPE   # stderr may be a closed pipe: logging must not kill the cleanup
  for pid in "${LOADS[@]}"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null; done
  # the command runs under timeout(1), which passes TERM on to the command's JVM
  if [ -n "$CMD_PID" ] && alive "$CMD_PID"; then kill -TERM "$CMD_PID" 2>/dev/null; wait "$CMD_PID" 2>/dev/null; fi
  for pid in "${LAUNCHED[@]}"; do
    if alive "$pid"; then
      for k in $(children "$pid"); do WORKERS_SEEN+=("$k"); done
      log "cleanup: stopping master $pid"
      stop_app "$pid" "cleanup: master $pid" 60
    fi
  done
  kill_survivors "${WORKERS_SEEN[@]}"
  [ -n "${RUN_DIR:-}" ] && rm -rf "$RUN_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP
trap 'exit 141' PIPE

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
plus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a + b }'; }
cell() { printf '%s' "$1" | tr '\n' ' ' | sed 's/|/\\|/g; s/  */ /g; s/ $//'; }   # text fit for a table cell

# ---------------------------------------------------------------- the clusters, side by side
declare -A PORT PID CONF
start() { # start KEY ARGS...: a 2-worker cluster named KEY, its next version in $CONF[KEY]/application.properties
  local key=$1; shift
  PORT[$key]=$(free_port)
  CONF[$key]=$RUN_DIR/$key-version
  mkdir -m 700 "$RUN_DIR/$key" "${CONF[$key]}" || die "cannot create the directories of $key"
  : > "${CONF[$key]}/application.properties"
  launch "$key" "${PORT[$key]}" --supervisor.workers=2 --supervisor.name="bench-canary-$key-$$" \
    --supervisor.run-dir="$RUN_DIR/$key" --supervisor.cds.enabled=false \
    --spring.config.additional-location="optional:file:${CONF[$key]}/" "$@"
  PID[$key]=$APP_PID
}

version() { # version KEY [PROPERTY...]: the version the next reload of KEY starts (no property: the good one)
  local key=$1 file=${CONF[$1]}/application.properties; shift
  printf '%s\n' "$@" > "$file.new" && mv "$file.new" "$file" || die "cannot write $file"
  log "$key: next version: ${*:-no faults}"
}

seen() { local k; for k in $(children "${PID[$1]}"); do WORKERS_SEEN+=("$k"); done; }

# ---------------------------------------------------------------- one reload
R_COUNT=0
reload_once() { # reload_once KEY LABEL: sets R_RC, R_START, R_SECS, R_LINE (the command's answer: "Reload
                # succeeded: ..." or "Reload failed: ...", else its last line) and R_FILE (its whole output)
  local key=$1 label=$2 end
  R_COUNT=$(( R_COUNT + 1 ))
  R_FILE=$OUT/reload-$R_COUNT-$key-$label.txt
  seen "$key"
  R_START=$(now)
  # shellcheck disable=SC2086
  timeout "$RELOAD_TIMEOUT" "$JAVA" $CMD_OPTS -jar "$JAR" --supervisor.run-dir="$RUN_DIR/$key" \
    --supervisor.command=reload > "$R_FILE" 2>&1 &
  CMD_PID=$!
  wait "$CMD_PID"; R_RC=$?
  CMD_PID=""
  end=$(now)
  R_SECS=$(elapsed "$R_START" "$end")
  # the answer, not the reload history of the status printed after it
  R_LINE=$(grep -m1 -E '^Reload (succeeded|failed)' "$R_FILE")
  [ -n "$R_LINE" ] || R_LINE=$(grep -v '^[[:space:]]*$' "$R_FILE" | tail -1)
  [ "$R_RC" = 124 ] && R_LINE="no answer within ${RELOAD_TIMEOUT}s (killed)"
  seen "$key"
  log "$key: $label reload $R_COUNT: exit $R_RC after ${R_SECS}s: $R_LINE"
}

count() { # count KEY FROM TO [SLOW ms]: "<total> <failed> <5xx> <slow>" of KEY's requests sent in [FROM, TO]
  $HELPER count "$OUT/$1-requests.txt" --from "$2" --to "$3" --slow "${4:-0}" || die "cannot count the requests of $1"
}

# ---------------------------------------------------------------- start, load, warm up
HEADER="$(machine); sample app GET /, 2 workers a cluster, JAVA_OPTS='$JAVA_OPTS'; load per cluster: $NEW new-connection + $KEEPALIVE keep-alive clients, ${PAUSE}s between a client's requests"
log "$HEADER"
start canary
start direct --supervisor.reload.canary-period=0s
for key in canary direct; do
  await_ready "${PID[$key]}" "$OUT/$key.log" 2 "$key"
  seen "$key"
  log "$key ready: master ${PID[$key]} on port ${PORT[$key]}, workers $(workers_of "${PID[$key]}" | paste -sd' ' -)"
done
for key in canary direct; do
  $LOADER load "${PORT[$key]}" "$OUT/$key-requests.txt" --new "$NEW" --keepalive "$KEEPALIVE" --pause "$PAUSE" &
  LOADS+=("$!")
  log "$key: load pid $! ($NEW new-connection and $KEEPALIVE keep-alive clients)"
done
sleep "$WARMUP"

# ---------------------------------------------------------------- 1. a good version: what the canary period adds
declare -A TIMES CODES OK_TIMES GOOD_FAILURES
T_GOOD=$(now)
for (( i = 1; i <= RELOADS; i++ )); do
  for key in canary direct; do
    reload_once "$key" good
    TIMES[$key]="${TIMES[$key]:-} $R_SECS"
    CODES[$key]="${CODES[$key]:-} $R_RC"
    # a reload that failed (a canary judged a good version worse) rolled back: not in the median of the others
    if [ "$R_RC" = 0 ]; then OK_TIMES[$key]="${OK_TIMES[$key]:-} $R_SECS"; else GOOD_FAILURES[$key]="${GOOD_FAILURES[$key]:-}$R_LINE "; fi
    sleep "$GAP"
  done
done
T_GOOD_END=$(now)

# ---------------------------------------------------------------- 2. a bad version: exposure with and without it
declare -A BAD_RC BAD_SECS BAD_LINE BAD_COUNT
for key in canary direct; do
  version "$key" "sample.faults.error-percent=$ERROR_PERCENT"
  reload_once "$key" errors
  BAD_RC[$key]=$R_RC; BAD_SECS[$key]=$R_SECS; BAD_LINE[$key]=$R_LINE
  to=$(plus "$R_START" "$WINDOW")
  while awk -v t="$to" -v n="$(now)" 'BEGIN { exit !(n < t) }'; do sleep 0.2; done
  BAD_COUNT[$key]=$(count "$key" "$R_START" "$to")
  log "$key: over the ${WINDOW}s window: requests, failed, 5xx: ${BAD_COUNT[$key]% *}"
done
version direct   # the direct cluster now runs the bad version; it serves no further measurement

# ---------------------------------------------------------------- 3. a slow version, with the canary
version canary "sample.faults.latency=$LATENCY"
reload_once canary latency
SLOW_RC=$R_RC; SLOW_SECS=$R_SECS; SLOW_LINE=$R_LINE
SLOW_MS=$(awk -v d="$LATENCY" 'BEGIN { v = d + 0; if (d ~ /ms$/) print v; else if (d ~ /s$/) print v * 1000; else print v }')
SLOW_COUNT=$(count canary "$R_START" "$(now)" "$SLOW_MS")
sleep "$GAP"

# ---------------------------------------------------------------- stop
for pid in "${LOADS[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
LOADS=()
for key in canary direct; do
  seen "$key"
  grep -E 'canary|Canary|Rolling reload|Reload' "$OUT/$key.log" > "$OUT/$key-transitions.txt" 2>/dev/null
  stop_app "${PID[$key]}" "$key" 60
done
kill_survivors "${WORKERS_SEEN[@]}"
LAUNCHED=()

# ---------------------------------------------------------------- table
MISSED=0
median_of() { if [ -n "$1" ]; then $HELPER median $1; else echo n/a; fi; }
each() { echo "$1" | sed 's/^ //; s/ /; /g'; }
declare -A MEDIAN GOOD_COUNT
for key in canary direct; do
  MEDIAN[$key]=$(median_of "${OK_TIMES[$key]:-}")
  GOOD_COUNT[$key]=$(count "$key" "$T_GOOD" "$T_GOOD_END")
  for code in ${CODES[$key]}; do [ "$code" = 0 ] || MISSED=1; done
  [ "$(echo "${GOOD_COUNT[$key]}" | cut -d' ' -f2)" = 0 ] || MISSED=1
done
RATIO=$(awk -v a="${MEDIAN[canary]}" -v b="${MEDIAN[direct]}" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "n/a" }')
ADDED=$(awk -v a="${MEDIAN[canary]}" -v b="${MEDIAN[direct]}" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%+.1f", a - b; else print "n/a" }')
# what the canary said when it passed a good version (the command's answer does not say): the master's last line
PASSED=$(grep -o 'Canary passed, the reload goes on: .*' "$OUT/canary.log" | tail -1 | sed 's/^Canary passed, the reload goes on: /last pass: /')
read -r c_total c_failed c_5xx _ <<< "${BAD_COUNT[canary]}"
read -r d_total d_failed d_5xx _ <<< "${BAD_COUNT[direct]}"
EXPOSURE=$(awk -v a="$d_5xx" -v b="$c_5xx" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else if (a > 0) print "all (none with the canary)"; else print "n/a" }')
read -r s_total s_failed s_5xx s_slow <<< "$SLOW_COUNT"
[ "${BAD_RC[canary]}" = 1 ] || MISSED=1
[ "$SLOW_RC" = 1 ] || MISSED=1

row_good() { # row_good KEY LABEL OUTPUT
  local total failed server _
  read -r total failed server _ <<< "${GOOD_COUNT[$1]}"
  echo "| 1. good version (no faults) | $2 | $(each "${CODES[$1]}") | **${MEDIAN[$1]}** (each: $(each "${TIMES[$1]}"); median of those that exited 0) | **$failed** failed of $total ($server 5xx), all $RELOADS reloads | $(cell "${GOOD_FAILURES[$1]:-}${3:--}") |"
}
{
  echo "$HEADER"
  echo
  echo "| version | canary | reload exit code(s) | reload wall time, s (median) | requests (clients' figures) | the reload's output |"
  echo "|---|---|---|---|---|---|"
  row_good canary "default (10 s)" "$PASSED"
  row_good direct "off (\`canary-period=0s\`)"
  echo "| 2. bad: \`error-percent=$ERROR_PERCENT\` | default (10 s) | ${BAD_RC[canary]} | ${BAD_SECS[canary]} | **$c_5xx** 5xx of $c_total in the ${WINDOW} s from the reload's launch ($c_failed failed) | $(cell "${BAD_LINE[canary]}") |"
  echo "| 2. bad: \`error-percent=$ERROR_PERCENT\` | off (\`canary-period=0s\`) | ${BAD_RC[direct]} | ${BAD_SECS[direct]} | **$d_5xx** 5xx of $d_total in the ${WINDOW} s from the reload's launch ($d_failed failed) | $(cell "${BAD_LINE[direct]}") |"
  echo "| 3. slow: \`latency=$LATENCY\` | default (10 s) | $SLOW_RC | $SLOW_SECS | **$s_slow** of $s_total during the reload took $LATENCY or more ($s_failed failed) | $(cell "$SLOW_LINE") |"
  echo
  echo "The canary period adds $ADDED s to a good reload (median ${MEDIAN[canary]} s against ${MEDIAN[direct]} s: $RATIO)."
  echo "A bad version's 5xx in the ${WINDOW} s from the reload's launch: $d_5xx without the canary, $c_5xx with it ($EXPOSURE)."
  for key in canary direct; do
    awk -v s="${BAD_SECS[$key]}" -v w="$WINDOW" 'BEGIN { exit !(s > w) }' \
      && echo "Note: the bad version's reload on the $key cluster took ${BAD_SECS[$key]} s, longer than the ${WINDOW} s window: its 5xx after the window are not counted (WINDOW=...)."
  done
  echo "Targets: good reloads exit 0 and fail no request; the bad and the slow version's reloads exit 1 with the canary: $([ "$MISSED" = 0 ] && echo PASS || echo MISS)"
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/result.md"

[ "$STRICT" = 1 ] && [ "$MISSED" = 1 ] && exit 1
exit 0
