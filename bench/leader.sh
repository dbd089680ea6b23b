#!/usr/bin/env bash
# Boot Supervisor benchmark: how fast leadership moves, after a kill -9 of the leader and in a rolling reload.
#
#   mvn -B install -DskipTests && bash bench/leader.sh
#
# Starts the sample app with WORKERS workers on a free 127.0.0.1 port, its leader-only task writing a tick file
# (--sample.tick-file: one line a second from the leader, "<epoch> <worker id> <pid> <instant>"). Then, REPS times,
# with the cluster settled before each step (every worker ready, a leader, and a tick of its epoch):
#   baseline    kill -9 of a follower: until the master logs that it will restart it and its view no longer
#               lists it as ready (how fast the master sees a worker die), and until its replacement is ready (a
#               restart, mostly a JVM start)
#   failover    kill -9 of the leader: until the master's log and its view name another leader under a greater
#               epoch, until GET /actuator/supervisor does, and until the instant of that epoch's first tick
# and RELOADS times a rolling reload (SIGHUP): how long the view shows no leader, the master's own revoke-to-grant
# time from its log, and the gap between the old epoch's last tick and the new one's first (its baseline: the
# interval between two ticks of one leader, from the same file). bench/leader.py polls the master's view every 10 ms
# over its control socket (GET /actuator/supervisor shows the same view, but each worker keeps it up to a second: a
# row shows what that adds) and sends the signals itself, right before its first poll. Prints one markdown table
# on stdout (also saved to $OUT/result.md), median and max of each figure, and the ratio of a median to its baseline;
# progress on stderr; the app's log, the tick file and the raw figures stay in $OUT. Every process is stopped by
# pid. About 3 minutes.
#
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]  JAVA_OPTS [none]
#   WORKERS [3], REPS [5] kills of each kind, RELOADS [3] rolling reloads, READY_TIMEOUT [120] seconds,
#   OUT [bench/out/leader], STRICT [0]: 1 makes the script exit 1 when a failover took more than 1 s in the master's view
#   or a measurement failed
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
WORKERS=${WORKERS:-3}
REPS=${REPS:-5}
RELOADS=${RELOADS:-3}
READY_TIMEOUT=${READY_TIMEOUT:-120}
OUT=${OUT:-$BENCH_DIR/out/leader}
STRICT=${STRICT:-0}
LOG_TAG=leader
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
HELPER="python3 $BENCH_DIR/leader.py"

require_java_python "the cluster view's polls and the tick file"
require_jar
[ "$WORKERS" -ge 2 ] || die "WORKERS must be at least 2: a failover needs another ready worker"
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/*.log "$OUT"/*.txt "$OUT"/result.md
private_run_dir leader
TICKS=$OUT/ticks.txt
FIGURES=$OUT/figures.txt
LAUNCHED=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  trap '' PIPE   # stderr may be a closed pipe: logging must not kill the cleanup
  cleanup_run
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP
trap 'exit 141' PIPE

FAILED=0
record() { echo "$1 $2" >> "$FIGURES"; }
settle() { $HELPER settle "$PORT" "$RUN_DIR/leader" "$WORKERS" --ticks "$TICKS" --timeout "$READY_TIMEOUT" || die "the cluster did not settle"; }

HEADER="$(machine); sample app, $WORKERS workers, JAVA_OPTS='$JAVA_OPTS', $REPS kills of a follower and of the leader, $RELOADS rolling reloads (SIGHUP); the master's view polled every 10 ms over its control socket"
log "$HEADER"
# short restart delays, as in LeaderIntegrationTests: every repetition kills a worker, often of the same slot
start_cluster leader "$WORKERS" --sample.tick-file="$TICKS" --supervisor.restart.backoff-initial=200ms \
    --supervisor.restart.backoff-max=1s
settle

for (( i = 1; i <= REPS; i++ )); do
  settle
  if result=$($HELPER kill-follower "$PORT" "$RUN_DIR/leader" --log "$OUT/leader.log" --timeout "$READY_TIMEOUT"); then
    read -r gone ready logged pid slot moved <<< "$result"
    WORKERS_SEEN+=("$pid")
    log "follower $i: worker $pid (slot $slot) seen gone after ${gone} ms (master's log ${logged} ms), replacement ready after ${ready} ms"
    [ "$moved" = 0 ] || { log "follower $i: leadership moved when a follower died"; FAILED=$(( FAILED + 1 )); }
    record follower-gone "$gone"; record follower-ready "$ready"; record follower-logged "$logged"
  else
    log "follower $i: the measurement failed"; FAILED=$(( FAILED + 1 ))
  fi
  remember_workers
  settle
  if result=$($HELPER kill-leader "$PORT" "$RUN_DIR/leader" --ticks "$TICKS" --log "$OUT/leader.log"); then
    read -r granted shown tick logged old new <<< "$result"
    log "leader $i: epoch $old -> $new: granted after ${granted} ms (master's log ${logged} ms, endpoint ${shown} ms), first tick after ${tick} ms"
    record leader-granted "$granted"; record leader-endpoint "$shown"; record leader-tick "$tick"
    record leader-logged "$logged"
    awk -v g="$granted" 'BEGIN { exit !(g > 1000) }' && FAILED=$(( FAILED + 1 ))
  else
    log "leader $i: the measurement failed"; FAILED=$(( FAILED + 1 ))
  fi
  remember_workers
done

for (( i = 1; i <= RELOADS; i++ )); do
  settle
  remember_workers
  if result=$($HELPER reload "$PORT" "$RUN_DIR/leader" "$MASTER" --ticks "$TICKS" --log "$OUT/leader.log"); then
    read -r view_gap tick_gap log_gap old new took <<< "$result"
    log "reload $i: epoch $old -> $new: no leader in the view for ${view_gap} ms, master's log ${log_gap} ms, tick gap ${tick_gap} ms; reload ${took} s"
    record reload-view-gap "$view_gap"; record reload-log-gap "$log_gap"; record reload-tick-gap "$tick_gap"
    record reload-duration "$took"
  else
    log "reload $i: the measurement failed"; FAILED=$(( FAILED + 1 ))
  fi
  remember_workers
done
$HELPER intervals --ticks "$TICKS" | sed 's/^/tick-interval /' >> "$FIGURES"
grep -E 'Leadership:' "$OUT/leader.log" > "$OUT/leadership.txt" 2>/dev/null
stop_cluster "leader: master"

{
  echo "$HEADER"
  echo
  echo "| measurement | n | median | max | median vs. baseline |"
  echo "|---|---|---|---|---|"
  $HELPER table "$FIGURES"
  if [ "$FAILED" -gt 0 ]; then echo; echo "$FAILED measurement(s) failed or missed the 1 s failover: see $OUT"; fi
} | tee "$OUT/result.md"

[ "$STRICT" = 1 ] && [ "$FAILED" -gt 0 ] && exit 1
exit 0
