#!/usr/bin/env python3
"""Helpers for bench/leader.sh (standard library only): the master's cluster view polled every POLL seconds (10 ms)
around a kill -9 or a rolling reload, and the sample's tick file (one line a second from the leader:
"<epoch> <worker id> <pid> <ISO-8601 instant>"). The view is asked of the master over its control socket (RUN_DIR's
master.sock and token, one connection, a request a poll): GET /actuator/supervisor shows the same view, but each
worker keeps it for up to a second, so polling it measures that cache (kill-leader measures both). Each measuring
command sends the signal itself, right before its first poll, so that no process start sits between the trigger
and the measurement.

  leader.py settle PORT RUN_DIR WORKERS --ticks FILE [--timeout S]
      wait until the view lists WORKERS workers, all ready, one of them the leader, and the tick file has a line
      of the leader's epoch from its pid
  leader.py kill-follower PORT RUN_DIR --log LOG [--timeout S]
      kill -9 the ready follower (not the leader) of the highest slot; print "<gone ms> <ready ms> <logged ms> <pid>
      <slot> <leader moved 0/1>": when the view stopped listing it as ready (the master saw it gone), when its slot
      had a ready replacement, and the timestamp of the master's "Worker N will be restarted" line (or -)
  leader.py kill-leader PORT RUN_DIR --ticks FILE --log LOG [--timeout S]
      kill -9 the leader; print "<granted ms> <endpoint ms> <tick ms> <logged ms> <old epoch> <new epoch>": when the
      master's view named another leader under a greater epoch, when GET /actuator/supervisor on PORT did, the
      instant of the first tick of that epoch, and the timestamp of the master's "Leadership: granted ... epoch N"
      line (or -), all from the kill
  leader.py reload PORT RUN_DIR MASTER --ticks FILE --log LOG [--timeout S]
      SIGHUP to MASTER (a rolling reload), poll until every worker was replaced and is ready; print
      "<no leader in view ms> <tick gap ms> <revoke to grant ms in the master's log or -> <old epoch> <new epoch>
      <reload s>": how long the polled view showed no leader (0: never seen, shorter than a poll), the gap between
      the last tick of the old epoch and the first of the new one, and the master's own revoke and grant lines
  leader.py intervals --ticks FILE
      print the intervals in ms between consecutive ticks of one epoch (the baseline of a tick gap), one a line
  leader.py table FIGURES
      FIGURES has lines "<row key> <value>"; print one markdown row per key, in ROWS' order:
      "| what | n | median | max | vs. baseline |"
Exit status 1 on timeout or failure.
"""
import argparse
import datetime
import http.client
import json
import os
import re
import signal
import socket
import statistics
import sys
import threading
import time

from cluster import ready_pid, view
import urllib.parse

HOST = "127.0.0.1"
POLL = 0.01

# key, label, unit, baseline key (the ratio's denominator) or None
ROWS = [
    ("follower-logged", "baseline: `kill -9` of a follower -> the master logs that it will restart it", "ms", None),
    ("follower-gone", "baseline: `kill -9` of a follower -> the master's view no longer lists it as ready", "ms",
     None),
    ("follower-ready", "baseline: `kill -9` of a follower -> its replacement ready (a restart: a JVM start)", "ms",
     None),
    ("leader-logged", "`kill -9` of the leader -> the master logs the grant of the new epoch", "ms",
     "follower-logged"),
    ("leader-granted", "`kill -9` of the leader -> the master's view names a new leader under a greater epoch",
     "ms", "follower-gone"),
    ("leader-endpoint", "`kill -9` of the leader -> `GET /actuator/supervisor` names it (a worker keeps the view "
     "up to 1 s)", "ms", "leader-granted"),
    ("leader-tick", "`kill -9` of the leader -> the instant of the new epoch's first tick", "ms", "follower-ready"),
    ("tick-interval", "baseline: between two ticks of one leader", "ms", None),
    ("reload-log-gap", "rolling reload: the master logs revoking the old epoch -> granting the new one", "ms",
     None),
    ("reload-view-gap", "rolling reload: the master's view shows no leader (0 = never seen in a 10 ms poll)", "ms",
     None),
    ("reload-tick-gap", "rolling reload: the old epoch's last tick -> the new epoch's first tick", "ms",
     "tick-interval"),
    ("reload-duration", "rolling reload of every worker (SIGHUP until all replaced and ready)", "s", None),
]

