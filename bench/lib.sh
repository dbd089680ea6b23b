# Shared by the bench/ scripts (sourced, not run): logging, prerequisites, free ports, and the bookkeeping of the
# processes a script starts, by pid only (reads /proc, no procps needed). The sourcing script sets LOG_TAG (the
# prefix of its progress lines), JAVA, JAVA_OPTS, JAR and OUT before it calls these.
# shellcheck shell=bash

BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
PROBE="python3 $BENCH_DIR/probe.py"

log() { printf '[%s %s] %s\n' "${LOG_TAG:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }

# ---------------------------------------------------------------- prerequisites
require_wrk() { # wrk, installed with apt-get when this runs as root on Debian/Ubuntu
  command -v wrk >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "wrk not found: installing it with apt-get"
    apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; } || die "could not install wrk"
  else
    die "wrk is not installed: run 'sudo apt-get install -y wrk' (Debian/Ubuntu), 'brew install wrk' or build https://github.com/wg/wrk"
  fi
}
require_java_python() { # require_java_python WHAT: java and python3 on the PATH; WHAT says what python3 is for
  command -v "$JAVA" >/dev/null 2>&1 || die "$JAVA (java) is not on the PATH"
  command -v python3 >/dev/null 2>&1 || die "python3 is not on the PATH ($1)"
}
require_jar() { [ -s "$JAR" ] || die "$JAR is missing: build it first with 'mvn -B install -DskipTests'"; }

free_port() { $PROBE freeport; } # a free port on 127.0.0.1

