#!/usr/bin/env python3
"""Helpers for bench/canary.sh (standard library only); the client load is bench/watchdog.py's.

  canary.py count FILE --from EPOCH --to EPOCH [--slow MS]
      of the requests that FILE (bench/watchdog.py load's records) shows sent in [from, to], print
      "<total> <failed> <5xx> <slow>": failed is every request not answered 200 (a 5xx, another status, or no
      answer), 5xx the ones answered with a 5xx status, slow the ones that took MS or longer (0 without --slow)
  canary.py median VALUE...
      print the median of the values, to one decimal
"""
import argparse
import statistics
import sys


def count(args):
    total = failed = server_errors = slow = 0
    with open(args.file) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 7:
                continue  # a line the load was writing when it was stopped
            start, end, ok, error = float(parts[1]), float(parts[2]), parts[3], parts[6]
            if start < args.from_ or start > args.to:
                continue
            total += 1
            if args.slow > 0 and (end - start) * 1000 >= args.slow:
                slow += 1
            if ok != "1":
                failed += 1
                if error.startswith("status-5"):
                    server_errors += 1
    print(f"{total} {failed} {server_errors} {slow}")
    return 0


def median(args):
    print(f"{statistics.median(args.values):.1f}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("count")
    p.add_argument("file")
    p.add_argument("--from", dest="from_", type=float, required=True)
    p.add_argument("--to", type=float, required=True)
    p.add_argument("--slow", type=float, default=0)
    p.set_defaults(func=count)
    p = sub.add_parser("median")
    p.add_argument("values", type=float, nargs="+")
    p.set_defaults(func=median)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