TICK = re.compile(r"^(\d+) (\d+) (\d+) (\S+)$")
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))")


class Master:
    """The master's own cluster view, asked over its control socket (the run directory's master.sock and token):
    /actuator/supervisor shows the same view, but each worker keeps it for up to a second."""

    def __init__(self, run_dir):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(os.path.join(run_dir, "master.sock"))
        with open(os.path.join(run_dir, "token")) as f:
            token = f.read().strip()
        self.file = self.sock.makefile("rb")
        self.send(f"HELLO role=control token={urllib.parse.quote_plus(token)}")

    def send(self, line):
        self.sock.sendall((line + "\n").encode())

    def view(self):
        """The view in the shape of the endpoint's JSON, as far as this script reads it."""
        self.send(f"REQUEST command=view deadline={int(time.time() * 1000) + 5000}")
        line = self.file.readline().decode().rstrip("\n")
        if not line.startswith("REPLY "):
            raise SystemExit(f"the master answered {line[:200]!r}")
        fields = dict(part.split("=", 1) for part in line.split(" ")[1:])
        fields = {key: urllib.parse.unquote_plus(value) for key, value in fields.items()}
        workers = []
        for i in range(int(fields["workers"])):
            p = f"w{i}."
            workers.append({"id": int(fields[p + "id"]), "pid": int(fields[p + "pid"]), "state": fields[p + "state"],
                            "leader": fields.get(p + "leader") == "true"})
        return {"master": {"leaderEpoch": int(fields.get("leaderEpoch", "0"))}, "workers": workers}




def leader_of(cluster):
    """(epoch, id, pid) of the leader the view names, or None."""
    leaders = [w for w in cluster["workers"] if w.get("leader")]
    if len(leaders) > 1:
        raise SystemExit(f"two leaders in one view: {leaders}")
    if not leaders:
        return None
    return cluster["master"]["leaderEpoch"], leaders[0]["id"], leaders[0]["pid"]




def instant(text):
    """An ISO-8601 instant as epoch seconds; Java may print up to 9 fraction digits, Python reads 6."""
    text = text.replace("Z", "+00:00")
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    return datetime.datetime.fromisoformat(text).timestamp()


