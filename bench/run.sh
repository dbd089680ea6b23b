#!/usr/bin/env bash
# Boot Supervisor benchmark: plain `java -jar` vs. supervised (1 and 2 workers) on the sample app's GET /.
#
#   mvn -B install -DskipTests && bash bench/run.sh
#
# Prints one header line (machine) and one markdown table on stdout (also saved to bench/out/result.md);
# progress goes to stderr, every app's output and every wrk report to bench/out/.
# Everything listens on 127.0.0.1 only, on free ports. Needs java, wrk and python3 (probes and parsing, standard library only).
#
# What it does (about 5 minutes with the defaults):
#   1. launch to ready, one app at a time: plain (--supervisor.enabled=false), 1 worker, 2 workers
#   2. all three up side by side; a wrk warm-up on each, then ROUNDS measured runs interleaved
#      (plain, 1, 2, plain, 1, 2, ...); the table shows the mean; RSS sampled after the load
#   3. on the 2-worker cluster: the idle master's CPU and RSS, then twice (keep-alive, then
#      `Connection: close`) wrk while STOPS workers, oldest first, get SIGTERM and are replaced
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]  JAVA_OPTS [none: the same JVM flags for every launch]
#   WARMUP [10] seconds of wrk warm-up per app, DURATION [20] seconds per measured run, ROUNDS [2],
#   THREADS [2], CONNECTIONS [32], START_RUNS [1] launches per app for the launch-to-ready figure
#   CHURN_DURATION [20] minimum seconds of wrk while workers are stopped, STOP_AT [5] first stop after that many
#   seconds, STOPS [2] graceful worker stops per churn run, STOP_GAP [2] seconds between a replacement
#   answering and the next stop, TAIL [3] seconds of load kept after the last replacement answers
#   IDLE [10] seconds of idle sampling of the master's CPU, READY_TIMEOUT [120] and STOP_TIMEOUT [40] seconds,
#   OUT [bench/out], STRICT [0]: 1 makes the script exit 1 when a target is missed
#   SERVERS [none]: `SERVERS=tomcat,jetty` runs everything once on sample-app.jar, once on sample-app-jetty.jar
#   (each in OUT/<server>/) and prints the two tables one after the other (also saved to OUT/result.md)
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
WARMUP=${WARMUP:-10}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-2}
START_RUNS=${START_RUNS:-1}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
CHURN_DURATION=${CHURN_DURATION:-20}
STOP_AT=${STOP_AT:-5}
STOPS=${STOPS:-2}
STOP_GAP=${STOP_GAP:-2}
TAIL=${TAIL:-3}
IDLE=${IDLE:-10}
READY_TIMEOUT=${READY_TIMEOUT:-120}
STOP_TIMEOUT=${STOP_TIMEOUT:-40}
OUT=${OUT:-$BENCH_DIR/out}
STRICT=${STRICT:-0}
SERVERS=${SERVERS:-}
LOG_TAG=bench
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------- SERVERS=tomcat,jetty: the whole run once per jar
if [ -n "$SERVERS" ]; then
  mkdir -p "$OUT"
  status=0
  for server in ${SERVERS//,/ }; do
    case $server in
      tomcat) jar=$ROOT/sample-app/target/sample-app.jar;;
      jetty) jar=$ROOT/sample-app/target/sample-app-jetty.jar;;
      *) printf 'bench: unknown server %s in SERVERS (tomcat, jetty)\n' "$server" >&2; exit 2;;
    esac
    printf '[bench] %s: %s\n' "$server" "$jar" >&2
    SERVERS='' JAR=$jar OUT=$OUT/$server bash "${BASH_SOURCE[0]}" > /dev/null || status=1
  done
  {
    for server in ${SERVERS//,/ }; do
      echo "### $server ($( [ "$server" = jetty ] && echo sample-app-jetty.jar || echo sample-app.jar))"
      echo
      cat "$OUT/$server/result.md" 2>/dev/null || echo "(no result: see $OUT/$server)"
      echo
    done
  } | tee "$OUT/result.md"
  exit $status
fi
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# ---------------------------------------------------------------- prerequisites
require_wrk
require_java_python "used for probes and parsing"
require_jar
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/*.log "$OUT"/*.txt "$OUT"/result.md

# ---------------------------------------------------------------- process bookkeeping (by pid only)
RUN_BASE=""
LAUNCHED=()       # every java we started (plain apps and masters)
WORKERS_SEEN=()   # every worker pid we saw, to make sure none survives
WRK_PID=""

remember_workers() { local p; for p in $(workers_of "$1"); do WORKERS_SEEN+=("$p"); done; }
cleanup() {
  local rc=$? pid k
  trap - EXIT INT TERM
  if [ -n "$WRK_PID" ] && alive "$WRK_PID"; then kill -KILL "$WRK_PID" 2>/dev/null; fi
  for pid in "${LAUNCHED[@]}"; do
    if alive "$pid"; then
      for k in $(children "$pid"); do WORKERS_SEEN+=("$k"); done
      log "cleanup: stopping pid $pid"
      stop_app "$pid" cleanup
    fi
  done
  kill_survivors "${WORKERS_SEEN[@]}"
  [ -n "${RUN_BASE:-}" ] && rm -rf "$RUN_BASE"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM
RUN_BASE=$(mktemp -d "${TMPDIR:-/tmp}/bsbench.XXXXXX") || die "cannot create a temporary directory"

# ---------------------------------------------------------------- measurements
fmt_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.1f", 100 * a / b }'; }
mean() { echo "$@" | awk '{ s = 0; n = 0; for (i = 1; i <= NF; i++) if ($i != "") { s += $i; n++ } if (n) printf "%.2f", s / n }'; }

parse_wrk() {
  local k v
  W_rps=""; W_p99_ms=""; W_requests=""; W_failed=""; W_connect=""; W_read=""; W_write=""; W_timeout=""
  W_non2xx=""; W_lua_non2xx=""; W_lua_responses=""; W_lua_sent=""; W_unanswered=""
  while IFS='=' read -r k v; do
    case $k in rps|p99_ms|requests|failed|connect|read|write|timeout|non2xx|lua_non2xx|lua_responses|lua_sent|unanswered)
      printf -v "W_$k" '%s' "$v";;
    esac
  done < <($PROBE wrk "$1" --connections "$CONNECTIONS")
}

wait_ready_plain() { # prints seconds from launch until GET / answers 200
  $PROBE wait-http "http://127.0.0.1:$1/" --start "$LAUNCH_T" --timeout "$READY_TIMEOUT"
}

wait_ready_supervised() { # wait_ready_supervised NAME PORT N: sets R_LOG (s until "Supervisor ready"), R_SELF, R_ALL
  local name=$1 port=$2 n=$3 out
  R_LOG=""; R_SELF=""; R_ALL=""
  out=$($PROBE wait-log "$OUT/$name.log" 'Supervisor ready: .* \(([0-9.]+) s since launch\)' \
        --start "$LAUNCH_T" --timeout "$READY_TIMEOUT" --pid "$APP_PID") || return 1
  R_LOG=${out% *}; R_SELF=${out#* }
  R_ALL=$($PROBE wait-http "http://127.0.0.1:$port/" --start "$LAUNCH_T" --timeout "$READY_TIMEOUT" \
          --workers "$n" --pids "$(workers_of "$APP_PID" | paste -sd, -)") || return 1
}

start_app() { # start_app KEY NAME: launch and wait until ready; sets PID[KEY], PORT[KEY], READY[KEY] (text)
  local key=$1 name=$2 port n
  port=$(free_port)
  if [ "$key" = plain ]; then
    launch "$name" "$port" --supervisor.enabled=false
    PID[$key]=$APP_PID; PORT[$key]=$port
    if ! R_LOG=$(wait_ready_plain "$port"); then
      log "$name: GET / did not answer within ${READY_TIMEOUT}s; last lines of $OUT/$name.log:"; tail -30 "$OUT/$name.log" >&2
      stop_app "$APP_PID" "$name"; PID[$key]=""; return 1
    fi
    READY[$key]=$R_LOG
    log "$name: GET / answers after ${R_LOG}s"
  else
    n=${key#s}
    # a run directory (pid file, lock, control socket) of our own per launch: the three apps run side by side,
    # and a sample-app the user runs on this machine is left alone
    mkdir -m 700 "$RUN_BASE/$name"  # owner-only, else the master refuses it
    launch "$name" "$port" --supervisor.workers="$n" --supervisor.name="bench-$name" --supervisor.run-dir="$RUN_BASE/$name"
    PID[$key]=$APP_PID; PORT[$key]=$port
    if ! wait_ready_supervised "$name" "$port" "$n"; then
      log "$name: cluster not ready within ${READY_TIMEOUT}s; last lines of $OUT/$name.log:"; tail -30 "$OUT/$name.log" >&2
      stop_app "$APP_PID" "$name"; PID[$key]=""; return 1
    fi
    remember_workers "$APP_PID"
    READY[$key]="$R_LOG (master: $R_SELF; all workers answer: $R_ALL)"
    log "$name: 'Supervisor ready' logged after ${R_LOG}s (master says ${R_SELF}s), all $n workers answer after ${R_ALL}s"
  fi
}
churn() { # churn NAME MASTER PORT [extra wrk args]: wrk while STOPS workers are stopped gracefully and replaced
  local name=$1 master=$2 port=$3; shift 3
  local t0 victim i t_term t_up before pids n waited
  C_FAILED=""; C_TOTAL=""; C_DETAIL=""; C_REPLACE=()
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$(( CHURN_DURATION + STOPS * READY_TIMEOUT + 60 ))s" --latency \
      -s "$BENCH_DIR/count.lua" "$@" "http://127.0.0.1:$port/" > "$OUT/$name-wrk.txt" 2>&1 &
  WRK_PID=$!
  t0=$(now)
  log "$name: wrk started (pid $WRK_PID, args: $*)"
  sleep "$STOP_AT"
  for (( i = 1; i <= STOPS; i++ )); do
    before=$(workers_of "$master")
    victim=$(echo "$before" | head -1)
    [ -n "$victim" ] || { log "$name: no worker to stop"; break; }
    WORKERS_SEEN+=($before)
    t_term=$(now)
    log "$name: stop $i: SIGTERM to worker pid $victim (workers: $(echo $before))"
    kill -TERM "$victim"
    # replacement is up when the victim is gone, the master has 2 workers again and both answer GET /
    waited=0; t_up=""
    while [ "$waited" -lt $(( READY_TIMEOUT * 10 )) ]; do
      pids=$(workers_of "$master")
      n=$(echo "$pids" | grep -c .)
      if ! alive "$victim" && [ "$n" -ge 2 ] && ! echo "$pids" | grep -qx "$victim"; then
        if $PROBE wait-http "http://127.0.0.1:$port/" --start "$t_term" --timeout 2 --workers 2 \
             --pids "$(echo "$pids" | paste -sd, -)" > "$OUT/$name-probe.txt" 2>/dev/null; then
          t_up=$(cat "$OUT/$name-probe.txt"); break
        fi
      fi
      sleep 0.1; waited=$(( waited + 1 ))
    done
    remember_workers "$master"
    if [ -z "$t_up" ]; then
      log "$name: stop $i: the replacement did not come up within ${READY_TIMEOUT}s"; C_REPLACE+=("none"); break
    fi
    C_REPLACE+=("$t_up")
    log "$name: stop $i: replacement up ${t_up}s after SIGTERM (workers: $(workers_of "$master" | paste -sd' ' -))"
    [ "$i" -lt "$STOPS" ] && sleep "$STOP_GAP"
  done
  # keep the load for at least CHURN_DURATION and TAIL seconds after the last replacement is up
  local end_at
  end_at=$(awk -v t0="$t0" -v d="$CHURN_DURATION" -v now="$(now)" -v tail="$TAIL" \
           'BEGIN { e = t0 + d; if (now + tail > e) e = now + tail; printf "%.2f", e - now }')
  sleep "$end_at"
  kill -INT "$WRK_PID" 2>/dev/null
  wait "$WRK_PID" 2>/dev/null
  WRK_PID=""
  parse_wrk "$OUT/$name-wrk.txt"
  C_FAILED=$W_failed; C_TOTAL=$W_requests
  C_DETAIL="connect $W_connect, read $W_read, write $W_write, timeout (> 2 s) $W_timeout, non-2xx ${W_lua_non2xx:-$W_non2xx}, unanswered $W_unanswered"
  log "$name: ${C_FAILED:-?} failed of ${C_TOTAL:-?} ($C_DETAIL); wrk ran $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.0f", b-a}')s"
}

# ---------------------------------------------------------------- machine header
JAVA_VERSION=$("$JAVA" $JAVA_OPTS -version 2>&1 | head -1)
MEM=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
HEADER="Machine: nproc $(nproc), memory $MEM, kernel $(uname -r), java: $JAVA_VERSION, $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start $LOAD; wrk -t$THREADS -c$CONNECTIONS, ${WARMUP}s warm-up then ${ROUNDS} x ${DURATION}s measured (interleaved, mean); JAVA_OPTS='${JAVA_OPTS}'"
log "$HEADER"
log "logs in $OUT"
awk -v l="${LOAD%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > 0.5) }' && log "warning: the machine is not idle (load average $LOAD): the figures will be noisy"

KEYS=(plain s1 s2)
declare -A NAME=([plain]=plain [s1]=supervised-1 [s2]=supervised-2)
declare -A PID PORT READY STARTS RPS P99 ERR RSS WRSS

# ---------------------------------------------------------------- 1. launch to ready, one app at a time
for key in "${KEYS[@]}"; do
  STARTS[$key]=""
  for (( s = 1; s <= START_RUNS; s++ )); do
    if start_app "$key" "${NAME[$key]}-start$s"; then
      STARTS[$key]="${STARTS[$key]}${STARTS[$key]:+; }${READY[$key]}"
      stop_app "${PID[$key]}" "${NAME[$key]}-start$s"
    else
      STARTS[$key]="${STARTS[$key]}${STARTS[$key]:+; }not ready"
    fi
  done
done

# ---------------------------------------------------------------- 2. throughput: all three up, measured runs interleaved
for key in "${KEYS[@]}"; do
  start_app "$key" "${NAME[$key]}" || log "${NAME[$key]}: left out of the throughput runs"
done
for key in "${KEYS[@]}"; do
  [ -n "${PID[$key]}" ] || continue
  log "${NAME[$key]}: wrk warm-up ${WARMUP}s"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:${PORT[$key]}/" > "$OUT/${NAME[$key]}-warmup.txt" 2>&1
done
declare -A RPS_RUNS P99_RUNS FAILED_SUM REQ_SUM
for (( r = 1; r <= ROUNDS; r++ )); do
  for key in "${KEYS[@]}"; do
    [ -n "${PID[$key]}" ] || continue
    f="$OUT/${NAME[$key]}-wrk-$r.txt"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:${PORT[$key]}/" > "$f" 2>&1
    parse_wrk "$f"
    RPS_RUNS[$key]="${RPS_RUNS[$key]:-} $W_rps"; P99_RUNS[$key]="${P99_RUNS[$key]:-} $W_p99_ms"
    FAILED_SUM[$key]=$(( ${FAILED_SUM[$key]:-0} + ${W_failed:-0} )); REQ_SUM[$key]=$(( ${REQ_SUM[$key]:-0} + ${W_requests:-0} ))
    log "${NAME[$key]}: round $r: ${W_rps:-?} req/s, p99 ${W_p99_ms:-?} ms, ${W_failed:-?} failed of ${W_requests:-?}"
  done
done
sleep 2
for key in "${KEYS[@]}"; do
  [ -n "${PID[$key]}" ] || continue
  RPS[$key]=$(mean ${RPS_RUNS[$key]}); RPS[$key]=${RPS[$key]%.*}
  P99[$key]=$(mean ${P99_RUNS[$key]})
  ERR[$key]="${FAILED_SUM[$key]}/${REQ_SUM[$key]}"
  RSS[$key]=$(rss_mb "${PID[$key]}")
  [ "$key" != plain ] && WRSS[$key]=$(rss_mb "$(workers_of "${PID[$key]}" | head -1)")
done
for key in plain s1; do
  [ -n "${PID[$key]}" ] && stop_app "${PID[$key]}" "${NAME[$key]}"
done

# ---------------------------------------------------------------- 3. the 2-worker cluster: idle master, graceful stops under load
MASTER=${PID[s2]}
if [ -n "$MASTER" ]; then
  log "supervised-2: sampling the idle master for ${IDLE}s"
  c0=$(cpu_ticks "$MASTER"); t0=$(now)
  sleep "$IDLE"
  c1=$(cpu_ticks "$MASTER"); t1=$(now)
  M_CPU=$(awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", 100 * (c1 - c0) / hz / (t1 - t0) }')
  RSS[s2]=$(rss_mb "$MASTER")
  M_THREADS=$(awk '/^Threads:/ {print $2}' /proc/"$MASTER"/status)
  log "supervised-2: master idle CPU ${M_CPU}%, RSS ${RSS[s2]} MB, $M_THREADS threads"
  churn churn-keepalive "$MASTER" "${PORT[s2]}"
  K_FAILED=$C_FAILED; K_TOTAL=$C_TOTAL; K_DETAIL=$C_DETAIL; K_REPLACE="${C_REPLACE[*]:-}"
  churn churn-close "$MASTER" "${PORT[s2]}" -H "Connection: close"
  X_FAILED=$C_FAILED; X_TOTAL=$C_TOTAL; X_DETAIL=$C_DETAIL; X_REPLACE="${C_REPLACE[*]:-}"
  grep -E 'Worker [0-9]+ \(pid' "$OUT/supervised-2.log" > "$OUT/supervised-2-transitions.txt" 2>/dev/null
  stop_app "$MASTER" supervised-2
fi

# ---------------------------------------------------------------- table
MISSED=0
verdict() { # verdict VAR 0|1|"" : sets VAR to PASS, FAIL or "not measured" (missing figures)
  case $2 in
    1) printf -v "$1" PASS;;
    0) MISSED=1; printf -v "$1" FAIL;;
    *) MISSED=1; printf -v "$1" "not measured";;
  esac
}
na() { [ -n "$1" ] && echo "$1" || echo "n/a"; }
ratio1=$(fmt_ratio "${RPS[s1]:-}" "${RPS[plain]:-}"); ratio2=$(fmt_ratio "${RPS[s2]:-}" "${RPS[plain]:-}")
verdict v_tp "$(awk -v r="$ratio1" 'BEGIN { if (r != "") print (r >= 97) ? 1 : 0 }')"
verdict v_rss "$(awk -v a="${RSS[s1]:-}" -v b="${RSS[s2]:-}" 'BEGIN { if (a != "" || b != "") print ((a == "" || a < 64) && (b == "" || b < 64)) ? 1 : 0 }')"
verdict v_k "$( [ -n "${K_FAILED:-}" ] && { [ "$K_FAILED" = 0 ] && echo 1 || echo 0; })"
verdict v_x "$( [ -n "${X_FAILED:-}" ] && { [ "$X_FAILED" = 0 ] && echo 1 || echo 0; })"

{
  echo "$HEADER"
  echo
  echo "| measurement (sample app, GET /, 127.0.0.1) | plain \`java -jar\` | supervised, 1 worker | supervised, 2 workers | target | result |"
  echo "|---|---|---|---|---|---|"
  echo "| throughput, req/s (ratio to plain) | $(na "${RPS[plain]:-}") | $(na "${RPS[s1]:-}") ($(na "$ratio1")%) | $(na "${RPS[s2]:-}") ($(na "$ratio2")%) | 1 worker >= 97% of plain | $v_tp |"
  echo "| p99 latency, ms | $(na "${P99[plain]:-}") | $(na "${P99[s1]:-}") | $(na "${P99[s2]:-}") | - | - |"
  echo "| errors in the throughput runs, failed/total | $(na "${ERR[plain]:-}") | $(na "${ERR[s1]:-}") | $(na "${ERR[s2]:-}") | 0 | - |"
  echo "| launch to ready, s (plain: GET / answers; supervised: \`Supervisor ready\` logged) | $(na "${STARTS[plain]}") | $(na "${STARTS[s1]}") | $(na "${STARTS[s2]}") | - | - |"
  echo "| RSS after load, MB | $(na "${RSS[plain]:-}") | master $(na "${RSS[s1]:-}"), worker $(na "${WRSS[s1]:-}") | master $(na "${RSS[s2]:-}"), worker $(na "${WRSS[s2]:-}") | master < 64 MB | $v_rss |"
  echo "| master CPU while idle, % of one core over ${IDLE}s | - | - | $(na "${M_CPU:-}") (${M_THREADS:-?} threads) | - | - |"
  echo "| failed/total while ${STOPS} workers are stopped gracefully (SIGTERM) and replaced, keep-alive | - | - | $(na "${K_FAILED:-}")/$(na "${K_TOTAL:-}") ($(na "${K_DETAIL:-}"); replacement answering after: $(na "${K_REPLACE:-}") s) | 0 failed | $v_k |"
  echo "| failed/total, same with \`Connection: close\` (a new connection per request) | - | - | $(na "${X_FAILED:-}")/$(na "${X_TOTAL:-}") ($(na "${X_DETAIL:-}"); replacement answering after: $(na "${X_REPLACE:-}") s) | 0 failed | $v_x |"
} | tee "$OUT/result.md"

[ "$STRICT" = 1 ] && [ "$MISSED" = 1 ] && exit 1
exit 0
