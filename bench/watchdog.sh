#!/usr/bin/env bash
# Boot Supervisor benchmark: how fast each watchdog replaces a worker, and what the clients lose meanwhile.
#
#   mvn -B install -DskipTests && bash bench/watchdog.sh
#
# Starts the sample app with 2 workers and its chaos endpoints (--sample.chaos=true) on a free 127.0.0.1 port, a
# 5 s hang timeout and recycling at heap-after-gc=50, under a steady client load (bench/watchdog.py: clients on a
# new connection per request and on keep-alive connections, each request recorded with the worker that answered
# it; wrk cannot say on which worker a failed request was). One detection after the other, on the two slots in
# turn, with SETTLE seconds of load in between:
#   hung        kill -STOP of a worker
#   deadlock    POST /deadlock on a connection to that worker
#   broken      POST /broken (LivenessState.BROKEN)
#   memory      POST /leak?mb=20 then POST /gc-storm?seconds=1, repeated until the master starts a replacement
# then a second cluster with max-requests=MAX_REQUESTS (+ jitter) under the same load, for
#   max-requests the first recycle
# For each: the time from the trigger (the signal, the POST, the last leak step answered, or for max-requests the
# first cluster view that lists the replacement, within a heartbeat of the N-th request) to the master's verdict
# (the timestamp of its "is hung", "is broken" or "will be recycled" line), to the replacement being ready in
# GET /actuator/supervisor (mostly the new JVM's start), and to the old worker's exit (for memory and max-requests
# the verdict can come a little before the trigger the bench sees: during the last step's /gc-storm, or before the
# view lists the replacement, so it shows as a small negative figure); the requests that overlap that window (until
# the later of the two, plus 1 s); the failed ones; and of those, the ones that were inside the replaced worker (a
# keep-alive connection on it, or a new-connection request in flight at the trigger): a hung or broken worker
# cannot be trusted to drain, so those may fail. Recycles (memory, max-requests) are rolling: target 0 failed.
# Prints one markdown table on stdout (also saved to $OUT/result.md); progress on stderr; the apps' logs, the
# request records and the raw figures stay in $OUT. Every process is stopped by pid. About 3 minutes.
#
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]
#   JAVA_OPTS [none], then HEAP_OPTS [-XX:+UseSerialGC -Xmx256m]: the heap the leak fills (old generation about
#     170 MB; the leak's at most 140 MB assume it), both inherited by the workers
#   TIMEOUT [5s] supervisor.watchdog.timeout, HEAP_AFTER_GC [50] supervisor.recycle.heap-after-gc,
#   MAX_REQUESTS [2000] and JITTER [200] for the max-requests cluster, NEW [2] and KEEPALIVE [2] load clients,
#   PAUSE [0.005] seconds between one client's requests, SETTLE [5] seconds of load between detections,
#   READY_TIMEOUT [120] seconds, OUT [bench/out/watchdog], STRICT [0]: 1 makes the script exit 1 when a recycle
#   failed a request or a detection did not replace its worker
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
HEAP_OPTS=${HEAP_OPTS:--XX:+UseSerialGC -Xmx256m}
JAVA_OPTS="${JAVA_OPTS:-} $HEAP_OPTS"
TIMEOUT=${TIMEOUT:-5s}
HEAP_AFTER_GC=${HEAP_AFTER_GC:-50}
MAX_REQUESTS=${MAX_REQUESTS:-2000}
JITTER=${JITTER:-200}
NEW=${NEW:-2}
KEEPALIVE=${KEEPALIVE:-2}
PAUSE=${PAUSE:-0.005}
SETTLE=${SETTLE:-5}
READY_TIMEOUT=${READY_TIMEOUT:-120}
OUT=${OUT:-$BENCH_DIR/out/watchdog}
STRICT=${STRICT:-0}
LOG_TAG=watchdog
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
HELPER="python3 $BENCH_DIR/watchdog.py"

