#!/usr/bin/env python3
"""Helpers for bench/cds.sh (standard library only): the cluster view's class-data archive, a worker's replacement
after kill -9, requests spread over the workers, PSS, medians.

  cds.py wait-cds PORT --start EPOCH [--timeout S]
      poll /actuator/supervisor every 0.2 s until master.cds.state is ready or refused; print
      "<s since EPOCH> <state> <location or ->" (state "absent" when the view has no master.cds)
  cds.py replace PORT SLOT [--workers N] [--timeout S] [--poll S]
      wait until the view lists N ready workers, one per slot; then kill -9 the slot's worker and poll the view
      every POLL s [0.05] until the slot has a ready worker of another pid; print "<s since the kill> <old> <new>"
  cds.py spread PORT N
      N GET / on a new connection each; print "<pid>:<answers>" for every worker that answered
  cds.py pss PID...
      print "<pid> <Pss MB>" from /proc/PID/smaps_rollup
  cds.py median X...
      print the median of the numbers given ("-" when there are none)
Exit status 1 on timeout or failure.
"""
import argparse
import collections
import http.client
import json
import os
import signal
import statistics
import sys
import time

from cluster import HOST, ready_pid, view


def cds_of(cluster):
    cds = (cluster.get("master") or {}).get("cds")
    return cds if isinstance(cds, dict) else {"state": "absent", "location": "", "detail": ""}


def wait_cds(args):
    deadline, last = time.time() + args.timeout, None
    while time.time() < deadline:
        cluster = view(args.port)
        if cluster is not None:
            cds = cds_of(cluster)
            state = cds.get("state", "absent")
            if state != last:
                print(f"cds state {state} at {time.time() - args.start:.2f}s: {cds.get('detail', '')}",
                      file=sys.stderr)
                last = state
            if state in ("ready", "refused", "absent"):
                print(f"{time.time() - args.start:.2f} {state} {cds.get('location') or '-'}")
                return 0
        time.sleep(0.2)
    print(f"timeout after {args.timeout}s: cds state {last}", file=sys.stderr)
    return 1


def all_ready(cluster, workers):
    slots = collections.Counter(w["id"] for w in cluster["workers"])
    return (len(slots) == workers and all(n == 1 for n in slots.values())
            and all(w["state"] == "ready" for w in cluster["workers"]))


def replace(args):
    deadline = time.time() + args.timeout
    old = 0
    while time.time() < deadline:
        cluster = view(args.port)
        if cluster is not None and all_ready(cluster, args.workers):
            old = ready_pid(cluster, args.slot)
            if old:
                break
        time.sleep(0.1)
    if not old:
        print(f"slot {args.slot}: the cluster did not have {args.workers} ready workers within {args.timeout}s",
              file=sys.stderr)
        return 1
    killed = time.time()
    os.kill(old, signal.SIGKILL)
    deadline = killed + args.timeout
    while time.time() < deadline:
        cluster = view(args.port, timeout=2)
        if cluster is not None:
            new = ready_pid(cluster, args.slot)
            if new and new != old:
                print(f"{time.time() - killed:.2f} {old} {new}")
                return 0
        time.sleep(args.poll)
    print(f"slot {args.slot}: no ready replacement for {old} within {args.timeout}s", file=sys.stderr)
    return 1


def spread(args):
    answers, failed = collections.Counter(), 0
    for _ in range(args.n):
        connection = http.client.HTTPConnection(HOST, args.port, timeout=10)
        try:
            connection.request("GET", "/", headers={"Connection": "close"})
            response = connection.getresponse()
            body = response.read()
            if response.status == 200:
                answers[json.loads(body).get("pid", 0)] += 1
            else:
                failed += 1
        except (OSError, http.client.HTTPException, ValueError):
            failed += 1
        finally:
            connection.close()
    print(" ".join(f"{pid}:{n}" for pid, n in sorted(answers.items())) + (f" failed:{failed}" if failed else ""))
    return 0 if not failed else 1


def pss(args):
    status = 0
    for pid in args.pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                kb = next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
            print(f"{pid} {kb / 1024:.1f}")
        except (OSError, StopIteration, ValueError):
            print(f"{pid} -")
            status = 1
    return status


def median(args):
    values = [float(v) for v in args.values if v not in ("", "-")]
    print(f"{statistics.median(values):.2f}" if values else "-")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("wait-cds")
    p.add_argument("port", type=int)
    p.add_argument("--start", type=float, required=True)
    p.add_argument("--timeout", type=float, default=300)
    p.set_defaults(func=wait_cds)
    p = sub.add_parser("replace")
    p.add_argument("port", type=int)
    p.add_argument("slot", type=int)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--poll", type=float, default=0.05)
    p.set_defaults(func=replace)
    p = sub.add_parser("spread")
    p.add_argument("port", type=int)
    p.add_argument("n", type=int)
    p.set_defaults(func=spread)
    p = sub.add_parser("pss")
    p.add_argument("pids", nargs="+", type=int)
    p.set_defaults(func=pss)
    p = sub.add_parser("median")
    p.add_argument("values", nargs="*")
    p.set_defaults(func=median)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
