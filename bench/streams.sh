#!/usr/bin/env bash
# Boot Supervisor benchmark: rolling reloads of workers that hold WebSocket sessions and server-sent event streams
# (issue 23), against the same reloads without them, in the same run, on the same cluster.
#
#   mvn -B install -DskipTests && bash bench/streams.sh
#
# Starts the sample app with 2 workers on a free 127.0.0.1 port (its own run directory, a private copy of the jar),
# with --supervisor.reload.canary-period=0s (no canary: its 10 s wait would blur the reload time) and class-data
# training off (no training JVM during the measurement). Then RELOADS times, alternating:
#   (a) a reload with no stream clients, (b) a reload with SSE + WS stream clients open (bench/StreamClients.java:
#       SSE on GET /events, WS half on /ws/echo, half on /ws/plain, spread by the kernel over the 2 workers, each
#       reconnecting as a browser would: RETRY ms after a close, or the server's `retry:` for SSE),
# each under `wrk -tTHREADS -cCONNECTIONS` on GET / (bench/count.lua counts the non-2xx), from FIRST_AT seconds before
# the reload until TAIL seconds after the last old worker exited. The reload is `--supervisor.command=reload`, timed
# from the command's launch to its exit. Last, with the stream clients open once more, SIGTERM to the master: its
# exit code and how long it took (the stop row).
# Prints a header line (machine), a table per reload and a summary table with the targets on stdout (also saved to
# $OUT/result.md); progress on stderr; the app's log, wrk's reports, the reload commands' output and the stream
# clients' records stay in $OUT. Targets: reload time with streams at most 1.2x without (medians); 0 failed wrk
# requests (socket errors + non-2xx); every stream close followed by an event from another worker within 1 s
# (reconnect included); 0 clients that never got events again; stop exits 0 within drain-timeout + 8 s (18 s).
# Every process is stopped by pid, on exit and on Ctrl-C. About 4 to 5 minutes with the defaults on 2 cores, more
# when the reloads with streams are slow (each old worker that keeps a stream open waits out its drain timeout).
#
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]  JAVA_OPTS [none] for the app,
#   CMD_OPTS [-XX:TieredStopAtLevel=1 -XX:+UseSerialGC] for the reload command JVMs,
#   CLIENT_OPTS [-XX:+UseSerialGC -Xmx128m] for the stream clients' JVM,
#   RELOADS [3] reloads of each kind, SSE [100] and WS [100] stream clients, RETRY [100] ms before a reconnect,
#   SSE_CONNECTION [reuse]: `reuse` lets an SSE reconnect take an idle keep-alive connection from the client's pool
#   (as browsers and the JDK's HttpClient do), `new` gives every stream a connection of its own (Connection: close),
#   THREADS [2] and CONNECTIONS [16] of wrk, WRK_TIMEOUT [10] seconds before wrk counts a request as a timeout
#   (its default, 2 s, counts the odd slow answer of a loaded 2-core machine as a failure), WARMUP [5] seconds of wrk before the first reload, FIRST_AT [3] seconds
#   of wrk before each reload, TAIL [3] seconds after its old workers exited, DRAIN_TIMEOUT [10] seconds (the
#   app's supervisor.drain-timeout, for the stop target), READY_TIMEOUT [120], RELOAD_TIMEOUT [300] seconds,
#   OUT [bench/out/streams], STRICT [0]: 1 makes the script exit 1 when a target is missed
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
CMD_OPTS=${CMD_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
CLIENT_OPTS=${CLIENT_OPTS:--XX:+UseSerialGC -Xmx128m}
RELOADS=${RELOADS:-3}
SSE=${SSE:-100}
WS=${WS:-100}
RETRY=${RETRY:-100}
SSE_CONNECTION=${SSE_CONNECTION:-reuse}
THREADS=${THREADS:-2}
WRK_TIMEOUT=${WRK_TIMEOUT:-10}
CONNECTIONS=${CONNECTIONS:-16}
WARMUP=${WARMUP:-5}
FIRST_AT=${FIRST_AT:-3}
TAIL=${TAIL:-3}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-10}
READY_TIMEOUT=${READY_TIMEOUT:-120}
RELOAD_TIMEOUT=${RELOAD_TIMEOUT:-300}
OUT=${OUT:-$BENCH_DIR/out/streams}
STRICT=${STRICT:-0}
LOG_TAG=streams
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- prerequisites
require_wrk
require_java_python "used to count the stream clients' records"
require_jar
[ -s "$BENCH_DIR/StreamClients.java" ] || die "$BENCH_DIR/StreamClients.java is missing"
[ "$RELOADS" -ge 1 ] || die "RELOADS must be at least 1"
case "$SSE_CONNECTION" in reuse|new) ;; *) die "SSE_CONNECTION must be reuse or new";; esac
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/*.log "$OUT"/*.txt "$OUT"/*.out "$OUT"/result.md
private_run_dir streams

# ---------------------------------------------------------------- process bookkeeping (by pid only)
LAUNCHED=()
WRK_PID=""
CMD_PID=""
CLIENTS_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  trap '' PIPE   # stderr may be a closed pipe: logging must not kill the cleanup
  if [ -n "$WRK_PID" ] && alive "$WRK_PID"; then kill -KILL "$WRK_PID" 2>/dev/null; fi
  if [ -n "$CMD_PID" ] && alive "$CMD_PID"; then kill -KILL "$CMD_PID" 2>/dev/null; fi
  if [ -n "$CLIENTS_PID" ] && alive "$CLIENTS_PID"; then kill -KILL "$CLIENTS_PID" 2>/dev/null; fi
  cleanup_run
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP
trap 'exit 141' PIPE

# ---------------------------------------------------------------- stream clients
start_clients() { # start_clients NAME: SSE + WS clients on $PORT, returns once every one got its first event
  local name=$1 waited=0
  rm -f "$RUN_DIR/$name.stop"
  # shellcheck disable=SC2086
  "$JAVA" $CLIENT_OPTS "$BENCH_DIR/StreamClients.java" "$PORT" "$SSE" "$WS" "$RETRY" "$RUN_DIR/$name.stop" \
      "$OUT/$name-streams.txt" "$SSE_CONNECTION" > "$OUT/$name-clients.out" 2>&1 &
  CLIENTS_PID=$!
  until grep -q '^READY' "$OUT/$name-clients.out" 2>/dev/null; do
    alive "$CLIENTS_PID" || { cat "$OUT/$name-clients.out" >&2; die "$name: the stream clients exited"; }
    [ "$waited" -lt 1200 ] || { cat "$OUT/$name-clients.out" >&2; die "$name: the stream clients not all served within 120s"; }
    sleep 0.1; waited=$(( waited + 1 ))
  done
  log "$name: stream clients (pid $CLIENTS_PID) open, per worker pid: $(grep '^READY' "$OUT/$name-clients.out" | cut -d' ' -f3-)"
}

stop_clients() { # stop_clients NAME: the clients write their records and exit
  local name=$1 waited=0
  touch "$RUN_DIR/$name.stop"
  while alive "$CLIENTS_PID" && [ "$waited" -lt 300 ]; do sleep 0.1; waited=$(( waited + 1 )); done
  if alive "$CLIENTS_PID"; then log "$name: the stream clients did not exit: SIGKILL"; kill -KILL "$CLIENTS_PID"; fi
  wait "$CLIENTS_PID" 2>/dev/null
  CLIENTS_PID=""
}

# ---------------------------------------------------------------- one reload under wrk
measure() { # measure NAME STREAMS(0|1): appends a line to $OUT/runs.txt
  local name=$1 streams=$2 before t_start t_cmd t_end rc deadline p master_says
  [ "$streams" = 1 ] && start_clients "$name"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$(( FIRST_AT + RELOAD_TIMEOUT + TAIL + 60 ))s" --timeout "${WRK_TIMEOUT}s" -s "$BENCH_DIR/count.lua" \
      "http://127.0.0.1:$PORT/" > "$OUT/$name-wrk.txt" 2>&1 &
  WRK_PID=$!
  sleep "$FIRST_AT"
  before=$(workers_of "$MASTER")
  WORKERS_SEEN+=($before)
  t_start=$(now)
  # shellcheck disable=SC2086
  "$JAVA" $CMD_OPTS -jar "$JAR" --supervisor.run-dir="$RUN_DIR/app" --supervisor.command=reload \
      > "$OUT/$name-reload.txt" 2>&1 &
  CMD_PID=$!
  wait "$CMD_PID"; rc=$?
  CMD_PID=""
  t_cmd=$(now)
  deadline=$(( $(date +%s) + RELOAD_TIMEOUT ))
  for p in $before; do
    while alive "$p" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  done
  t_end=$(now)
  remember_workers
  sleep "$TAIL"
  kill -INT "$WRK_PID" 2>/dev/null
  wait "$WRK_PID" 2>/dev/null
  WRK_PID=""
  [ "$streams" = 1 ] && stop_clients "$name"
  master_says=$(grep -oE 'reloaded [0-9]+ workers in [0-9.]+ (ms|s|min)' "$OUT/$name-reload.txt" | head -1 | awk '
    { v = $(NF - 1); u = $NF; if (u == "ms") v /= 1000; if (u == "min") v *= 60; printf "%.1f", v }')
  [ "$rc" -eq 0 ] || { log "$name: reload FAILED (exit code $rc):"; sed 's/^/    /' "$OUT/$name-reload.txt" >&2; }
  # name streams exit-code command-s old-gone-s master-s old-pids | new-pids
  echo "$name $streams $rc $(elapsed "$t_start" "$t_cmd") $(elapsed "$t_start" "$t_end") ${master_says:--} $(echo $before | tr ' ' ,) $(workers_of "$MASTER" | paste -sd, -)" >> "$OUT/runs.txt"
  log "$name: reload exit $rc, command $(elapsed "$t_start" "$t_cmd")s, old workers gone after $(elapsed "$t_start" "$t_end")s; workers now $(workers_of "$MASTER" | paste -sd' ' -); wrk: $(grep -E '^lua:|Socket errors' "$OUT/$name-wrk.txt" | paste -sd' ' -)"
}

# ---------------------------------------------------------------- the run
HEADER="$(machine); sample app, 2 workers, --supervisor.reload.canary-period=0s (no canary, so that its 10 s wait does not blur the reload time), class-data training off; GET / under wrk -t$THREADS -c$CONNECTIONS --timeout ${WRK_TIMEOUT}s; $RELOADS reloads without and $RELOADS with stream clients, alternating; stream clients: $SSE SSE (GET /events) + $WS WebSocket (half /ws/echo, half /ws/plain), reconnect after ${RETRY} ms (SSE: the server's retry when it sent one), SSE reconnects on a $([ "$SSE_CONNECTION" = reuse ] && echo "pooled keep-alive connection when one is idle (as browsers do)" || echo "new connection each (Connection: close)"); JAVA_OPTS='$JAVA_OPTS'"
log "$HEADER"
: > "$OUT/runs.txt"
start_cluster app 2 --supervisor.reload.canary-period=0s --supervisor.cds.enabled=false
log "warm-up: wrk ${WARMUP}s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/" > "$OUT/warmup-wrk.txt" 2>&1
for (( i = 1; i <= RELOADS; i++ )); do
  alive "$MASTER" || die "the master is gone"
  measure "plain-$i" 0
  measure "streams-$i" 1
done

# the stop row: SIGTERM to the master with the stream clients open
start_clients stop
remember_workers
t_start=$(now)
kill -TERM "$MASTER"
wait "$MASTER" 2>/dev/null; STOP_CODE=$?
STOP_S=$(elapsed "$t_start" "$(now)")
MASTER=""
stop_clients stop
log "stop: exit code $STOP_CODE after ${STOP_S}s"
grep -E 'Worker [0-9]+ \(pid|Rolling reload|drain' "$OUT/app.log" > "$OUT/transitions.txt" 2>/dev/null

# ---------------------------------------------------------------- tables
python3 - "$OUT" "$RELOADS" "$STOP_CODE" "$STOP_S" "$DRAIN_TIMEOUT" "$HEADER" "$STRICT" <<'PY' | tee "$OUT/result.md"
import os, re, statistics, sys, time

out, reloads, stop_code, stop_s, drain_timeout, header, strict = sys.argv[1:8]
stop_code, stop_s, drain_timeout = int(stop_code), float(stop_s), float(drain_timeout)
STALE_MS = 2000  # a client with no event for this long at the end gets no events

def wrk(name):
    text = open(os.path.join(out, name + "-wrk.txt"), errors="replace").read()
    m = re.search(r"(\d+) requests in", text)
    requests = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = list(map(int, m.groups())) if m else [0, 0, 0, 0]
    m = re.search(r"lua: sent (\d+), responses (\d+), non-2xx (\d+)", text)
    non2xx = int(m.group(3)) if m else 0
    return requests, sum(errors) + non2xx, "connect %d, read %d, write %d, timeout %d, non-2xx %d" % (*errors, non2xx)

def streams(name, new_pids):
    closes, clients = [], []
    for line in open(os.path.join(out, name + "-streams.txt")):
        f = line.split()
        if f[0] == "close":
            closes.append(dict(client=int(f[1]), kind=f[2], endpoint=f[3], at=int(f[4]), how=f[5], before=f[6],
                               same=int(f[7]), after=f[8], ms=None if f[9] == "-" else int(f[9])))
        elif f[0] == "client":
            clients.append(dict(client=int(f[1]), kind=f[2], first=f[4], last=f[5], closes=int(f[6]),
                                failed=int(f[7]), age=None if f[8] == "-" else int(f[8])))
    never = [c for c in clients if c["age"] is None or c["age"] > STALE_MS or (new_pids and c["last"] not in new_pids)]
    return closes, clients, never

def tally(closes):
    counts = {}
    for c in closes:
        counts[c["how"]] = counts.get(c["how"], 0) + 1
    return ", ".join("%s %d" % (k, v) for k, v in sorted(counts.items())) or "none"

def clock(ms): # epoch ms as the app's log shows it
    return time.strftime("%H:%M:%S", time.gmtime(ms / 1000)) + ".%03dZ" % (ms % 1000)

def p99(values):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(0.99 * len(values)))]

runs = [line.split() for line in open(os.path.join(out, "runs.txt")) if line.strip()]
rows, times, failed, all_closes, all_never, late = [], {"0": [], "1": []}, {"0": 0, "1": 0}, [], [], []
for name, streams_on, rc, cmd_s, gone_s, master_s, old, new in runs:
    requests, fail, detail = wrk(name)
    failed[streams_on] += fail
    if rc == "0":
        times[streams_on].append(float(cmd_s))
    cells = ["—"] * 6
    if streams_on == "1":
        closes, clients, never = streams(name, set(new.split(",")))
        all_closes += closes
        all_never += [(name, c) for c in never]
        delays = [c["ms"] for c in closes if c["ms"] is not None]
        slow = [c for c in closes if c["ms"] is None or c["ms"] > 1000]
        late += [(name, c) for c in slow]
        same = sum(1 for c in closes if c["same"] > 0)
        ready = [l for l in open(os.path.join(out, name + "-clients.out")) if l.startswith("READY")]
        spread = "/".join(kv.split("=")[1] for kv in ready[0].split()[2:]) if ready else "?"
        cells = [spread, tally(closes), "%s / %s" % (max(delays) if delays else "—", p99(delays) if delays else "—"),
                 str(len(slow)), str(same), str(len(never))]
    rows.append("| %s | %s | %s | %s | %s | %s | %d | **%d** (%s) | %s |" % (
        name, "yes" if streams_on == "1" else "no", "exit %s" % rc if rc != "0" else "ok", cmd_s, gone_s, master_s,
        requests, fail, detail, " | ".join(cells)))

stop_closes, stop_clients, _ = streams("stop", set())
print(header)
print()
print("| run | streams open | reload | command s | old workers gone s | master's figure s | wrk requests | failed requests (socket errors + non-2xx) | stream clients per old worker | stream closes (how: count) | delay to an event from another worker, ms: max / p99 | closes not followed by one within 1 s | closes whose reconnect landed on the closing worker again | clients without events at the end |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
print()

def median(values):
    return statistics.median(values) if values else None

m0, m1 = median(times["0"]), median(times["1"])
ratio = (m1 / m0) if m0 and m1 else None
delays = [c["ms"] for c in all_closes if c["ms"] is not None]
checks = []
def check(what, without, with_, target, ok):
    checks.append(ok)
    print("| %s | %s | %s | %s | %s |" % (what, without, with_, target, "PASS" if ok else "MISS"))

print("| measure | without streams | with streams | target | result |")
print("|---|---|---|---|---|")
check("reload wall time, median of %s (command launch to exit), s" % reloads,
      "%.1f" % m0 if m0 else "n/a", "%.1f (%.2fx)" % (m1, ratio) if ratio else "n/a", "≤ 1.2x", ratio is not None and ratio <= 1.2)
check("failed ordinary requests under wrk (sum over the runs)", failed["0"], failed["1"], "0", failed["0"] == 0 and failed["1"] == 0)
print("| stream closes during the reloads | — | %s | WebSocket 1001, SSE clean ends | — |" % tally(all_closes))
check("delay from a close to an event from another worker (reconnect included), ms: max / p99", "—",
      "%s / %s" % (max(delays), p99(delays)) if delays else "n/a", "≤ 1000",
      bool(delays) and max(delays) <= 1000 and len(late) == 0)
check("closes not followed by an event from another worker within 1 s", "—", len(late), "0", len(late) == 0)
check("stream clients that never got events again", "—", len(all_never), "0", len(all_never) == 0)
check("stop (SIGTERM to the master) with the streams open: exit code, wall time s", "—",
      "exit %d in %.1f s (closes: %s)" % (stop_code, stop_s, tally(stop_closes)),
      "exit 0 in < %.0f s (drain-timeout + 8 s)" % (drain_timeout + 8), stop_code == 0 and stop_s < drain_timeout + 8)
if late or all_never:
    print()
    for name, c in late[:20]:
        print("- %s: %s client %d (%s) closed at %s by %s (pid %s), %s" % (
            name, c["kind"], c["client"], c["endpoint"], clock(c["at"]), c["how"], c["before"],
            "no event from another worker by the end" if c["ms"] is None else "event from pid %s after %d ms" % (c["after"], c["ms"]))
            + (" (%d reconnect(s) to pid %s first)" % (c["same"], c["before"]) if c["same"] else ""))
    if len(late) > 20:
        print("- ... %d more in %s/*-streams.txt" % (len(late) - 20, out))
    for name, c in all_never[:10]:
        print("- %s: %s client %d without events at the end: last pid %s, last event %s ms before" % (
            name, c["kind"], c["client"], c["last"], c["age"]))
print()
print("Load average at the end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
sys.exit(1 if strict == "1" and not all(checks) else 0)
PY
