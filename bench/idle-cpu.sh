#!/usr/bin/env bash
# Boot Supervisor benchmark: the settled master's own CPU, idle, with its class-data archive ready against
# `--supervisor.cds.enabled=false`, measured in the same run (target: at most 1.2x).
#
#   mvn -B package -DskipTests && bash bench/idle-cpu.sh
#
# Prints one header line (machine) and one markdown table on stdout (also saved to $OUT/idle-cpu.md); progress on
# stderr, every app's output in $OUT. 127.0.0.1 only, free ports. About 2 minutes with the defaults.
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]  JAVA [java]  JAVA_OPTS [none]  WORKERS [2]  SECONDS_MEASURED [20]
#   SETTLE [5] seconds between ready and the measurement  READY_TIMEOUT [120] seconds  OUT [bench/out]
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
WORKERS=${WORKERS:-2}
SECONDS_MEASURED=${SECONDS_MEASURED:-20}
SETTLE=${SETTLE:-5}
READY_TIMEOUT=${READY_TIMEOUT:-120}
OUT=${OUT:-$BENCH_DIR/out}
LOG_TAG=idle-cpu
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

require_jar
mkdir -p "$OUT"
RUN_BASE=$(mktemp -d "${TMPDIR:-/tmp}/boot-supervisor-idle-cpu.XXXXXX")
chmod 700 "$RUN_BASE"
LAUNCHED=()
cleanup() {
  local p
  for p in "${LAUNCHED[@]}"; do stop_app "$p" cleanup; done
  rm -rf "$RUN_BASE"
}
die() { log "ERROR: $*"; cleanup; exit 1; }
trap 'cleanup; exit 130' INT TERM

ticks() { echo $(( $(stat_field "$1" 14) + $(stat_field "$1" 15) )); } # utime + stime of a process, in clock ticks
status_line() { "$JAVA" $JAVA_OPTS -jar "$JAR" --supervisor.run-dir="$1" --supervisor.command=status 2>/dev/null | grep -E '^ *cds:'; }

measure() { # measure NAME RUN_DIR ARGS...: settled master's CPU, percent of one core, printed
  local name=$1 dir=$2 port t0 c0 c1 t1 waited=0; shift 2
  port=$(free_port)
  launch "$name" "$port" --supervisor.workers="$WORKERS" --supervisor.run-dir="$dir" "$@"
  $PROBE wait-http "http://127.0.0.1:$port/" --start "$LAUNCH_T" --timeout "$READY_TIMEOUT" --workers "$WORKERS" > /dev/null \
    || die "$name not ready"
  if [ "$name" = archive ]; then
    until status_line "$dir" | grep -q 'cds: ready'; do
      sleep 1; waited=$(( waited + 1 )); [ "$waited" -lt "$READY_TIMEOUT" ] || die "no archive after ${READY_TIMEOUT}s"
    done
    log "$name: $(status_line "$dir" | cut -c1-100)"
  fi
  sleep "$SETTLE"
  c0=$(ticks "$APP_PID"); t0=$(now)
  sleep "$SECONDS_MEASURED"
  c1=$(ticks "$APP_PID"); t1=$(now)
  awk -v c="$(( c1 - c0 ))" -v hz="$(getconf CLK_TCK)" -v s="$(echo "$t1 - $t0" | bc -l)" 'BEGIN {printf "%.2f\n", 100 * c / hz / s}'
  stop_app "$APP_PID" "$name"
}

# the archive is trained by a first launch, then measured on a second launch that finds it warm, as a restart does
ARCHIVE_DIR="$RUN_BASE/archive"
WITH_TRAINING=$(measure archive "$ARCHIVE_DIR")
log "master after training: $WITH_TRAINING % of a core"
WARM=$(measure archive "$ARCHIVE_DIR")
log "master with a warm archive: $WARM % of a core"
OFF=$(measure off "$RUN_BASE/off" --supervisor.cds.enabled=false)
log "master without archives: $OFF % of a core"
cleanup

{
  echo "Machine: nproc $(nproc), memory $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), java: $("$JAVA" -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start $(cut -d' ' -f1-3 /proc/loadavg); $WORKERS workers, ${SECONDS_MEASURED} s measured ${SETTLE} s after ready, JAVA_OPTS='$JAVA_OPTS'"
  echo
  echo "| settled master, idle (utime + stime over ${SECONDS_MEASURED} s) | % of one core | against \`--supervisor.cds.enabled=false\` | target |"
  echo "|---|---|---|---|"
  echo "| archive trained by this launch | $WITH_TRAINING | $(awk -v a="$WITH_TRAINING" -v b="$OFF" 'BEGIN {if (b > 0) printf "%.2fx", a/b; else print "-"}') | at most 1.2x |"
  echo "| archive found warm at launch | $WARM | $(awk -v a="$WARM" -v b="$OFF" 'BEGIN {if (b > 0) printf "%.2fx", a/b; else print "-"}') | at most 1.2x |"
  echo "| \`--supervisor.cds.enabled=false\` | $OFF | 1.00x | - |"
} | tee "$OUT/idle-cpu.md"
