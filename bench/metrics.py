#!/usr/bin/env python3
"""Helpers for bench/metrics.sh (standard library only): the readiness of a cluster's merged scrape, and the timing
of GET /actuator/prometheus, one new connection a scrape.

  metrics.py wait PORT WORKERS [--timeout S] [--pid PID]
      poll until GET /actuator/health answers 200 and, with WORKERS > 0, GET /actuator/supervisor lists WORKERS
      workers, all ready, and a scrape's supervisor_scrape_workers{outcome="answered"} is WORKERS; print the seconds
      it took (gives up early when PID has exited)
  metrics.py measure --out DIR --scrapes N [--warmup-requests N] [--warmup-scrapes N] [--om-scrapes N]
                     [--relay-scrapes N] [--idle S] CLUSTER...
      CLUSTER is "KEY:PORT:WORKERS:MASTER_PID:WORKER_PID,WORKER_PID,..." (KEY plain, WORKERS 0 and no MASTER_PID
      for the unsupervised app, its pid as the one worker pid). Warms every cluster up (GET / and scrapes), samples
      the idle clusters' CPU for S seconds (3: the background the CPU columns carry), then measures
      the rows in rounds, interleaved (the order rotates each round), each scrape on a new connection: its wall
      time (perf_counter, connect to last byte), size, families (# TYPE lines), series (sample lines), answered
      workers, and the CPU time the cluster's processes spent during it (utime + stime from /proc, master and
      workers apart); a last row times GET / on the 1-worker cluster (the floor of any request). Prints the
      markdown table and the verdict lines; the raw figures go to DIR/scrapes.tsv and
      one body of each row to DIR/scrape-ROW.txt. Exit status 0, 3 when a target is missed, 1 on an error.
"""
import argparse
import http.client
import math
import os
import re
import statistics
import sys
import time

HOST = "127.0.0.1"
PATH = "/actuator/prometheus"
RELAY_PATH = PATH + "?includedNames=supervisor_scrape_workers"
OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TEXT = "text/plain; version=0.0.4; charset=utf-8"
ANSWERED = re.compile(rb'^supervisor_scrape_workers\{outcome="answered"\} (\S+)$', re.M)
TARGET_RATIO = 2.0
NAMES = {"plain": "plain", "s1": "1 worker", "s2": "{n} workers", "s4": "{n} workers"}
CLK_TCK = os.sysconf("SC_CLK_TCK")

# key, cluster, label, format, path, accept, which count (scrapes, om, relay), the row it is compared with
ROWS = [
    ("plain", "plain", "plain `java -jar` (Boot's own endpoint)", "text 0.0.4", PATH, TEXT, "scrapes", "s1"),
    ("s1", "s1", "supervised, 1 worker", "text 0.0.4", PATH, TEXT, "scrapes", None),
    ("s2", "s2", "supervised, {n} workers", "text 0.0.4", PATH, TEXT, "scrapes", "s1"),
    ("s4", "s4", "supervised, {n} workers", "text 0.0.4", PATH, TEXT, "scrapes", "s1"),
    ("s1-om", "s1", "supervised, 1 worker", "OpenMetrics 1.0.0", PATH, OPENMETRICS, "om", None),
    ("s4-om", "s4", "supervised, {n} workers", "OpenMetrics 1.0.0", PATH, OPENMETRICS, "om", "s1-om"),
    ("s1-relay", "s1", "supervised, 1 worker", "text, `includedNames=supervisor_scrape_workers` (the relay alone: "
     "every worker's own scrape empty)", RELAY_PATH, TEXT, "relay", None),
    ("s4-relay", "s4", "supervised, {n} workers", "same (the relay alone)", RELAY_PATH, TEXT, "relay",
     "s1-relay"),
    ("s1-floor", "s1", "supervised, 1 worker", "not a scrape: `GET /` (the floor: any request on a new connection)",
     "/", None, "relay", None),
]


def get(port, path, accept=None, timeout=10):
    """One request on a new connection: (status, body, seconds), status 0 on a connection failure."""
    headers = {"Connection": "close"}
    if accept:
        headers["Accept"] = accept
    start = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - start
    except (OSError, http.client.HTTPException):
        return 0, b"", time.perf_counter() - start
    finally:
        connection.close()


