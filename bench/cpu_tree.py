"""Each process's CPU seconds in a command's process tree: how a run's work splits between
the main process, the document workers and the great-expectations worker.

    python bench/cpu_tree.py -- seedcheck check CORPUS --jobs 2 --no-cache -q ...

The tree is sampled every 0.2 s with psutil; a process's last sample before it ends is its
figure (a process that lives under 0.2 s may be missed). Printed after the command ends, in
the order the processes started, with the total.
"""

from __future__ import annotations

import sys
import time

import psutil


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print(__doc__)
        return 2
    proc = psutil.Popen(args)
    last: dict[int, tuple[float, float, str]] = {}  # pid -> (start time, CPU seconds, command)
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
        except psutil.Error:
            tree = [proc]
        for p in tree:
            try:
                cpu = p.cpu_times()
                last[p.pid] = (p.create_time(), cpu.user + cpu.system, " ".join(p.cmdline()[:3])[-70:])
            except psutil.Error:
                pass
        time.sleep(0.2)
    for pid, (_, cpu, command) in sorted(last.items(), key=lambda item: item[1][0]):
        print(f"{pid:8d} {cpu:9.2f} s  {command}", file=sys.stderr)
    print(f"{'total':>8} {sum(cpu for _, cpu, _ in last.values()):9.2f} s", file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
