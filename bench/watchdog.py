#!/usr/bin/env python3
"""Helpers for bench/watchdog.sh (standard library only): a client load that records every request, the cluster
view's polls, and requests aimed at one worker.

  watchdog.py load PORT FILE [--new N] [--keepalive K] [--pause S]
      GET / on 127.0.0.1:PORT from N clients on a new connection per request and K on one keep-alive connection
      each, until SIGTERM or SIGINT; one line per request in FILE:
      "<kind> <start> <end> <ok 0/1> <pid that answered or 0> <pid its keep-alive connection was on or 0> <error>"
  watchdog.py slot-pid PORT SLOT
      print the pid of the slot's ready worker
  watchdog.py wait-replaced PORT OLD_PID --start EPOCH [--timeout S]
      poll /actuator/supervisor until OLD_PID's slot has a ready worker of another pid and OLD_PID has exited;
      print "<ready s> <gone s> <new pid>" (seconds since EPOCH)
  watchdog.py wait-recycle PORT --start EPOCH [--timeout S]
      poll until a slot lists a replacement beside its worker (a recycle began); print "<s> <slot> <old pid>"
  watchdog.py post PORT PID PATH [--no-answer]
      open connections until one reaches worker PID, POST PATH on it; print the status, or "sent" with
      --no-answer (for a request that never answers)
  watchdog.py leak PORT PID --step MB --max MB
      on a connection to PID: POST /leak?mb=STEP then POST /gc-storm?seconds=1, until the view lists a replacement
      for PID's slot; print "<MB leaked> <epoch of the first step> <epoch when the last step was answered>"
  watchdog.py detected LOG PID --start EPOCH
      print the seconds from EPOCH to the master's verdict on worker PID in LOG ("Worker 1 (pid PID) is hung",
      "... is broken", "... will be recycled"), from the line's timestamp; "-" when there is none
  watchdog.py report FILE --from EPOCH --to EPOCH --old PID --trigger EPOCH
      of the requests FILE records that overlap [from, to], print "<total> <failed> <failed in OLD_PID>": a failed
      request was in OLD_PID when its keep-alive connection was on it, or when it was on a new connection sent
      before the trigger and failed after it (in flight in the worker when it hung or broke)
Exit status 1 on timeout or failure.
"""
import argparse
import datetime
import http.client
import json
import re
import signal
import sys
import threading
import time

from cluster import ready_pid, view

HOST = "127.0.0.1"




def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X", "x")
    except (OSError, IndexError):
        return False


def slot_of(cluster, pid):
    for worker in cluster["workers"]:
        if worker["pid"] == pid:
            return worker["id"]
    return None




def load(args):
    stop = threading.Event()
    lock = threading.Lock()
    out = open(args.file, "w", buffering=1 << 16)

    def record(kind, start, ok, pid, on, error):
        with lock:
            out.write(f"{kind} {start:.6f} {time.time():.6f} {int(ok)} {pid} {on} {error}\n")

    def client(kind):
        connection, on = None, 0
        while not stop.is_set():
            if connection is None:
                connection, on = http.client.HTTPConnection(HOST, args.port, timeout=30), 0
            headers = {"Connection": "close"} if kind == "new" else {}
            start, sent_on = time.time(), on
            try:
                connection.request("GET", "/", headers=headers)
                response = connection.getresponse()
                body = response.read()
                pid = json.loads(body).get("pid", 0) if response.status == 200 else 0
                record(kind, start, response.status == 200, pid, sent_on,
                       "-" if response.status == 200 else f"status-{response.status}")
                if kind == "new" or (response.getheader("Connection") or "").lower() == "close":
                    connection.close()
                    connection = None
                else:
                    on = pid
            except (OSError, http.client.HTTPException, ValueError) as ex:
                record(kind, start, False, 0, sent_on, type(ex).__name__)
                connection.close()
                connection = None
            if args.pause > 0:
                time.sleep(args.pause)

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=client, args=("new",), daemon=True) for _ in range(args.new)]
    threads += [threading.Thread(target=client, args=("keepalive",), daemon=True) for _ in range(args.keepalive)]
    for thread in threads:
        thread.start()
    while not stop.wait(0.5):
        pass
    for thread in threads:
        thread.join(2)
    with lock:
        out.close()
    return 0


def slot_pid(args):
    cluster = view(args.port)
    pid = ready_pid(cluster, args.slot) if cluster else 0
    if not pid:
        print(f"slot {args.slot} has no ready worker", file=sys.stderr)
        return 1
    print(pid)
    return 0


def wait_replaced(args):
    deadline, slot, ready_at, gone_at, new = time.time() + args.timeout, None, None, None, 0
    while time.time() < deadline:
        if gone_at is None and not alive(args.old):
            gone_at = time.time()
        cluster = view(args.port)
        if cluster is not None:
            if slot is None:
                slot = slot_of(cluster, args.old)
            pid = ready_pid(cluster, slot) if slot is not None else 0
            if ready_at is None and pid and pid != args.old:
                ready_at, new = time.time(), pid
        if ready_at is not None and gone_at is not None:
            print(f"{ready_at - args.start:.2f} {gone_at - args.start:.2f} {new}")
            return 0
        time.sleep(0.1)
    print(f"timeout after {args.timeout}s: slot {slot}, ready {ready_at}, gone {gone_at}", file=sys.stderr)
    return 1


