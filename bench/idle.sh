#!/usr/bin/env bash
# Boot Supervisor benchmark, no load: launch to ready, an idle rolling reload, the control commands, and the
# master under a flood of idle control connections. Plain `java -jar` is the baseline, measured in the same run.
#
#   mvn -B install -DskipTests && bash bench/idle.sh
#
# Prints one header line (machine) and one markdown table on stdout (also saved to $OUT/idle.md); progress on
# stderr, every app's output in $OUT. 127.0.0.1 only, free ports. Needs java and python3 (standard library only).
# About 2 minutes with the defaults.
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]  JAVA_OPTS [none]  RUNS [3] launches and reloads
#   COMMAND_RUNS [5] runs of each command  FLOOD [3000] idle control connections  READY_TIMEOUT [120] seconds
#   OUT [bench/out]
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
RUNS=${RUNS:-3}
COMMAND_RUNS=${COMMAND_RUNS:-5}
FLOOD=${FLOOD:-3000}
READY_TIMEOUT=${READY_TIMEOUT:-120}
OUT=${OUT:-$BENCH_DIR/out}
LOG_TAG=idle
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

require_jar
mkdir -p "$OUT"
RUN_BASE=$(mktemp -d "${TMPDIR:-/tmp}/boot-supervisor-idle.XXXXXX")
chmod 700 "$RUN_BASE"
LAUNCHED=()
die() { log "ERROR: $*"; cleanup; exit 1; } # this script's own: it stops what it started first

cleanup() {
  local p
  for p in "${LAUNCHED[@]}"; do stop_app "$p" cleanup; done
  rm -rf "$RUN_BASE"
}
trap 'cleanup; exit 130' INT TERM

