#!/usr/bin/env python3
"""Small helpers for bench/run.sh (standard library only).

  probe.py freeport
      print a TCP port that is free on 127.0.0.1
  probe.py wait-http URL --start EPOCH [--timeout S] [--workers N] [--pids P1,P2]
      poll GET URL (a new connection per request) until it answers 200 and, with --workers, until
      N distinct serving pids were seen (with --pids: exactly those pids); print the seconds since EPOCH
  probe.py wait-log FILE REGEX --start EPOCH [--timeout S] [--pid PID]
      poll FILE until a line matches REGEX; print "<seconds since EPOCH> <first regex group or ->"
      (gives up early when PID has exited)
  probe.py wrk FILE [--connections C]
      parse wrk output into shell assignments: rps p99_ms requests connect read write timeout
      non2xx lua_sent lua_responses lua_non2xx unanswered failed
Exit status 1 on timeout or parse failure.
"""
import argparse
import json
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.request


def freeport(_args):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
    return 0


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body = response.read()
            if response.status != 200:
                return None
            try:
                return json.loads(body)
            except ValueError:
                return {}
    except (urllib.error.URLError, OSError, ValueError):
        return None


def wait_http(args):
    deadline = time.time() + args.timeout
    wanted = {int(p) for p in args.pids.split(",") if p} if args.pids else None
    seen = set()
    while time.time() < deadline:
        answer = fetch(args.url)
        if answer is not None:
            if isinstance(answer, dict) and "pid" in answer:
                seen.add(int(answer["pid"]))
            if args.workers <= 0:
                break
            if wanted is not None:
                if wanted <= seen:
                    break
                continue  # ask again at once: another connection may land on another worker
            if len(seen) >= args.workers:
                break
            continue
        time.sleep(0.05)
    else:
        print(f"timeout after {args.timeout}s; serving pids seen: {sorted(seen)}", file=sys.stderr)
        return 1
    print(f"{time.time() - args.start:.2f}")
    return 0


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_log(args):
    deadline = time.time() + args.timeout
    pattern = re.compile(args.regex)
    offset = 0
    pending = ""
    while time.time() < deadline:
        try:
            with open(args.file, "r", errors="replace") as f:
                f.seek(offset)
                chunk = f.read()
                offset = f.tell()
        except FileNotFoundError:
            chunk = ""
        pending += chunk
        lines = pending.split("\n")
        pending = lines.pop()
        for line in lines:
            match = pattern.search(line)
            if match:
                group = match.group(1) if match.groups() else "-"
                print(f"{time.time() - args.start:.2f} {group}")
                return 0
        if args.pid and not pid_alive(args.pid):
            print(f"process {args.pid} exited before {args.regex!r} was logged", file=sys.stderr)
            return 1
        time.sleep(0.05)
    print(f"timeout after {args.timeout}s waiting for {args.regex!r} in {args.file}", file=sys.stderr)
    return 1


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(args):
    with open(args.file, errors="replace") as f:
        text = f.read()
    values = {"rps": "", "p99_ms": "", "requests": "", "connect": 0, "read": 0, "write": 0,
              "timeout": 0, "non2xx": 0, "lua_responses": "", "lua_non2xx": ""}
    m = re.search(r"Requests/sec:\s*([0-9.]+)", text)
    if m:
        values["rps"] = f"{float(m.group(1)):.0f}"
    m = re.search(r"^\s*99(?:\.0+)?%\s+([0-9.]+)(us|ms|s|m)\s*$", text, re.M)
    if m:
        values["p99_ms"] = f"{float(m.group(1)) * UNITS_MS[m.group(2)]:.2f}"
    m = re.search(r"(\d+) requests in", text)
    if m:
        values["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        values.update(connect=int(m.group(1)), read=int(m.group(2)), write=int(m.group(3)),
                      timeout=int(m.group(4)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        values["non2xx"] = int(m.group(1))
    values["lua_sent"] = ""
    values["unanswered"] = 0
    m = re.search(r"lua: sent (\d+), responses (\d+), non-2xx (\d+)", text)
    if m:
        values["lua_sent"] = int(m.group(1))
        values["lua_responses"] = int(m.group(2))
        values["lua_non2xx"] = int(m.group(3))
        # requests sent but never answered and not counted by wrk as a read/write error, beyond the at most
        # one per connection still in flight when wrk stopped (a lower bound of the silently lost ones)
        values["unanswered"] = max(0, values["lua_sent"] - values["lua_responses"] - args.connections
                                   - values["read"] - values["write"])
    bad_status = values["lua_non2xx"] if values["lua_non2xx"] != "" else values["non2xx"]
    values["failed"] = (values["connect"] + values["read"] + values["write"] + values["timeout"]
                        + max(bad_status, values["non2xx"]) + values["unanswered"])
    for key, value in values.items():
        print(f"{key}={value}")
    return 0 if values["requests"] != "" else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("freeport").set_defaults(func=freeport)
    p = sub.add_parser("wait-http")
    p.add_argument("url")
    p.add_argument("--start", type=float, default=time.time())
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--pids", default="")
    p.set_defaults(func=wait_http)
    p = sub.add_parser("wait-log")
    p.add_argument("file")
    p.add_argument("regex")
    p.add_argument("--start", type=float, default=time.time())
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--pid", type=int, default=0)
    p.set_defaults(func=wait_log)
    p = sub.add_parser("wrk")
    p.add_argument("file")
    p.add_argument("--connections", type=int, default=0, help="wrk -c, for the in-flight allowance")
    p.set_defaults(func=parse_wrk)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