def wait_recycle(args):
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        cluster = view(args.port)
        if cluster is not None:
            by_slot = {}
            for worker in cluster["workers"]:
                by_slot.setdefault(worker["id"], []).append(worker)
            for slot, workers in sorted(by_slot.items()):
                old = [w["pid"] for w in workers if w["state"] == "ready"]
                if len(workers) > 1 and any(w["state"] == "starting" for w in workers) and old:
                    print(f"{time.time() - args.start:.2f} {slot} {old[0]}")
                    return 0
        time.sleep(0.1)
    print(f"no recycle began within {args.timeout}s", file=sys.stderr)
    return 1


class Connection:
    """A keep-alive connection that reached one worker."""

    def __init__(self, port, pid, attempts=100):
        for _ in range(attempts):
            self.http = http.client.HTTPConnection(HOST, port, timeout=60)
            status, body, closing = self.send("GET", "/")
            if status == 200 and not closing and json.loads(body).get("pid") == pid:
                return
            self.http.close()
        raise SystemExit(f"no connection reached worker {pid} in {attempts} attempts")

    def send(self, method, path):
        self.http.request(method, path, body=b"" if method == "POST" else None)
        response = self.http.getresponse()
        return response.status, response.read(), (response.getheader("Connection") or "").lower() == "close"


def post(args):
    connection = Connection(args.port, args.pid)
    if args.no_answer:
        connection.http.request("POST", args.path, body=b"")
        # give the request time to reach its handler before the connection closes with this process
        time.sleep(0.5)
        print("sent")
        return 0
    status, body, _ = connection.send("POST", args.path)
    print(status)
    return 0 if 200 <= status < 300 else 1


def leak(args):
    connection = Connection(args.port, args.pid)
    leaked, first, answered = 0, time.time(), time.time()
    while leaked < args.max:
        status, body, _ = connection.send("POST", f"/leak?mb={args.step}")
        if status != 200:
            print(f"POST /leak answered {status}: {body[:200]!r}", file=sys.stderr)
            return 1
        leaked += args.step
        status, _, closing = connection.send("POST", "/gc-storm?seconds=1")
        answered = time.time()
        if status != 200 or closing:
            break
        # a heartbeat a second carries the collections' figures: wait a few for the master's decision
        recycling = False
        for _ in range(50):
            cluster = view(args.port)
            slot = slot_of(cluster, args.pid) if cluster else None
            if slot is not None and len([w for w in cluster["workers"] if w["id"] == slot]) > 1:
                recycling = True
                break
            time.sleep(0.1)
        if recycling:
            break
    print(f"{leaked} {first:.6f} {answered:.6f}")
    return 0


def detected(args):
    verdict = re.compile(r"^(\S+)\s.*\bWorker \d+ \(pid %d\) (is hung|is broken|will be recycled)" % args.pid)
    with open(args.log, errors="replace") as f:
        for line in f:
            match = verdict.search(line)
            if match:
                at = datetime.datetime.fromisoformat(match.group(1).replace("Z", "+00:00")).timestamp()
                print(f"{at - args.start:.2f}")
                return 0
    print("-")
    return 0


def report(args):
    total = failed = stuck = 0
    with open(args.file) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 7:
                continue
            kind, start, end, ok, _, on = parts[0], float(parts[1]), float(parts[2]), parts[3], parts[4], int(parts[5])
            if end < args.from_ or start > args.to:
                continue
            total += 1
            if ok == "1":
                continue
            failed += 1
            if on == args.old or (kind == "new" and start <= args.trigger <= end):
                stuck += 1
    print(f"{total} {failed} {stuck}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("load")
    p.add_argument("port", type=int)
    p.add_argument("file")
    p.add_argument("--new", type=int, default=2)
    p.add_argument("--keepalive", type=int, default=2)
    p.add_argument("--pause", type=float, default=0.005)
    p.set_defaults(func=load)
    p = sub.add_parser("slot-pid")
    p.add_argument("port", type=int)
    p.add_argument("slot", type=int)
    p.set_defaults(func=slot_pid)
    p = sub.add_parser("wait-replaced")
    p.add_argument("port", type=int)
    p.add_argument("old", type=int)
    p.add_argument("--start", type=float, required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.set_defaults(func=wait_replaced)
    p = sub.add_parser("wait-recycle")
    p.add_argument("port", type=int)
    p.add_argument("--start", type=float, required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.set_defaults(func=wait_recycle)
    p = sub.add_parser("post")
    p.add_argument("port", type=int)
    p.add_argument("pid", type=int)
    p.add_argument("path")
    p.add_argument("--no-answer", action="store_true")
    p.set_defaults(func=post)
    p = sub.add_parser("leak")
    p.add_argument("port", type=int)
    p.add_argument("pid", type=int)
    p.add_argument("--step", type=int, default=20)
    p.add_argument("--max", type=int, default=140)
    p.set_defaults(func=leak)
    p = sub.add_parser("detected")
    p.add_argument("log")
    p.add_argument("pid", type=int)
    p.add_argument("--start", type=float, required=True)
    p.set_defaults(func=detected)
    p = sub.add_parser("report")
    p.add_argument("file")
    p.add_argument("--from", dest="from_", type=float, required=True)
    p.add_argument("--to", type=float, required=True)
    p.add_argument("--old", type=int, required=True)
    p.add_argument("--trigger", type=float, required=True)
    p.set_defaults(func=report)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