command_time() { # command_time ARGS... : run a control command, print "<seconds> <exit code>"
  local t0 rc
  t0=$(now)
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -jar "$JAR" "$@" >> "$OUT/idle-commands.log" 2>&1
  rc=$?
  printf '%.2f %d\n' "$(echo "$(now) - $t0" | bc -l)" "$rc"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
range() { tr ' ' '\n' | grep -v '^$' | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%s to %s", lo, hi}'; }
status_field() { awk -v f="$2:" '$1==f {print $2}' /proc/"$1"/status 2>/dev/null; }

# ---------------------------------------------------------------- 1. launch to ready, interleaved
PLAIN=""; SUPERVISED=""; MASTER_READY=""
for run in $(seq "$RUNS"); do
  port=$(free_port)
  launch "idle-plain-$run" "$port" --supervisor.enabled=false
  t=$($PROBE wait-http "http://127.0.0.1:$port/" --start "$LAUNCH_T" --timeout "$READY_TIMEOUT") || die "plain run $run not ready"
  PLAIN="$PLAIN $t"; stop_app "$APP_PID" "run $run"
  log "plain run $run: answering after $t s"
  port=$(free_port)
  launch "idle-supervised-$run" "$port" --supervisor.workers=2 --supervisor.run-dir="$RUN_BASE/launch-$run"
  t=$($PROBE wait-http "http://127.0.0.1:$port/" --start "$LAUNCH_T" --timeout "$READY_TIMEOUT" --workers 2) || die "supervised run $run not ready"
  m=$(grep -oE 'Supervisor ready: .* \(([0-9.]+) s since launch\)' "$OUT/idle-supervised-$run.log" | grep -oE '[0-9.]+ s since' | grep -oE '^[0-9.]+')
  SUPERVISED="$SUPERVISED $t"; MASTER_READY="$MASTER_READY $m"; stop_app "$APP_PID" "run $run"
  log "supervised run $run: both workers answering after $t s (master: $m s)"
done

# ---------------------------------------------------------------- 2. one cluster: reloads, commands, flood
port=$(free_port)
RUN_DIR="$RUN_BASE/cluster"
launch idle-cluster "$port" --supervisor.workers=2 --supervisor.run-dir="$RUN_DIR"
CLUSTER=$APP_PID
$PROBE wait-http "http://127.0.0.1:$port/" --start "$LAUNCH_T" --timeout "$READY_TIMEOUT" --workers 2 > /dev/null || die "cluster not ready"
RELOAD_MASTER=""; RELOAD_COMMAND=""
for run in $(seq "$RUNS"); do
  read -r t rc < <(command_time --supervisor.run-dir="$RUN_DIR" --supervisor.command=reload)
  [ "$rc" = 0 ] || die "reload $run failed (see $OUT/idle-commands.log)"
  m=$(grep -oE 'Reload succeeded: reloaded 2 workers in [0-9.]+ s' "$OUT/idle-commands.log" | tail -1 | grep -oE '[0-9.]+ s$' | grep -oE '^[0-9.]+')
  RELOAD_MASTER="$RELOAD_MASTER $m"; RELOAD_COMMAND="$RELOAD_COMMAND $t"
  log "reload $run: $m s (master), $t s (command)"
done
STATUS=""; VERSION=""
for run in $(seq "$COMMAND_RUNS"); do
  read -r t rc < <(command_time --supervisor.run-dir="$RUN_DIR" --supervisor.command=status)
  [ "$rc" = 0 ] || die "status $run exited $rc"
  STATUS="$STATUS $t"
  t0=$(now); "$JAVA" $JAVA_OPTS -version > /dev/null 2>&1; VERSION="$VERSION $(printf '%.2f' "$(echo "$(now) - $t0" | bc -l)")"
done
THREADS_BEFORE=$(status_field "$CLUSTER" Threads); RSS_BEFORE=$(status_field "$CLUSTER" VmRSS)
FLOOD_RESULT=$(python3 - "$RUN_DIR/master.sock" "$FLOOD" "$CLUSTER" <<'EOF'
import socket, sys, time
path, count, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
socks = []
for _ in range(count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    socks.append(s)
time.sleep(1)
status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
fds = len(__import__("os").listdir(f"/proc/{pid}/fd"))
print(status["Threads"].strip(), status["VmRSS"].split()[0], fds)
for s in socks:
    s.close()
EOF
)
read -r THREADS_DURING RSS_DURING FDS_DURING <<< "$FLOOD_RESULT"
read -r t rc < <(command_time --supervisor.run-dir="$RUN_DIR" --supervisor.command=status)
STATUS_AFTER_FLOOD="$t s, exit $rc"
FLOOD_LINES=$(grep -cE 'Refused a channel connection|no HELLO within' "$OUT/idle-cluster.log")
read -r t rc < <(command_time --supervisor.run-dir="$RUN_DIR" --supervisor.command=stop)
STOP="$t s, exit $rc"
wait "$CLUSTER" 2>/dev/null
cleanup

# ---------------------------------------------------------------- table
{
  echo "Machine: nproc $(nproc), memory $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), java: $("$JAVA" -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start $(cut -d' ' -f1-3 /proc/loadavg); $RUNS launches and reloads, $COMMAND_RUNS runs per command, JAVA_OPTS='$JAVA_OPTS'"
  echo
  echo "| measurement (sample app, no load) | median | range | baseline in the same run |"
  echo "|---|---|---|---|"
  echo "| launch to ready, plain \`java -jar\` (GET / answers), s | $(echo "$PLAIN" | median) | $(echo "$PLAIN" | range) | - |"
  echo "| launch to ready, 2 workers (both workers answer), s | $(echo "$SUPERVISED" | median) | $(echo "$SUPERVISED" | range) | $(awk -v a="$(echo "$SUPERVISED" | median)" -v b="$(echo "$PLAIN" | median)" 'BEGIN {printf "%.2fx plain", a/b}') |"
  echo "| launch to ready, 2 workers (master's \`Supervisor ready\` figure), s | $(echo "$MASTER_READY" | median) | $(echo "$MASTER_READY" | range) | - |"
  echo "| rolling reload of 2 idle workers (master's figure), s | $(echo "$RELOAD_MASTER" | median) | $(echo "$RELOAD_MASTER" | range) | - |"
  echo "| rolling reload of 2 idle workers (whole \`reload\` command), s | $(echo "$RELOAD_COMMAND" | median) | $(echo "$RELOAD_COMMAND" | range) | $(awk -v a="$(echo "$RELOAD_COMMAND" | median)" -v b="$(echo "$PLAIN" | median)" 'BEGIN {printf "%.2fx a plain launch", a/b}') |"
  echo "| \`status\` command, wall s | $(echo "$STATUS" | median) | $(echo "$STATUS" | range) | \`java -version\`: $(echo "$VERSION" | median) s |"
  echo "| master under $FLOOD idle control connections: threads / RSS MB / open files | $THREADS_DURING / $(awk -v k="$RSS_DURING" 'BEGIN {printf "%.1f", k/1024}') / $FDS_DURING | - | before: $THREADS_BEFORE / $(awk -v k="$RSS_BEFORE" 'BEGIN {printf "%.1f", k/1024}') |"
  echo "| log lines about that flood; \`status\` right after | $FLOOD_LINES; $STATUS_AFTER_FLOOD | - | - |"
  echo "| \`stop\` of the 2-worker cluster | $STOP | - | - |"
} | tee "$OUT/idle.md"
