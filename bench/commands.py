"""Times a command over several runs for bench/commands.sh: prints one markdown table row.

    python3 commands.py RUNS LABEL NOTE COMMAND...

Each run's wall time from fork to exit (perf_counter), output to $OUT/commands-runs.log; the row holds the
median and the max in seconds, the exit codes seen, and NOTE. Standard library only.
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    runs, label, note, command = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    log = os.path.join(os.environ.get("OUT", "."), "commands-runs.log")
    times, codes = [], set()
    with open(log, "a") as out:
        out.write("# " + label + ": " + " ".join(command) + "\n")
        out.flush()
        for _ in range(runs):
            start = time.perf_counter()
            code = subprocess.call(command, stdout=out, stderr=out)
            times.append(time.perf_counter() - start)
            codes.add(code)
    print("| %s | %.2f | %.2f | %s | %s |" % (label, statistics.median(times), max(times),
                                              ",".join(str(c) for c in sorted(codes)), note))


if __name__ == "__main__":
    main()
