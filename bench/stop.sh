#!/usr/bin/env bash
# Boot Supervisor benchmark: a graceful stop (SIGTERM to the master) under wrk load loses no request that the kernel
# had taken (issue 26). Each run starts a 2-worker cluster, runs `wrk -t2 -c32` against GET /, sends SIGTERM to the
# master STOP_AT seconds in, and reads wrk's report once the master has exited: read errors (a request sent on a
# connection that was then reset) and timeouts must be 0. Connects refused once the socket is gone are no lost
# requests (a client retries them safely): wrk counts a refused non-blocking connect as a write error, so that
# column is shown apart, as "refused". Keep-alive connections, then `Connection: close` (a new connection per
# request), on sample-app.jar (Tomcat) and sample-app-jetty.jar (Jetty), RUNS runs each.
#
#   mvn -B install -DskipTests && bash bench/stop.sh
#
# Prints one header line (machine) and one markdown table on stdout (also saved to $OUT/result.md); progress on
# stderr, every app's log and wrk report in $OUT. 127.0.0.1 only, free ports. Needs java and wrk (installed with
# apt-get when missing and run as root). About 2 minutes with the defaults.
# Settings (environment variables, defaults in brackets):
#   JARS [sample-app/target/sample-app.jar sample-app/target/sample-app-jetty.jar]  JAVA [java]  JAVA_OPTS [none]
#   RUNS [3] runs per server and connection mode, DURATION [10] seconds of wrk, STOP_AT [4] seconds into it,
#   THREADS [2], CONNECTIONS [32], READY_TIMEOUT [120], OUT [bench/out/stop], STRICT [0]: 1 exits 1 on a miss
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JARS=${JARS:-"$ROOT/sample-app/target/sample-app.jar $ROOT/sample-app/target/sample-app-jetty.jar"}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
STOP_AT=${STOP_AT:-4}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
READY_TIMEOUT=${READY_TIMEOUT:-120}
OUT=${OUT:-$BENCH_DIR/out/stop}
STRICT=${STRICT:-0}
LOG_TAG=stop
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

require_wrk
mkdir -p "$OUT"
RUN_DIR=$(mktemp -d "/tmp/bench-stop.XXXXXX") || die "cannot create a run directory"
LAUNCHED=()
WRK=""
cleanup() {
  [ -n "$WRK" ] && kill "$WRK" 2>/dev/null
  if [ -n "$MASTER" ] && alive "$MASTER"; then stop_app "$MASTER" cleanup 60; fi
  kill_survivors "${WORKERS_SEEN[@]}"
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HEADER="$(machine); GET / under wrk -t$THREADS -c$CONNECTIONS for ${DURATION}s, SIGTERM to the master at ${STOP_AT}s, $RUNS runs each"
log "$HEADER"
ROWS=()
MISSED=0
for jar in $JARS; do
  JAR=$jar
  require_jar
  server=tomcat; case "$jar" in *jetty*) server=jetty;; esac
  for mode in keep-alive close; do
    for run in $(seq 1 "$RUNS"); do
      name="$server-$mode-$run"
      WORKERS_SEEN=()
      start_cluster "$name" 2 --supervisor.cds.enabled=false
      header=()
      [ "$mode" = close ] && header=(-H "Connection: close")
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 2s "${header[@]}" "http://127.0.0.1:$PORT/" \
        > "$OUT/$name.wrk" 2>&1 &
      WRK=$!
      sleep "$STOP_AT"
      stop_at=$(now)
      kill -TERM "$MASTER"
      wait "$MASTER" 2>/dev/null; code=$?
      stopped=$(awk -v a="$stop_at" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
      wait "$WRK"; WRK=""
      kill_survivors "${WORKERS_SEEN[@]}"
      MASTER=""
      requests=$(awk '/requests in/ {print $1}' "$OUT/$name.wrk")
      read -r connect read write timeout <<< "$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$OUT/$name.wrk")"
      non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/$name.wrk")
      connect=${connect:-0}; read=${read:-0}; write=${write:-0}; timeout=${timeout:-0}; non2xx=${non2xx:-0}
      verdict=PASS
      if [ "$read" != 0 ] || [ "$timeout" != 0 ] || [ "$non2xx" != 0 ] || [ "$code" != 0 ]; then verdict=MISS; MISSED=1; fi
      ROWS+=("| $server | $mode | $run | $requests | $read | $timeout | $non2xx | $((connect + write)) | $code | ${stopped} | $verdict |")
      log "$name: $requests requests, read $read, timeout $timeout, non-2xx $non2xx, refused $((connect + write)), exit $code in ${stopped}s: $verdict"
    done
  done
done

{
  echo "$HEADER"
  echo
  echo "| server | connections | run | requests | read errors (lost) | timeouts (> 2 s) | non-2xx | refused connects (wrk: connect + write) | master exit code | stop took s | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Target: 0 read errors, 0 timeouts, 0 non-2xx and exit code 0 in every run: $([ "$MISSED" = 0 ] && echo PASS || echo MISS)"
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/result.md"
[ "$STRICT" = 1 ] && [ "$MISSED" = 1 ] && exit 1
exit 0
