"""Reads the JSON lines of the benchmarks on stdin and prints each again, followed by one line with its
targets (met / NOT met) and the machine's load average now (the machine is shared: a high load average means
the figures above it were measured on a busy machine)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    failed = 0
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        print(line, flush=True)
        try:
            figures = json.loads(line)
        except ValueError:
            continue
        targets = figures.get("targets") or {}
        met = [name for name, ok in targets.items() if ok]
        missed = [name for name, ok in targets.items() if not ok]
        failed += len(missed)
        print(f"# {figures.get('bench')}: targets met {len(met)}/{len(targets)}"
              + (f"; NOT met: {', '.join(missed)}" if missed else "")
              + f"; load average now {load_average()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
