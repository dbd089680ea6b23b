#!/usr/bin/env bash
# Boot Supervisor benchmark: how much the class-data archive (supervisor.cds.*, issue 13) speeds up worker starts,
# against baselines in the same run, once per JDK in JAVAS (one table each).
#
#   mvn -B verify -DskipTests -DskipITs && bash bench/cds.sh
#
# Per JDK, with the sample app on free 127.0.0.1 ports, each cluster in a run directory of its own:
#   1. a 2-worker cluster with the archive (supervisor.cds.dir a directory of this run): the training time, from
#      the cluster's ready line to master.cds.state = ready in GET /actuator/supervisor, and the archive's size;
#      then RUNS times kill -9 of a worker (slots 1, 2, 1, ...), timed from the kill until the view (polled every
#      50 ms) lists a ready worker of another pid in that slot; then wrk -t2 -c64 on GET / while RELOADS reloads
#      run one after the other (`--supervisor.command=reload`, timed from its launch to its exit), and wrk's
#      failed requests (socket errors, timeouts included, + non-2xx) over the whole wrk run
#   2. the same on a 2-worker cluster with --supervisor.cds.enabled=false (a worker started as before: fat jar,
#      no archive)
#   3. RUNS rounds, interleaved: plain `java -jar` (--supervisor.enabled=false), timed from the spawn to the first
#      200 on GET /; a second launch of a 2-worker cluster on the archive directory of 1. (warm), and a launch with
#      the archive disabled, both timed from the spawn to the master's "Supervisor ready" line
#   4. a 4-worker cluster on the warm archive, then one with it disabled: after ready and REQUESTS requests (a new
#      connection each, so every worker serves some), each worker's PSS (/proc/PID/smaps_rollup) and the mean
# The crash-restart backoff is set to 1 ms on both clusters of 1. and 2. (supervisor.restart.backoff-*), so that
# a replacement's time is its start, not the master's 1 s delay; every worker timed or measured is checked for
# the archive on its command line (-XX:SharedArchiveFile= or -XX:AOTCache=), and the table says how many had it.
# Bars (issue 13): replacement <= 0.6x without the archive; second launch <= plain + 0.5 s; reload <= 0.6x with
# 0 failed requests.
#
# Prints a header line (machine, JVM, date, load) and one markdown table per JDK on stdout, all saved to
# $OUT/cds.md; progress on stderr; each JDK's logs (apps, wrk, reload commands, figures) in $OUT/jdk<N>/. Needs
# java, wrk and python3 (standard library only). Every process it starts is stopped by pid, also on INT/TERM.
# About 10 minutes per JDK with the defaults on an idle 2-core machine (the reloads without the archive under
# load take most of it).
#
# Settings (environment variables, defaults in brackets):
#   JAR [sample-app/target/sample-app.jar]
#   JAVAS [java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java]: the JDKs, space-separated; JAVA_OPTS [none] for the app
#   CMD_OPTS [-XX:TieredStopAtLevel=1 -XX:+UseSerialGC] for the reload command JVMs
#   RUNS [5] plain starts, kills and launches per kind, RELOADS [3] reloads per cluster (under load, each can take
#   a minute or more without the archive),
#   THREADS [2] and CONNECTIONS [64] of wrk, WARMUP [5] seconds of wrk before the first reload, GAP [3] seconds
#   between reloads, SETTLE [2] seconds between a replacement and the next kill, REQUESTS [400] before the PSS,
#   BACKOFF [1ms], READY_TIMEOUT [180] and TRAIN_TIMEOUT [300] seconds, RELOAD_TIMEOUT [300] seconds,
#   OUT [bench/out/cds], STRICT [0]: 1 makes the script exit 1 when a bar is missed
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
JAR=${JAR:-$ROOT/sample-app/target/sample-app.jar}
JAVAS=${JAVAS:-java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JAVA=${JAVAS%% *}
JAVA_OPTS=${JAVA_OPTS:-}
CMD_OPTS=${CMD_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
RUNS=${RUNS:-5}
RELOADS=${RELOADS:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-5}
GAP=${GAP:-3}
SETTLE=${SETTLE:-2}
REQUESTS=${REQUESTS:-400}
BACKOFF=${BACKOFF:-1ms}
READY_TIMEOUT=${READY_TIMEOUT:-180}
TRAIN_TIMEOUT=${TRAIN_TIMEOUT:-300}
RELOAD_TIMEOUT=${RELOAD_TIMEOUT:-300}
OUT=${OUT:-$BENCH_DIR/out/cds}
STRICT=${STRICT:-0}
LOG_TAG=cds
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
HELPER="python3 $BENCH_DIR/cds.py"
OUT_BASE=$OUT

# ---------------------------------------------------------------- prerequisites
require_wrk
for JAVA in $JAVAS; do require_java_python "the cluster view's polls and the figures"; done
require_jar
[ "$RUNS" -ge 1 ] && [ "$RELOADS" -ge 1 ] || die "RUNS and RELOADS must be at least 1"
mkdir -p "$OUT_BASE" || die "cannot create $OUT_BASE"
rm -f "$OUT_BASE/cds.md"
private_run_dir cds   # a private copy of the jar, and the run directories of every cluster below

# ---------------------------------------------------------------- process bookkeeping (by pid only)
LAUNCHED=()   # every java started here (plain apps, masters): stopped at the end if one still runs
SPAWNED=()    # "pid starttime" of the masters' other children seen (the training JVM): killed if still running
WRK_PID=""
CMD_PID=""

track_children() { # remember every child of the master, with its start time (a pid alone can be reused)
  local p
  [ -n "$MASTER" ] || return 0
  for p in $(children "$MASTER"); do SPAWNED+=("$p $(stat_field "$p" 22)"); done
}

cleanup() {
  local rc=$? pid entry start
  trap - EXIT INT TERM HUP
  trap '' PIPE   # stderr may be a closed pipe (`... 2>&1 | head`): logging must not kill the cleanup
  if [ -n "$WRK_PID" ] && alive "$WRK_PID"; then kill -KILL "$WRK_PID" 2>/dev/null; fi
  if [ -n "$CMD_PID" ] && alive "$CMD_PID"; then kill -KILL "$CMD_PID" 2>/dev/null; fi
  [ -n "$MASTER" ] && alive "$MASTER" && track_children
  for pid in "${LAUNCHED[@]}"; do
    if alive "$pid"; then
      for entry in $(children "$pid"); do WORKERS_SEEN+=("$entry"); done
      log "cleanup: stopping pid $pid"
      stop_app "$pid" cleanup 60
    fi
  done
  MASTER=""
  for entry in "${SPAWNED[@]}"; do
    read -r pid start <<< "$entry"
    if alive "$pid" && [ "$(stat_field "$pid" 22)" = "$start" ]; then
      log "cleanup: $pid (a child of a master) still alive: SIGKILL"; kill -KILL "$pid" 2>/dev/null
    fi
  done
  cleanup_run
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP
trap 'exit 141' PIPE

# ---------------------------------------------------------------- small helpers
median() { $HELPER median "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
has_archive() { tr '\0' '\n' < /proc/"$1"/cmdline 2>/dev/null | grep -qE -- '^-XX:(SharedArchiveFile|AOTCache)='; }
count_archive() { local p n=0; for p in "$@"; do has_archive "$p" && n=$(( n + 1 )); done; echo "$n"; }
jdk_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2; exit }'; }
verdict() { case $1 in 1) echo PASS;; 0) echo FAIL;; *) echo "not measured";; esac; }
restart_args() { echo "--supervisor.restart.backoff-initial=$BACKOFF --supervisor.restart.backoff-max=$BACKOFF --supervisor.restart.max-restarts=1000"; }

