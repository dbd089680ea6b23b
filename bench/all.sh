#!/usr/bin/env bash
# One recorded run of every benchmark, the source of the README's figures:
#
#   mvn -B install -DskipTests && bash bench/all.sh
#
# Runs bench/idle.sh, bench/run.sh, bench/reload.sh, bench/watchdog.sh, bench/leader.sh, bench/metrics.sh, bench/stop.sh, bench/canary.sh and bench/streams.sh one after
# the other (about 41 minutes with these settings)
# and writes their tables, each under its script's name, to $OUT/all.md (also on stdout). Settings pass through
# to the scripts as environment variables (see each script's header); here RELOADS defaults to 3, and SERVERS to
# tomcat,jetty (run.sh then measures sample-app.jar and sample-app-jetty.jar, a table each).
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$BENCH_DIR/out}
mkdir -p "$OUT"
export RELOADS=${RELOADS:-3}
export SERVERS=${SERVERS:-tomcat,jetty}
status=0
{
  echo "Recorded $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
  for script in idle.sh run.sh reload.sh watchdog.sh leader.sh metrics.sh stop.sh canary.sh streams.sh; do
    echo
    echo "### bench/$script"
    echo
    case $script in
      idle.sh) OUT="$OUT" bash "$BENCH_DIR/$script" || status=1 ;;
      run.sh) OUT="$OUT" bash "$BENCH_DIR/$script" || status=1 ;;
      reload.sh) OUT="$OUT/reload" bash "$BENCH_DIR/$script" || status=1 ;;
      watchdog.sh) OUT="$OUT/watchdog" bash "$BENCH_DIR/$script" || status=1 ;;
      leader.sh) OUT="$OUT/leader" bash "$BENCH_DIR/$script" || status=1 ;;
      metrics.sh) OUT="$OUT/metrics" bash "$BENCH_DIR/$script" || status=1 ;;
      stop.sh) OUT="$OUT/stop" bash "$BENCH_DIR/$script" || status=1 ;;
      canary.sh) OUT="$OUT/canary" bash "$BENCH_DIR/$script" || status=1 ;;
      streams.sh) OUT="$OUT/streams" bash "$BENCH_DIR/$script" || status=1 ;;
    esac
  done
} > "$OUT/all.md.partial"
mv "$OUT/all.md.partial" "$OUT/all.md"
cat "$OUT/all.md"
exit $status