def answered(body):
    match = ANSWERED.search(body)
    return int(float(match.group(1))) if match else None


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait(args):
    import json
    start = time.time()
    deadline = start + args.timeout
    while time.time() < deadline:
        if args.pid and not pid_alive(args.pid):
            print(f"process {args.pid} exited before it was ready", file=sys.stderr)
            return 1
        if get(args.port, "/actuator/health", timeout=2)[0] == 200:
            if args.workers <= 0:
                break
            status, body, _ = get(args.port, "/actuator/supervisor", timeout=2)
            try:
                workers = json.loads(body)["workers"] if status == 200 else []
            except (ValueError, KeyError, TypeError):
                workers = []
            if len(workers) == args.workers and all(w.get("state") == "ready" for w in workers):
                status, body, _ = get(args.port, PATH, TEXT, timeout=5)
                if status == 200 and answered(body) == args.workers:
                    break
        time.sleep(0.2)
    else:
        print(f"not ready within {args.timeout}s", file=sys.stderr)
        return 1
    print(f"{time.time() - start:.1f}")
    return 0


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def percentile(values, q):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class Cluster:
    def __init__(self, spec):
        key, port, workers, master, pids = spec.split(":")
        self.key, self.port, self.workers = key, int(port), int(workers)
        self.master = int(master) if master else 0
        self.pids = [int(p) for p in pids.split(",") if p]

    def ticks(self):
        return cpu_ticks(self.master) if self.master else 0, sum(cpu_ticks(p) for p in self.pids)


class Row:
    def __init__(self, key, cluster, label, fmt, path, accept, count, compared):
        self.key, self.cluster, self.label, self.fmt = key, cluster, label.format(n=cluster.workers), fmt
        self.path, self.accept, self.count, self.compared = path, accept, count, compared
        self.ms, self.sizes, self.families, self.series, self.answered = [], [], [], [], set()
        self.failed, self.master_ticks, self.worker_ticks, self.sample = 0, 0, 0, None

    def scrape(self, raw, number):
        before = self.cluster.ticks()
        status, body, seconds = get(self.cluster.port, self.path, self.accept)
        after = self.cluster.ticks()
        self.master_ticks += after[0] - before[0]
        self.worker_ticks += after[1] - before[1]
        scrape = self.path.startswith(PATH)
        workers = answered(body) if status == 200 and scrape else None
        ok = status == 200 and (self.cluster.workers == 0 or not scrape or workers == self.cluster.workers)
        if workers is not None:
            self.answered.add(workers)
        if ok:
            self.ms.append(seconds * 1000)
            self.sizes.append(len(body))
            self.families.append(sum(1 for line in body.split(b"\n") if line.startswith(b"# TYPE ")))
            self.series.append(sum(1 for line in body.split(b"\n") if line and not line.startswith(b"#")))
            if self.sample is None:
                self.sample = body
        else:
            self.failed += 1
        raw.write(f"{self.key}\t{number}\t{seconds * 1000:.3f}\t{status}\t{len(body)}\t"
                  f"{'-' if workers is None else workers}\t{after[0] - before[0]}\t{after[1] - before[1]}\n")
        return ok


