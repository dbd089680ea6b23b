"""Times a command over several runs for bench/commands.sh: prints one markdown table row.

    python3 commands.py RUNS LABEL NOTE COMMAND...

Each run's wall time from fork to exit (perf_counter) and its CPU time (user + system, from wait4), output to
$OUT/commands-runs.log; the row holds the median and the max wall time, the median CPU time, in seconds, the exit
codes seen, and NOTE. CPU time shows what a run costs when other processes share the cores; wall time is what the
user waits. Standard library only.
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    runs, label, note, command = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    log = os.path.join(os.environ.get("OUT", "."), "commands-runs.log")
    walls, cpus, codes = [], [], set()
    with open(log, "a") as out:
        out.write("# " + label + ": " + " ".join(command) + "\n")
        out.flush()
        for _ in range(runs):
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=out, stderr=out)
            _, status, usage = os.wait4(process.pid, 0)
            walls.append(time.perf_counter() - start)
            process.returncode = os.waitstatus_to_exitcode(status)
            cpus.append(usage.ru_utime + usage.ru_stime)
            codes.add(process.returncode)
    print("| %s | %.2f | %.2f | %.2f | %s | %s |" % (label, statistics.median(walls), max(walls),
                                                     statistics.median(cpus),
                                                     ",".join(str(c) for c in sorted(codes)), note))


if __name__ == "__main__":
    main()