# ---------------------------------------------------------------- 1 and 2: one cluster's kills and reloads
kills() { # kills NAME: RUNS kill -9 on $MASTER's workers; sets K_TIMES (seconds, space-separated), K_ARCHIVE
  local name=$1 i slot result t old new
  K_TIMES=""; K_ARCHIVE=0
  for (( i = 1; i <= RUNS; i++ )); do
    slot=$(( (i - 1) % 2 + 1 ))
    remember_workers
    if ! result=$($HELPER replace "$PORT" "$slot" --workers 2 --timeout "$READY_TIMEOUT"); then
      log "$name: kill $i (slot $slot): no replacement; see $OUT/$name.log"
      continue
    fi
    read -r t old new <<< "$result"
    WORKERS_SEEN+=("$old" "$new")
    K_TIMES="$K_TIMES $t"
    has_archive "$new" && K_ARCHIVE=$(( K_ARCHIVE + 1 ))
    echo "$name kill $i slot $slot: $old -> $new ready after ${t}s, archive $(has_archive "$new" && echo yes || echo no)" \
      >> "$OUT/figures.txt"
    log "$name: kill $i: slot $slot, worker $old -> $new, ready ${t}s after the kill (archive: $(has_archive "$new" && echo yes || echo no))"
    sleep "$SETTLE"
  done
  K_TIMES=${K_TIMES# }
}

reloads() { # reloads NAME: RELOADS reloads under wrk; sets L_TIMES, L_MASTER (the master's figures), L_FAILED,
            # L_DETAIL, L_ARCHIVE (workers with the archive after the last reload, of 2)
  local name=$1 i t0 t1 t rc says deadline url="http://127.0.0.1:$PORT/"
  L_TIMES=""; L_MASTER=""; L_FAILED="-"; L_DETAIL=""; L_ARCHIVE=0; L_FAILURES=0
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$(( WARMUP + RELOADS * (RELOAD_TIMEOUT + GAP) + 60 ))s" "$url" \
    > "$OUT/$name-wrk.txt" 2>&1 &
  WRK_PID=$!
  log "$name: wrk -t$THREADS -c$CONNECTIONS (pid $WRK_PID); $RELOADS reloads after ${WARMUP}s"
  sleep "$WARMUP"
  for (( i = 1; i <= RELOADS; i++ )); do
    remember_workers
    t0=$(now)
    # shellcheck disable=SC2086
    "$JAVA" $CMD_OPTS -jar "$JAR" --supervisor.run-dir="$RUN_DIR/$name" --supervisor.command=reload \
      > "$OUT/$name-reload-$i.txt" 2>&1 &
    CMD_PID=$!
    deadline=$(( SECONDS + RELOAD_TIMEOUT ))
    while alive "$CMD_PID" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
    if alive "$CMD_PID"; then log "$name: reload $i still running after ${RELOAD_TIMEOUT}s: SIGKILL"; kill -KILL "$CMD_PID"; fi
    wait "$CMD_PID"; rc=$?
    CMD_PID=""
    t1=$(now)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    says=$(grep -oE 'reloaded [0-9]+ workers in [0-9.]+ (ms|s|min)' "$OUT/$name-reload-$i.txt" | head -1 | awk '
      { v = $(NF - 1); u = $NF; if (u == "ms") v /= 1000; if (u == "min") v *= 60; printf "%.2f", v }')
    if [ "$rc" -ne 0 ]; then
      L_FAILURES=$(( L_FAILURES + 1 ))
      log "$name: reload $i FAILED (exit code $rc) after ${t}s:"; sed 's/^/    /' "$OUT/$name-reload-$i.txt" >&2
    else
      L_TIMES="$L_TIMES $t"; L_MASTER="$L_MASTER ${says:--}"
      log "$name: reload $i: command ${t}s (master: ${says:-?}s); workers now $(workers_of "$MASTER" | paste -sd' ' -)"
    fi
    echo "$name reload $i: exit $rc, command ${t}s, master ${says:--}s" >> "$OUT/figures.txt"
    [ "$i" -lt "$RELOADS" ] && sleep "$GAP"
  done
  sleep 2
  kill -INT "$WRK_PID" 2>/dev/null
  wait "$WRK_PID" 2>/dev/null
  WRK_PID=""
  remember_workers
  L_ARCHIVE=$(count_archive $(workers_of "$MASTER"))
  local k v W_failed="" W_requests="" W_connect="" W_read="" W_write="" W_timeout="" W_non2xx=""
  while IFS='=' read -r k v; do
    case $k in failed|requests|connect|read|write|timeout|non2xx) printf -v "W_$k" '%s' "$v";; esac
  done < <($PROBE wrk "$OUT/$name-wrk.txt" --connections "$CONNECTIONS")
  L_FAILED=${W_failed:--}
  L_DETAIL="of ${W_requests:-?}: connect ${W_connect:-?}, read ${W_read:-?}, write ${W_write:-?}, timeout ${W_timeout:-?}, non-2xx ${W_non2xx:-?}"
  [ "$L_FAILURES" -gt 0 ] && L_DETAIL="$L_DETAIL; $L_FAILURES reload(s) failed"
  L_TIMES=${L_TIMES# }; L_MASTER=${L_MASTER# }
  log "$name: $L_FAILED failed requests ($L_DETAIL)"
}

# ---------------------------------------------------------------- 3: one launch to ready
launch_ready() { # launch_ready NAME WORKERS ARGS...: a new cluster, timed from the spawn to its ready line; sets
                 # S_TIME and S_ARCHIVE (workers with the archive) and leaves it running as $MASTER
  local name=$1 workers=$2 out; shift 2
  S_TIME="-"; S_ARCHIVE=0
  PORT=$(free_port)
  mkdir -m 700 -p "$RUN_DIR/$name"
  launch "$name" "$PORT" --supervisor.workers="$workers" --supervisor.run-dir="$RUN_DIR/$name" "$@"
  MASTER=$APP_PID
  if ! out=$($PROBE wait-log "$OUT/$name.log" "Supervisor ready: .* with $workers workers" --start "$LAUNCH_T" \
             --timeout "$READY_TIMEOUT" --pid "$MASTER"); then
    tail -20 "$OUT/$name.log" >&2; log "$name: not ready"; return 1
  fi
  S_TIME=${out%% *}
  remember_workers
  S_ARCHIVE=$(count_archive $(workers_of "$MASTER"))
}

# ---------------------------------------------------------------- one JDK
one_jdk() { # one_jdk JAVA: every measurement, then its table on stdout
  JAVA=$1
  local major i name dir t cds_args off_args
  major=$(jdk_major "$JAVA")
  OUT=$OUT_BASE/jdk${major:-unknown}
  mkdir -p "$OUT"; rm -f "$OUT"/*.log "$OUT"/*.txt
  dir=$RUN_DIR/jdk$major-archive
  cds_args="--supervisor.cds.enabled=true --supervisor.cds.dir=$dir"
  off_args="--supervisor.cds.enabled=false"
  local header
  header="$(machine); sample app, $RUNS runs per figure (median), $RELOADS reloads under wrk -t$THREADS -c$CONNECTIONS, crash-restart backoff $BACKOFF, JAVA_OPTS='$JAVA_OPTS'"
  log "$header"

  # 1. with the archive: training, kills, reloads
  local train="-" state="-" location="-" size="-" result t_ready
  # shellcheck disable=SC2046
  start_cluster cds-on 2 $cds_args $(restart_args)
  t_ready=$(now)
  if result=$($HELPER wait-cds "$PORT" --start "$t_ready" --timeout "$TRAIN_TIMEOUT"); then
    read -r train state location <<< "$result"
    [ "$location" != - ] && size=$(du -sb "$location" 2>/dev/null | awk '{ printf "%.1f MB", $1 / 1048576 }')
  else
    state="not ready within ${TRAIN_TIMEOUT}s"
  fi
  track_children
  log "cds-on: archive $state after ${train}s: $location (${size:--})"
  echo "training: ${train}s, state $state, location $location, size ${size:--}" >> "$OUT/figures.txt"
  kills cds-on; local k_on=$K_TIMES k_on_arch=$K_ARCHIVE
  reloads cds-on; local l_on=$L_TIMES l_on_master=$L_MASTER l_on_failed=$L_FAILED l_on_detail=$L_DETAIL l_on_arch=$L_ARCHIVE
  track_children
  stop_cluster cds-on

  # 2. without: kills, reloads
  # shellcheck disable=SC2046
  start_cluster cds-off 2 $off_args $(restart_args)
  kills cds-off; local k_off=$K_TIMES
  reloads cds-off; local l_off=$L_TIMES l_off_master=$L_MASTER l_off_failed=$L_FAILED l_off_detail=$L_DETAIL
  stop_cluster cds-off

  # 3. plain, warm second launch, launch without the archive: interleaved
  local plain="" warm="" cold="" warm_arch=0 r
  for (( i = 1; i <= RUNS; i++ )); do
    PORT=$(free_port)
    launch "plain-$i" "$PORT" --supervisor.enabled=false
    if r=$($PROBE wait-http "http://127.0.0.1:$PORT/" --start "$LAUNCH_T" --timeout "$READY_TIMEOUT"); then
      plain="$plain $r"; log "plain-$i: GET / answers after ${r}s"
    else
      log "plain-$i: no answer within ${READY_TIMEOUT}s"
    fi
    stop_app "$APP_PID" "plain-$i"
    # shellcheck disable=SC2086
    if launch_ready "second-on-$i" 2 $cds_args; then
      warm="$warm $S_TIME"; warm_arch=$(( warm_arch + S_ARCHIVE ))
      log "second-on-$i: ready after ${S_TIME}s, $S_ARCHIVE of 2 workers with the archive"
    fi
    track_children; stop_cluster "second-on-$i"
    # shellcheck disable=SC2086
    if launch_ready "launch-off-$i" 2 $off_args; then
      cold="$cold $S_TIME"; log "launch-off-$i: ready after ${S_TIME}s"
    fi
    stop_cluster "launch-off-$i"
    echo "round $i: plain $r, second launch with the archive ${warm##* }, without ${cold##* }" >> "$OUT/figures.txt"
  done

  # 4. PSS of 4 workers, with and without
  local pss_on="-" pss_off="-" mean_on="-" mean_off="-" pss_arch=0 which args lines spread
  for which in on off; do
    [ "$which" = on ] && args=$cds_args || args=$off_args
    # shellcheck disable=SC2086
    if launch_ready "memory-$which" 4 $args; then
      [ "$which" = on ] && pss_arch=$S_ARCHIVE
      spread=$($HELPER spread "$PORT" "$REQUESTS") || log "memory-$which: some requests failed: $spread"
      log "memory-$which: $REQUESTS requests answered by pid:count $spread"
      sleep 2
      # shellcheck disable=SC2046
      lines=$($HELPER pss $(workers_of "$MASTER"))
      echo "memory-$which PSS (pid MB): $(echo "$lines" | paste -sd' ' -); answers $spread" >> "$OUT/figures.txt"
      printf -v "pss_$which" '%s' "$(echo "$lines" | awk '{ print $2 }' | paste -sd' ' -)"
      # shellcheck disable=SC2046
      printf -v "mean_$which" '%s' "$(echo "$lines" | awk '$2 != "-" { s += $2; n++ } END { if (n) printf "%.1f", s / n; else print "-" }')"
      log "memory-$which: PSS $(eval echo \$pss_$which) MB"
    fi
    [ "$which" = on ] && track_children
    stop_cluster "memory-$which"
  done

  # ---------------------------------------------------------------- the table
  local mk_on mk_off ml_on ml_off m_plain m_warm m_cold kr lr sr lines_out
  mk_on=$(median $k_on); mk_off=$(median $k_off)
  ml_on=$(median $l_on); ml_off=$(median $l_off)
  m_plain=$(median $plain); m_warm=$(median $warm); m_cold=$(median $cold)
  kr=$(ratio "$mk_on" "$mk_off"); lr=$(ratio "$ml_on" "$ml_off")
  sr=$(awk -v w="$m_warm" -v p="$m_plain" 'BEGIN { if (w == "-" || p == "-") print "-"; else printf "%+.2f", w - p }')
  local v_kill v_launch v_reload v_failed
  v_kill=$(verdict "$(awk -v r="$kr" 'BEGIN { if (r != "-") print (r <= 0.6) ? 1 : 0 }')")
  v_launch=$(verdict "$(awk -v d="$sr" 'BEGIN { if (d != "-") print (d <= 0.5) ? 1 : 0 }')")
  v_reload=$(verdict "$(awk -v r="$lr" -v f="$l_on_failed" 'BEGIN { if (r != "-" && f != "-") print (r <= 0.6 && f == 0) ? 1 : 0 }')")
  {
    echo "$header"
    echo
    echo "| Java $major, sample app | with the archive | without (\`--supervisor.cds.enabled=false\`) | ratio or difference | bar | result |"
    echo "|---|---|---|---|---|---|"
    echo "| plain \`java -jar\`, spawn to the first 200 on GET /, s | - | $m_plain (runs:$plain) | - | baseline | - |"
    echo "| replacement after \`kill -9\` of a worker, kill to ready in the view, s | $mk_on (runs: $k_on; archive on $k_on_arch of $(echo $k_on | wc -w)) | $mk_off (runs: $k_off) | ${kr}x | <= 0.6x | $v_kill |"
    echo "| launch of 2 workers, spawn to the master's ready line, s (with: second launch on the warm archive) | $m_warm (runs:$warm; archive on $warm_arch of $(( $(echo $warm | wc -w) * 2 ))) | $m_cold (runs:$cold) | plain $sr s | <= plain + 0.5 s | $v_launch |"
    echo "| reload of 2 workers under wrk -t$THREADS -c$CONNECTIONS, \`--supervisor.command=reload\` launch to exit, s | $ml_on (runs: $l_on; master: $l_on_master; archive on $l_on_arch of 2 after) | $ml_off (runs: $l_off; master: $l_off_master) | ${lr}x | <= 0.6x | $v_reload |"
    echo "| failed requests in those wrk runs (socket errors + non-2xx) | **$l_on_failed** ($l_on_detail) | **$l_off_failed** ($l_off_detail) | - | 0 | $( [ "$l_on_failed" = 0 ] && echo PASS || echo FAIL ) |"
    echo "| PSS of each of 4 workers after $REQUESTS requests, MB (mean) | $pss_on ($mean_on; archive on $pss_arch of 4) | $pss_off ($mean_off) | $(ratio "$mean_on" "$mean_off")x | - | - |"
    echo "| training, the first cluster's ready line to master.cds.state ready, s | $( [ "$state" = ready ] && echo "$train" || echo "- (state $state after ${train}s)" ) | - | - | - | - |"
    echo "| the archive | ${location} (${size:--}) | - | - | - | - |"
    if [ "$state" != ready ]; then
      echo
      echo "The archive was not ready (master.cds.state: $state): the figures \"with the archive\" are of workers started without one, see $OUT/cds-on.log."
    fi
  } > "$OUT/table.md"
}

# ---------------------------------------------------------------- every JDK
# Not in a pipe: a pipeline's subshell would hide the processes it starts from the cleanup.
first=1
for java in $JAVAS; do
  one_jdk "$java"
  { [ "$first" = 1 ] || echo; cat "$OUT/table.md"; } | tee -a "$OUT_BASE/cds.md.partial"
  first=0
done
mv "$OUT_BASE/cds.md.partial" "$OUT_BASE/cds.md"
[ "$STRICT" = 1 ] && grep -q '| FAIL |\|not measured' "$OUT_BASE/cds.md" && exit 1
exit 0