require_java_python "the client load and the cluster view's polls"
require_jar
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/*.log "$OUT"/*.txt "$OUT"/result.md
private_run_dir watchdog

# ---------------------------------------------------------------- process bookkeeping (by pid only)
LOAD=""
LAUNCHED=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  trap '' PIPE   # stderr may be a closed pipe: logging must not kill the cleanup
  if [ -n "$LOAD" ] && alive "$LOAD"; then kill -KILL "$LOAD" 2>/dev/null; fi
  cleanup_run
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP
trap 'exit 141' PIPE

# ---------------------------------------------------------------- load
start_load() { # start_load NAME: the client load on $PORT, recorded in $OUT/NAME-requests.txt
  $HELPER load "$PORT" "$OUT/$1-requests.txt" --new "$NEW" --keepalive "$KEEPALIVE" --pause "$PAUSE" &
  LOAD=$!
  log "$1: load pid $LOAD ($NEW new-connection and $KEEPALIVE keep-alive clients)"
}

stop_load() {
  kill -TERM "$LOAD" 2>/dev/null
  wait "$LOAD" 2>/dev/null
  LOAD=""
}

# ---------------------------------------------------------------- one detection
ROWS=()   # "name|trigger text|requests file|trigger epoch|old pid|ready s|gone s|window start epoch"
FAILED_DETECTIONS=0

measure() { # measure NAME TRIGGER_TEXT FILE T0 OLD [FROM]: wait for the replacement of OLD, then record the row;
            # the requests are counted from FROM (default T0)
  local name=$1 text=$2 file=$3 t0=$4 old=$5 from=${6:-$4} result ready gone new
  WORKERS_SEEN+=("$old")
  if ! result=$($HELPER wait-replaced "$PORT" "$old" --start "$t0" --timeout "$READY_TIMEOUT"); then
    log "$name: worker $old was not replaced within ${READY_TIMEOUT}s"
    FAILED_DETECTIONS=$(( FAILED_DETECTIONS + 1 ))
    ROWS+=("$name|$text|$file|$t0|$old|-|-|$from")
    echo "${ROWS[-1]}" >> "$OUT/figures.txt"
    return
  fi
  read -r ready gone new <<< "$result"
  remember_workers
  log "$name: worker $old replaced by $new: ready after ${ready}s, old worker gone after ${gone}s"
  ROWS+=("$name|$text|$file|$t0|$old|$ready|$gone|$from")
  echo "${ROWS[-1]}" >> "$OUT/figures.txt"
}

slot_pid() { $HELPER slot-pid "$PORT" "$1" || die "no ready worker in slot $1"; }

# ---------------------------------------------------------------- cluster A: hung, deadlock, broken, memory
HEADER="$(machine); sample app, 2 workers, JAVA_OPTS='$JAVA_OPTS', watchdog.timeout=$TIMEOUT, heap-after-gc=$HEAP_AFTER_GC, max-requests=$MAX_REQUESTS + jitter $JITTER; load: $NEW new-connection + $KEEPALIVE keep-alive clients of GET /, ${PAUSE}s between a client's requests"
log "$HEADER"
start_cluster watched 2 --sample.chaos=true --supervisor.watchdog.timeout="$TIMEOUT" \
    --supervisor.recycle.heap-after-gc="$HEAP_AFTER_GC"
start_load watched
sleep "$SETTLE"

old=$(slot_pid 1); t0=$(now)
kill -STOP "$old"
log "hung: kill -STOP $old"
measure hung "\`kill -STOP\` of a worker" watched "$t0" "$old"
# the master continues a stopped worker before it ends it; should it not have, KILL still reaches it
alive "$old" && kill -KILL "$old" 2>/dev/null
sleep "$SETTLE"

old=$(slot_pid 2); t0=$(now)
$HELPER post "$PORT" "$old" /deadlock --no-answer > /dev/null || die "POST /deadlock failed"
log "deadlock: POST /deadlock to worker $old"
measure deadlock "\`POST /deadlock\`" watched "$t0" "$old"
sleep "$SETTLE"

old=$(slot_pid 1); t0=$(now)
status=$($HELPER post "$PORT" "$old" /broken) || die "POST /broken answered $status"
log "broken: POST /broken to worker $old"
measure broken "\`POST /broken\`" watched "$t0" "$old"
sleep "$SETTLE"

old=$(slot_pid 2)
log "memory: leaking in worker $old, 20 MB a step"
leaked=$($HELPER leak "$PORT" "$old" --step 20 --max 140) || die "the leak failed"
read -r mb first t0 <<< "$leaked"
log "memory: $mb MB leaked when the master began the recycle"
measure memory "\`POST /leak?mb=20\` x $(( mb / 20 )), each then \`POST /gc-storm?seconds=1\`" \
    watched "$t0" "$old" "$first"
sleep "$SETTLE"
stop_load
grep -qi 'OutOfMemoryError' "$OUT/watched.log" && log "memory: an OutOfMemoryError is in $OUT/watched.log"
stop_cluster "watched: master"

# ---------------------------------------------------------------- cluster B: max-requests
start_cluster worn 2 --supervisor.recycle.max-requests="$MAX_REQUESTS" \
    --supervisor.recycle.max-requests-jitter="$JITTER"
t_load=$(now)
start_load worn
if began=$($HELPER wait-recycle "$PORT" --start "$t_load" --timeout "$READY_TIMEOUT"); then
  read -r after slot old <<< "$began"
  t0=$(awk -v a="$t_load" -v b="$after" 'BEGIN { printf "%.6f", a + b }')
  log "max-requests: recycle of worker $old (slot $slot) began ${after}s into the load"
  measure max-requests "the ${MAX_REQUESTS}th request (+ jitter up to $JITTER)" worn "$t0" "$old"
else
  log "max-requests: no recycle began within ${READY_TIMEOUT}s"
  FAILED_DETECTIONS=$(( FAILED_DETECTIONS + 1 ))
  ROWS+=("max-requests|the ${MAX_REQUESTS}th request|worn|$t_load|0|-|-|$t_load")
fi
sleep 1
stop_load
stop_cluster "worn: master"

# ---------------------------------------------------------------- table
MISSED=0
[ "$FAILED_DETECTIONS" -gt 0 ] && MISSED=1
LINES=()
for row in "${ROWS[@]}"; do
  IFS='|' read -r name text file t0 old ready gone from <<< "$row"
  if [ "$ready" = - ]; then
    LINES+=("| $name | $text | - | not replaced within ${READY_TIMEOUT}s | - | - | - |")
    continue
  fi
  to=$(awk -v t="$t0" -v r="$ready" -v g="$gone" 'BEGIN { e = (r > g) ? r : g; printf "%.6f", t + e + 1 }')
  read -r total failed stuck <<< "$($HELPER report "$OUT/$file-requests.txt" --from "$from" --to "$to" --old "$old" --trigger "$t0")"
  verdict=$($HELPER detected "$OUT/$file.log" "$old" --start "$t0")
  case $name in memory|max-requests) [ "$failed" = 0 ] || MISSED=1 ;; esac
  LINES+=("| $name | $text | $verdict | $ready (old worker gone after $gone) | **$failed** | $stuck | $total |")
done
{
  echo "$HEADER"
  echo
  echo "| detection | trigger | master's verdict after (s) | time to replacement ready (s) | failed requests | of which stuck in the hung/broken worker | total requests |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${LINES[@]}"
} | tee "$OUT/result.md"

[ "$STRICT" = 1 ] && [ "$MISSED" = 1 ] && exit 1
exit 0