def ticks(path):
    """The complete lines of the tick file, as (epoch, worker, pid, epoch seconds)."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return []
    lines = text[:text.rfind("\n") + 1].splitlines()
    result = []
    for line in lines:
        match = TICK.match(line.strip())
        if match:
            result.append((int(match.group(1)), int(match.group(2)), int(match.group(3)), instant(match.group(4))))
    return result


def wait_for(timeout, probe, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(POLL)
    raise SystemExit(f"timeout after {timeout}s waiting for {what}")


def settle(args):
    master = Master(args.run_dir)

    def probe():
        cluster = master.view()
        if len(cluster["workers"]) != args.workers or any(w["state"] != "ready" for w in cluster["workers"]):
            return None
        leader = leader_of(cluster)
        if leader is None:
            return None
        if not any(t[0] == leader[0] and t[2] == leader[2] for t in ticks(args.ticks)):
            return None
        return leader
    wait_for(args.timeout, probe, f"{args.workers} ready workers, a leader and its tick")
    return 0


def kill_follower(args):
    master = Master(args.run_dir)
    cluster = master.view()
    leader = leader_of(cluster)
    followers = [w for w in cluster["workers"] if w["state"] == "ready" and not w.get("leader")]
    if not followers:
        raise SystemExit("no ready follower to kill")
    victim = max(followers, key=lambda w: w["id"])
    pid, slot = victim["pid"], victim["id"]
    start = time.time()
    os.kill(pid, signal.SIGKILL)
    gone = wait_for(args.timeout, lambda: time.time() if ready_pid(master.view(), slot) != pid else None,
                    f"worker {pid} seen gone")
    ready = wait_for(args.timeout, lambda: time.time() if ready_pid(master.view(), slot) not in (0, pid) else None,
                     f"a replacement of worker {pid} ready")
    after = leader_of(master.view())
    moved = int(after is None or leader is None or after[0] != leader[0])
    seen = logged_at(args.log, r"Worker %d will be restarted\b" % slot, start)
    print(f"{(gone - start) * 1000:.1f} {(ready - start) * 1000:.1f} {ms(seen and seen - start)} {pid} {slot} {moved}")
    return 0


def kill_leader(args):
    master = Master(args.run_dir)
    leader = leader_of(master.view())
    if leader is None:
        raise SystemExit("no leader to kill")
    epoch, _, pid = leader
    start = time.time()
    os.kill(pid, signal.SIGKILL)
    found = {}

    def poll(source, ask):
        # one thread per source: a slow answer from a worker must not delay the polls of the master
        deadline = start + args.timeout
        while time.time() < deadline:
            cluster = ask()
            current = leader_of(cluster) if cluster is not None else None
            if current is not None and current[0] > epoch and current[2] != pid:
                found[source] = (time.time(), current[0])
                return
            time.sleep(POLL)
    pollers = [threading.Thread(target=poll, args=("master", master.view), daemon=True),
               threading.Thread(target=poll, args=("endpoint", lambda: view(args.port, timeout=2)), daemon=True)]
    for poller in pollers:
        poller.start()
    for poller in pollers:
        poller.join()
    if len(found) != 2:
        raise SystemExit(f"no new leader after kill -9 of {pid} within {args.timeout}s: {found}")
    (granted, new_epoch), (shown, _) = found["master"], found["endpoint"]
    tick = wait_for(args.timeout, lambda: next((t for t in ticks(args.ticks) if t[0] > epoch), None),
                    f"a tick of an epoch after {epoch}")
    if tick[2] == pid:
        raise SystemExit(f"a tick of epoch {tick[0]} from the killed leader {pid}")
    logged = logged_at(args.log, r"Leadership: granted to .*epoch %d\b" % new_epoch, start)
    print(f"{(granted - start) * 1000:.1f} {(shown - start) * 1000:.1f} {(tick[3] - start) * 1000:.1f} "
          f"{ms(logged and logged - start)} {epoch} {new_epoch}")
    return 0


def logged_at(path, pattern, after):
    """The timestamp of the first line of the master's log at or after AFTER (epoch s) that matches, or None."""
    regex = re.compile(pattern)
    try:
        with open(path, errors="replace") as f:
            for line in f:
                match = LOG_TIME.match(line)
                if match and regex.search(line):
                    at = instant(match.group(1))
                    # the log has milliseconds: a line of the same millisecond as AFTER counts
                    if at >= after - 0.001:
                        return at
    except OSError:
        pass
    return None


def ms(value):
    return "-" if value is None else f"{value * 1000:.1f}"


def log_gap(path, old, new):
    """ms from the master's "revoking epoch OLD" line to its "granted ..., epoch NEW" line, or None."""
    revoking = re.compile(r"Leadership: revoking epoch %d\b" % old)
    granted = re.compile(r"Leadership: granted to .*epoch %d\b" % new)
    revoked_at = granted_at = None
    try:
        with open(path, errors="replace") as f:
            for line in f:
                match = LOG_TIME.match(line)
                if not match:
                    continue
                if revoked_at is None and revoking.search(line):
                    revoked_at = instant(match.group(1))
                elif granted_at is None and granted.search(line):
                    granted_at = instant(match.group(1))
    except OSError:
        return None
    if revoked_at is None or granted_at is None:
        return None
    return (granted_at - revoked_at) * 1000