# ---------------------------------------------------------------- processes
children() { # direct children of $1
  local parent=$1 stat p line
  for stat in /proc/[0-9]*/stat; do
    p=${stat#/proc/}; p=${p%/stat}
    { read -r line < "$stat"; } 2>/dev/null || continue
    line=${line##*) }
    set -- $line
    [ "$2" = "$parent" ] && echo "$p"
  done
}
alive() { # running (not gone, not a zombie); one read of /proc, so a process exiting meanwhile counts as gone
  local line
  [ -n "$1" ] || return 1
  line=$(cat /proc/"$1"/stat 2>/dev/null) || return 1
  line=${line##*) }
  case ${line%% *} in Z|X|x|'') return 1;; esac
}
stat_field() { # field $2 (1-based, as in proc(5)) of /proc/$1/stat
  local line field=$2
  line=$(cat /proc/"$1"/stat 2>/dev/null) || return 1
  line=${line##*) }   # the fields after the command name start at field 3 (state)
  set -- $line
  echo "${@:$(( field - 2 )):1}"
}
is_worker() { tr '\0' ' ' < /proc/"$1"/cmdline 2>/dev/null | grep -q -- '-Dsupervisor[.]worker[.]id='; }
is_our_java() { # a JVM running our jar (workers may get it on -cp rather than -jar) or a worker of ours
  tr '\0' ' ' < /proc/"$1"/cmdline 2>/dev/null \
    | grep -qE -- "$(basename "$JAR" | sed 's/[.]/[.]/g')|supervisor[.]worker"
}
workers_of() { # the worker JVMs of master $1, oldest first
  local p
  for p in $(children "$1"); do
    is_worker "$p" || continue
    echo "$(stat_field "$p" 22) $p"
  done | sort -n | awk '{print $2}'
}
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2/1024}' /proc/"$1"/status 2>/dev/null; }
cpu_ticks() { local line; line=$(cat /proc/"$1"/stat 2>/dev/null) || return 1; line=${line##*) }; set -- $line; echo $(( ${12} + ${13} )); }

launch() { # launch NAME PORT ARGS... : java -jar $JAR on 127.0.0.1:PORT, output in $OUT/NAME.log; sets APP_PID, LAUNCH_T
  local name=$1 port=$2; shift 2
  LAUNCH_T=$(now)
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -jar "$JAR" --server.address=127.0.0.1 --server.port="$port" "$@" > "$OUT/$name.log" 2>&1 &
  APP_PID=$!
  LAUNCHED+=("$APP_PID")
  log "$name: started pid $APP_PID on 127.0.0.1:$port ($*)"
}

stop_app() { # stop_app PID NAME [TIMEOUT s, 40]: SIGTERM, wait, then SIGKILL it and whatever of its JVMs is left
  local pid=$1 name=$2 timeout=${3:-40} kids waited=0 rc k
  alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
  kids=$(children "$pid")
  kill -TERM "$pid" 2>/dev/null
  while alive "$pid" && [ "$waited" -lt $(( timeout * 10 )) ]; do sleep 0.1; waited=$(( waited + 1 )); done
  if alive "$pid"; then
    log "$name: pid $pid still running ${timeout}s after SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    for k in $kids; do alive "$k" && is_our_java "$k" && kill -KILL "$k" 2>/dev/null; done
  fi
  wait "$pid" 2>/dev/null; rc=$?
  sleep 0.5
  for k in $kids; do
    if alive "$k" && is_our_java "$k"; then log "$name: child $k survived its master: SIGKILL"; kill -KILL "$k" 2>/dev/null; fi
  done
  log "$name: pid $pid exited with code $rc"
}

kill_survivors() { # kill_survivors PID...: SIGKILL every one of these that is still one of our JVMs
  local k
  for k in "$@"; do
    if alive "$k" && is_our_java "$k"; then log "cleanup: $k still alive: SIGKILL"; kill -KILL "$k" 2>/dev/null; fi
  done
}

# ---------------------------------------------------------------- one script's run: directory, clusters, cleanup
# These use the globals MASTER (the running master's pid, or empty), WORKERS_SEEN (every worker pid seen, killed
# at the end if one survives), RUN_DIR, PORT and READY_TIMEOUT [120].
MASTER=""
WORKERS_SEEN=()

machine() { # the header's first part: the machine, the JVM, the date, and the load average now
  echo "Machine: nproc $(nproc), $(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), java: $("$JAVA" -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
}

private_run_dir() { # private_run_dir NAME: sets RUN_DIR, a new directory, and JAR, a private copy of $JAR in it
  # A short path: the master's Unix socket lives in the run directory (socket paths are limited to 108 bytes).
  RUN_DIR=$(mktemp -d "/tmp/bench-$1.XXXXXX") || die "cannot create a run directory"
  # A private copy of the jar: a rebuild of $JAR while the benchmark runs (mvn package rewrites it in place) would
  # break the JVMs reading it, the control commands first.
  cp "$JAR" "$RUN_DIR/app.jar" || die "cannot copy $JAR to $RUN_DIR"
  JAR=$RUN_DIR/app.jar
}

remember_workers() { local p; for p in $(workers_of "$MASTER"); do WORKERS_SEEN+=("$p"); done; }

await_ready() { # await_ready PID LOG WORKERS NAME: until LOG has the master's ready line for WORKERS workers
  local pid=$1 file=$2 workers=$3 name=$4 waited=0 timeout=${READY_TIMEOUT:-120}
  until grep -q "Supervisor ready: .* with $workers workers" "$file" 2>/dev/null; do
    if ! alive "$pid"; then
      sleep 0.5   # one read of /proc can miss a process that is still starting
      alive "$pid" || { tail -40 "$file" >&2; die "$name exited before it was ready"; }
    fi
    [ "$waited" -lt $(( timeout * 10 )) ] || { tail -40 "$file" >&2; die "$name not ready within ${timeout}s"; }
    sleep 0.1; waited=$(( waited + 1 ))
  done
}

start_cluster() { # start_cluster NAME WORKERS ARGS...: the app on a free port, run directory $RUN_DIR/NAME, log
                  # $OUT/NAME.log; returns once it is ready; sets MASTER and PORT
  local name=$1 workers=$2; shift 2
  PORT=$(free_port)
  mkdir -m 700 -p "$RUN_DIR/$name"
  launch "$name" "$PORT" --supervisor.workers="$workers" --supervisor.run-dir="$RUN_DIR/$name" "$@"
  MASTER=$APP_PID
  await_ready "$MASTER" "$OUT/$name.log" "$workers" "$name"
  remember_workers
  log "$name ready: master $MASTER, workers $(workers_of "$MASTER" | paste -sd' ' -)"
}

stop_cluster() { # stop_cluster NAME: SIGTERM to the master, then KILL whatever of its workers is left
  remember_workers
  stop_app "$MASTER" "$1" 60
  kill_survivors "${WORKERS_SEEN[@]}"
  MASTER=""
}

cleanup_run() { # the end of a script's EXIT trap: stop the master, kill surviving workers, remove the run directory
  if [ -n "$MASTER" ] && alive "$MASTER"; then
    remember_workers
    log "cleanup: SIGTERM to master $MASTER"
    stop_app "$MASTER" "cleanup: master" 60
  fi
  # a worker left stopped (SIGSTOP) ignores TERM: KILL reaches it
  kill_survivors "${WORKERS_SEEN[@]}"
  [ -n "${RUN_DIR:-}" ] && rm -rf "$RUN_DIR"
}
