#!/usr/bin/env bash
# Boot Supervisor benchmark: rolling reloads under constant load, on the sample app's GET /.
#
#   mvn -B install -DskipTests && bash bench/reload.sh
#
# Starts the sample app with 2 workers on a free 127.0.0.1 port (its own run directory), then runs wrk with 64
# connections twice: keep-alive, then a new connection per request (`Connection: close`). During each run it
# reloads the cluster RELOADS times with `--supervisor.command=reload`, one reload after the other, and times each.
# Prints one markdown table on stdout (also saved to $OUT/result.md): per traffic kind, requests, failed requests
# (wrk's socket errors connect/read/write/timeout + non-2xx responses), p99 latency during and outside reloads,
# and each reload's duration. Target: 0 failed requests. Progress goes to stderr; the app's log, every wrk report,
# every reload command's output and the per-request latency files stay in $OUT.
#
# Latency during vs outside reloads: wrk reports one latency distribution for the whole run, so a wrk Lua script
# (written to $OUT/latency.lua) records every request: its start time (wall clock, through LuaJIT's FFI and
# clock_gettime, so it lines up with the reload windows this script records with `date`), its latency and its
# status. wrk's Lua callbacks do not say which connection a response belongs to, so wrk runs one thread per
# connection (-t64 -c64): in a thread, request() and response() then alternate and pair up exactly. The latency is
# measured as wrk measures its own (from writing the request to the end of the response; connecting is not in it).
# A request is "during a reload" when it overlaps a reload window: from launching the reload command until every
# worker that was serving before it has exited (the command returns once the last replacement is ready, while the
# last old worker is still draining). Everything else is "outside".
#
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]  JAVA_OPTS [none] for the app,
#   CMD_OPTS [-XX:TieredStopAtLevel=1 -XX:+UseSerialGC] for the short-lived reload command JVMs,
#   WORKERS [2], CONNECTIONS [64], DURATION [60] minimum seconds of each wrk run, RELOADS [5] per run,
#   WARMUP [10] seconds of wrk before the measured runs, FIRST_AT [5] seconds into a run before the first reload,
#   GAP [5] seconds between one reload's end and the next, TAIL [5] seconds of load after the last reload,
#   READY_TIMEOUT [120] and RELOAD_TIMEOUT [300] seconds, OUT [bench/out/reload],
#   KEEP_LATENCY [0]: 1 keeps the per-request latency files (about 30 bytes a request) after the analysis,
#   STRICT [0]: 1 makes the script exit 1 when the target is missed
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
CMD_OPTS=${CMD_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
WORKERS=${WORKERS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-60}
RELOADS=${RELOADS:-5}
WARMUP=${WARMUP:-10}
FIRST_AT=${FIRST_AT:-5}
GAP=${GAP:-5}
TAIL=${TAIL:-5}
READY_TIMEOUT=${READY_TIMEOUT:-120}
RELOAD_TIMEOUT=${RELOAD_TIMEOUT:-300}
OUT=${OUT:-$BENCH_DIR/out/reload}
STRICT=${STRICT:-0}
KEEP_LATENCY=${KEEP_LATENCY:-0}
LOG_TAG=reload
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- prerequisites
require_wrk
require_java_python "used to analyse the latency files"
require_jar
[ "$CONNECTIONS" -ge 1 ] || die "CONNECTIONS must be at least 1"
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/*.log "$OUT"/*.txt "$OUT"/result.md
# The app and the reload commands run a private copy of the jar
private_run_dir reload

# ---------------------------------------------------------------- process bookkeeping (by pid only)
WRK_PID=""
CMD_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  trap '' PIPE   # stderr may be a closed pipe (`... 2>&1 | head`): logging must not kill the cleanup
  if [ -n "$WRK_PID" ] && alive "$WRK_PID"; then kill -KILL "$WRK_PID" 2>/dev/null; fi
  if [ -n "$CMD_PID" ] && alive "$CMD_PID"; then kill -KILL "$CMD_PID" 2>/dev/null; fi
  cleanup_run
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP
trap 'exit 141' PIPE

# ---------------------------------------------------------------- the wrk script: one line per request
cat > "$OUT/latency.lua" <<'LUA'
-- Written by bench/reload.sh. Each wrk thread (one connection each) appends "<start epoch s> <latency us> <status>"
-- per response to <prefix>-<thread>.txt; wrk's own socket error counts cover the requests that got no response.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } reload_bench_timespec;
int clock_gettime(int clock, reload_bench_timespec *spec);
]]
local spec = ffi.new("reload_bench_timespec")
local function wall() -- CLOCK_REALTIME, the clock `date +%s.%N` reads
  ffi.C.clock_gettime(0, spec)
  return tonumber(spec.tv_sec) + tonumber(spec.tv_nsec) / 1e9
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  file = assert(io.open(args[1] .. "-" .. id .. ".txt", "w"))
  started = nil
end

function request()
  started = wall()
  return wrk.format()
end

function response(status, headers, body)
  if started then
    file:write(string.format("%.6f %d %d\n", started, math.floor((wall() - started) * 1e6 + 0.5), status))
    started = nil
  end
end
LUA

# ---------------------------------------------------------------- start the cluster
# the app's log is $OUT/app.log, its run directory $RUN_DIR/app
start_cluster app "$WORKERS"
URL="http://127.0.0.1:$PORT/"
log "warm-up: wrk ${WARMUP}s"
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "$URL" > "$OUT/warmup-wrk.txt" 2>&1
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -H 'Connection: close' "$URL" > "$OUT/warmup-close-wrk.txt" 2>&1

# ---------------------------------------------------------------- one measured run
reload_once() { # reload_once NAME I: one reload; appends its window to $OUT/NAME-windows.txt, sets R_TEXT
  local name=$1 i=$2 before t_start t_cmd t_end rc deadline master_says p
  before=$(workers_of "$MASTER")
  WORKERS_SEEN+=($before)
  t_start=$(now)
  # shellcheck disable=SC2086
  "$JAVA" $CMD_OPTS -jar "$JAR" --supervisor.run-dir="$RUN_DIR/app" --supervisor.command=reload \
      > "$OUT/$name-reload-$i.txt" 2>&1 &
  CMD_PID=$!
  wait "$CMD_PID"; rc=$?
  CMD_PID=""
  t_cmd=$(now)
  # the window ends when every worker that served before the reload has exited (drained); a failed command
  # replaced nothing, so its window ends with it
  deadline=$(( $(date +%s) + RELOAD_TIMEOUT ))
  if [ "$rc" -eq 0 ]; then
    for p in $before; do
      while alive "$p" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
    done
  fi
  t_end=$(now)
  remember_workers
  echo "$t_start $t_end" >> "$OUT/$name-windows.txt"
  master_says=$(grep -oE 'reloaded [0-9]+ workers in [0-9.]+ (ms|s|min)' "$OUT/$name-reload-$i.txt" | head -1 | awk '
    { v = $(NF - 1); u = $NF; if (u == "ms") v /= 1000; if (u == "min") v *= 60; printf "%.1f", v }')
  if [ "$rc" -ne 0 ]; then
    RELOAD_FAILURES=$(( RELOAD_FAILURES + 1 ))
    log "$name: reload $i FAILED (exit code $rc) after $(elapsed "$t_start" "$t_cmd")s:"
    sed 's/^/    /' "$OUT/$name-reload-$i.txt" >&2
    R_TEXT="FAILED (exit $rc)"
  else
    R_TEXT="${master_says:-?}/$(elapsed "$t_start" "$t_cmd")/$(elapsed "$t_start" "$t_end")"
    log "$name: reload $i: master ${master_says:-?}s, command $(elapsed "$t_start" "$t_cmd")s, old workers gone after $(elapsed "$t_start" "$t_end")s; workers now $(workers_of "$MASTER" | paste -sd' ' -)"
  fi
}

measure() { # measure NAME LABEL [extra wrk args]: sets row NAME in the table
  local name=$1 label=$2; shift 2
  local t0 i rest durations=()
  : > "$OUT/$name-windows.txt"
  wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"$(( DURATION + RELOADS * RELOAD_TIMEOUT + 120 ))s" -s "$OUT/latency.lua" \
      "$@" "$URL" -- "$OUT/$name-latency" > "$OUT/$name-wrk.txt" 2>&1 &
  WRK_PID=$!
  t0=$(now)
  log "$name: wrk -t$CONNECTIONS -c$CONNECTIONS $* (pid $WRK_PID); $RELOADS reloads, the first after ${FIRST_AT}s"
  sleep "$FIRST_AT"
  for (( i = 1; i <= RELOADS; i++ )); do
    alive "$MASTER" || { log "$name: the master is gone"; break; }
    reload_once "$name" "$i"
    durations+=("$R_TEXT")
    [ "$i" -lt "$RELOADS" ] && sleep "$GAP"
  done
  rest=$(awk -v t0="$t0" -v d="$DURATION" -v now="$(now)" -v tail="$TAIL" \
         'BEGIN { e = t0 + d; if (now + tail > e) e = now + tail; printf "%.2f", e - now }')
  sleep "$rest"
  kill -INT "$WRK_PID" 2>/dev/null
  wait "$WRK_PID" 2>/dev/null
  WRK_PID=""
  ROW[$name]=$(python3 - "$OUT/$name-wrk.txt" "$OUT/$name-windows.txt" "$OUT/$name-latency" "$t0" <<'PY'
import glob, re, sys

wrk_file, windows_file, prefix, t0 = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
text = open(wrk_file, errors="replace").read()
m = re.search(r"(\d+) requests in ([0-9.]+)(\w+)", text)
requests = int(m.group(1)) if m else 0
errors = dict(connect=0, read=0, write=0, timeout=0)
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
if m:
    errors = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
windows = [tuple(map(float, line.split())) for line in open(windows_file) if line.strip()]
during, outside, non2xx, responses, end = [], [], 0, 0, t0
for name in glob.glob(prefix + "-*.txt"):
    for line in open(name):
        parts = line.split()
        if len(parts) != 3:
            continue
        start, latency_us, status = float(parts[0]), int(parts[1]), int(parts[2])
        responses += 1
        end = max(end, start + latency_us / 1e6)
        if not 200 <= status <= 299:
            non2xx += 1
        stop = start + latency_us / 1e6
        (during if any(start <= b and stop >= a for a, b in windows) else outside).append(latency_us)

def p99(values):
    if not values:
        return "n/a"
    values.sort()
    return "%.1f" % (values[min(len(values) - 1, int(0.99 * len(values)))] / 1000.0)

failed = sum(errors.values()) + non2xx
in_windows = sum(b - a for a, b in windows)
print("|".join([
    str(requests),
    "**%d** (connect %d, read %d, write %d, timeout %d, non-2xx %d)" % (failed, errors["connect"], errors["read"],
                                                                       errors["write"], errors["timeout"], non2xx),
    "%s (%d req, %.0f s)" % (p99(during), len(during), in_windows),
    "%s (%d req)" % (p99(outside), len(outside)),
    str(failed),
]))
PY
)
  [ "$KEEP_LATENCY" = 1 ] || rm -f "$OUT/$name"-latency-*.txt
  ROW[$name]="$label|${ROW[$name]}|$(IFS=';'; echo "${durations[*]}" | sed 's/;/; /g')"
  log "$name: $(echo "${ROW[$name]}" | cut -d'|' -f2-3) failed; wrk ran $(elapsed "$t0" "$(now)")s"
}

declare -A ROW
RELOAD_FAILURES=0
HEADER="$(machine); sample app GET /, $WORKERS workers, wrk -t$CONNECTIONS -c$CONNECTIONS, at least ${DURATION}s per run, $RELOADS reloads per run (\`--supervisor.command=reload\`), JAVA_OPTS='$JAVA_OPTS'"
log "$HEADER"
measure keepalive "keep-alive"
measure close "new connection per request (\`Connection: close\`)" -H "Connection: close"
grep -E 'Worker [0-9]+ \(pid|Rolling reload|Reload' "$OUT/app.log" > "$OUT/transitions.txt" 2>/dev/null

# ---------------------------------------------------------------- table
MISSED=0
[ "$RELOAD_FAILURES" -gt 0 ] && MISSED=1
LINES=()
for name in keepalive close; do
  IFS='|' read -r label requests failed during outside count durations <<< "${ROW[$name]:-}"
  if [ "${count:-x}" = 0 ]; then result=PASS; else result=FAIL; MISSED=1; fi
  LINES+=("| ${label:-$name} | ${requests:-n/a} | ${failed:-n/a} | ${during:-n/a} | ${outside:-n/a} | ${durations:-n/a} | 0 failed requests | $result |")
done
{
  echo "$HEADER"
  echo
  echo "| traffic (wrk, $CONNECTIONS connections) | requests | failed requests (socket errors + non-2xx) | p99 latency during reloads, ms | p99 latency outside reloads, ms | each reload, s (master's figure/command/until the old workers exited) | target | result |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${LINES[@]}"
  if [ "$RELOAD_FAILURES" -gt 0 ]; then echo; echo "$RELOAD_FAILURES reload(s) failed: see $OUT/*-reload-*.txt"; fi
} | tee "$OUT/result.md"

[ "$STRICT" = 1 ] && [ "$MISSED" = 1 ] && exit 1
exit 0