def reload(args):
    master = Master(args.run_dir)
    cluster = master.view()
    leader = leader_of(cluster)
    if leader is None:
        raise SystemExit("no leader before the reload")
    old_pids = {w["pid"] for w in cluster["workers"]}
    workers = len(cluster["workers"])
    epoch = leader[0]
    start = time.time()
    os.kill(args.master, signal.SIGHUP)
    deadline = start + args.timeout
    missing_at = granted_at = None
    while time.time() < deadline:
        c = master.view()
        now = time.time()
        current = leader_of(c)
        if current is None and missing_at is None and granted_at is None:
            missing_at = now
        if current is not None and current[0] > epoch and granted_at is None:
            granted_at = now
        pids = [w["pid"] for w in c["workers"]]
        if (granted_at is not None and len(pids) == workers and not old_pids & set(pids)
                and all(w["state"] == "ready" for w in c["workers"])):
            break
        time.sleep(POLL)
    else:
        raise SystemExit(f"the reload did not replace every worker within {args.timeout}s")
    duration = time.time() - start
    gap = (granted_at - missing_at) * 1000 if missing_at is not None else 0.0
    new_first = wait_for(15, lambda: next((t for t in ticks(args.ticks) if t[0] > epoch), None),
                         f"a tick of an epoch after {epoch}")
    old_ticks = [t for t in ticks(args.ticks) if t[0] == epoch]
    tick_gap = (new_first[3] - old_ticks[-1][3]) * 1000 if old_ticks else None
    logged = log_gap(args.log, epoch, new_first[0])
    print(f"{gap:.1f} {'-' if tick_gap is None else f'{tick_gap:.1f}'} "
          f"{'-' if logged is None else f'{logged:.1f}'} {epoch} {new_first[0]} {duration:.1f}")
    return 0


def intervals(args):
    all_ticks = ticks(args.ticks)
    for previous, tick in zip(all_ticks, all_ticks[1:]):
        if previous[0] == tick[0] and previous[2] == tick[2]:
            print(f"{(tick[3] - previous[3]) * 1000:.1f}")
    return 0


def table(args):
    values = {}
    with open(args.figures) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[1] != "-":
                values.setdefault(parts[0], []).append(float(parts[1]))
    medians = {key: statistics.median(v) for key, v in values.items() if v}
    for key, label, unit, baseline in ROWS:
        v = values.get(key)
        if not v:
            print(f"| {label} | 0 | - | - | - |")
            continue
        ratio = "-"
        if baseline and medians.get(baseline):
            ratio = f"{medians[key] / medians[baseline]:.2f} x {baseline} (median)"
        digits = 1 if unit == "s" else 0
        print(f"| {label} | {len(v)} | {medians[key]:.{digits}f} {unit} | {max(v):.{digits}f} {unit} | {ratio} |")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("settle")
    p.add_argument("port", type=int)
    p.add_argument("run_dir")
    p.add_argument("workers", type=int)
    p.add_argument("--ticks", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.set_defaults(func=settle)
    p = sub.add_parser("kill-follower")
    p.add_argument("port", type=int)
    p.add_argument("run_dir")
    p.add_argument("--log", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.set_defaults(func=kill_follower)
    p = sub.add_parser("kill-leader")
    p.add_argument("port", type=int)
    p.add_argument("run_dir")
    p.add_argument("--ticks", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(func=kill_leader)
    p = sub.add_parser("reload")
    p.add_argument("port", type=int)
    p.add_argument("run_dir")
    p.add_argument("master", type=int)
    p.add_argument("--ticks", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--timeout", type=float, default=300)
    p.set_defaults(func=reload)
    p = sub.add_parser("intervals")
    p.add_argument("--ticks", required=True)
    p.set_defaults(func=intervals)
    p = sub.add_parser("table")
    p.add_argument("figures")
    p.set_defaults(func=table)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