def measure(args):
    clusters = {c.key: c for c in (Cluster(spec) for spec in args.cluster)}
    counts = {"scrapes": args.scrapes, "om": args.om_scrapes, "relay": args.relay_scrapes}
    rows = [Row(key, clusters[cluster], label, fmt, path, accept, counts[count], compared)
            for key, cluster, label, fmt, path, accept, count, compared in ROWS
            if cluster in clusters and counts[count] > 0]
    by_key = {row.key: row for row in rows}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "scrapes.tsv"), "w") as raw:
        raw.write("row\tround\tms\tstatus\tbytes\tanswered\tmaster_ticks\tworker_ticks\n")
        for cluster in clusters.values():
            log(f"{cluster.key}: warm-up, {args.warmup_requests} x GET / and {args.warmup_scrapes} scrapes per row")
            for _ in range(args.warmup_requests):
                get(cluster.port, "/")
            for row in rows:
                if row.cluster is cluster:
                    for _ in range(args.warmup_scrapes):
                        get(cluster.port, row.path, row.accept)
        for row in rows:
            row.failed, row.answered = 0, set()
        # the background the CPU columns carry: JIT compilation left over from the warm-up, heartbeats, tickers
        log(f"sampling the idle clusters' CPU for {args.idle:g}s")
        before = {key: cluster.ticks() for key, cluster in clusters.items()}
        time.sleep(args.idle)
        idle = {key: (sum(cluster.ticks()) - sum(before[key])) * 1000 / CLK_TCK / args.idle
                for key, cluster in clusters.items()}
        log("idle CPU, ms per second: " + ", ".join(f"{key} {ms:.1f}" for key, ms in idle.items()))
        log(f"measuring: {args.scrapes} rounds, rows {', '.join(f'{r.key} ({r.count})' for r in rows)}")
        started = time.time()
        for number in range(args.scrapes):
            # a row with fewer scrapes than rounds takes them spread evenly over the rounds
            due = [row for row in rows
                   if (number + 1) * row.count // args.scrapes > number * row.count // args.scrapes]
            shift = number % len(due) if due else 0
            for row in due[shift:] + due[:shift]:
                row.scrape(raw, number)
            if (number + 1) % max(1, args.scrapes // 5) == 0:
                log(f"round {number + 1}/{args.scrapes} ({time.time() - started:.0f}s), "
                    + ", ".join(f"{r.key} median {statistics.median(r.ms):.1f} ms" for r in rows if r.ms))
    for row in rows:
        if row.sample is not None:
            with open(os.path.join(args.out, f"scrape-{row.key}.txt"), "wb") as f:
                f.write(row.sample)

    def median(row):
        return statistics.median(row.ms) if row.ms else None

    def cpu(ticks, row):
        scrapes = len(row.ms) + row.failed
        return f"{ticks * 1000 / CLK_TCK / scrapes:.1f}" if scrapes else "n/a"

    print("| cluster | format | scrapes | median ms | p90 ms | p99 ms | median vs. 1 worker | bytes (median) "
          "| families | series | answered | failed | CPU ms per scrape: master "
          "| CPU ms per scrape: workers (sum; plain: the app) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        ratio = "-"
        if row.compared in by_key and median(row) and median(by_key[row.compared]):
            ratio = f"{median(row) / median(by_key[row.compared]):.2f}x"
        if row.ms and not row.path.startswith(PATH):
            figures = (f"{median(row):.2f} | {percentile(row.ms, 0.9):.2f} | {percentile(row.ms, 0.99):.2f} | - "
                       f"| {statistics.median(row.sizes):.0f} | - | -")
        elif row.ms:
            figures = (f"{median(row):.2f} | {percentile(row.ms, 0.9):.2f} | {percentile(row.ms, 0.99):.2f} | {ratio} "
                       f"| {statistics.median(row.sizes):.0f} | {statistics.median(row.families):.0f} "
                       f"| {statistics.median(row.series):.0f}")
        else:
            figures = "n/a | n/a | n/a | - | n/a | n/a | n/a"
        shown = "/".join(str(a) for a in sorted(row.answered)) or "-"
        master = cpu(row.master_ticks, row) if row.cluster.workers else "-"
        print(f"| {row.label} | {row.fmt} | {len(row.ms) + row.failed} | {figures} | {shown} | {row.failed} "
              f"| {master} | {cpu(row.worker_ticks, row)} |")
    print()
    print(f"CPU columns: utime + stime of every thread of the cluster's JVMs during each scrape (/proc, "
          f"{1000 // CLK_TCK} ms ticks), averaged over the scrapes; the same JVMs idle, after the warm-up, spent "
          + ", ".join(f"{NAMES.get(key, key).format(n=c.workers)} {idle[key]:.1f}" for key, c in clusters.items())
          + " ms of CPU a second.")
    print()
    missed = False
    one, many = by_key.get("s1"), by_key.get("s4")
    if one and many and median(one) and median(many):
        ratio = median(many) / median(one)
        verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
        missed |= verdict == "MISS"
        print(f"One text scrape, {many.cluster.workers} workers vs. 1 worker (medians): {median(many):.2f} ms / "
              f"{median(one):.2f} ms = {ratio:.2f}x (target <= {TARGET_RATIO:.1f}x): {verdict}")
    else:
        missed = True
        print(f"One text scrape, many workers vs. 1 worker: not measured (target <= {TARGET_RATIO:.1f}x): MISS")
    mid = by_key.get("s2")
    if one and mid and median(one) and median(mid):
        print(f"One text scrape, {mid.cluster.workers} workers vs. 1 worker (medians): {median(mid):.2f} ms / "
              f"{median(one):.2f} ms = {median(mid) / median(one):.2f}x (for reference: as many workers as CPUs)")
    failed = sum(row.failed for row in rows)
    total = sum(len(row.ms) + row.failed for row in rows)
    missed |= failed > 0
    print(f"Failed scrapes (not 200, or fewer workers answered than the cluster has): {failed} of {total} "
          f"(target 0): {'PASS' if failed == 0 else 'MISS'}")
    return 3 if missed else 0


def log(message):
    print(f"[metrics {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("wait")
    p.add_argument("port", type=int)
    p.add_argument("workers", type=int)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--pid", type=int, default=0)
    p.set_defaults(func=wait)
    p = commands.add_parser("measure")
    p.add_argument("--out", required=True)
    p.add_argument("--scrapes", type=int, default=300)
    p.add_argument("--warmup-requests", type=int, default=200)
    p.add_argument("--warmup-scrapes", type=int, default=50)
    p.add_argument("--om-scrapes", type=int, default=100)
    p.add_argument("--relay-scrapes", type=int, default=100)
    p.add_argument("--idle", type=float, default=3)
    p.add_argument("cluster", nargs="+")
    p.set_defaults(func=measure)
    args = parser.parse_args()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
