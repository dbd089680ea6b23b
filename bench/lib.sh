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
