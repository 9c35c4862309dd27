"""Before and after: the same benchmark scripts (this checkout's bench/) run against an older commit's code and
this checkout's, alternately, in one run, so that a busy machine's load falls on both alike.

The older commit is unpacked with `git archive` into a temporary folder and this bench/ is copied into it; the
server each benchmark starts serves the code of the folder it runs from, the way that commit's Procfile ran it
(common.server_app). Every JSON line is printed as the benchmark printed it, with "code" (the commit) added,
then one summary line per benchmark: each run's figure of interest, old and new, and the ratio new/old of
their means.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/compare.py \\
        --old cf815da --rounds 3 booking_cpu webhook"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The figure each benchmark is compared on, and the arguments of a shorter run than its default.
FIGURES = {
    "booking_cpu": (("hot_item", "server_cpu_ms_per_request"), ["--seconds", "15"]),
    "webhook": (("server_cpu_ms_per_request",), ["--updates", "2000", "--seconds", "30"]),
}


def unpack(commit: str, into: Path) -> Path:
    """`commit`'s tree in `into`, with this checkout's bench/ and virtualenv."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    shutil.rmtree(into / "bench", ignore_errors=True)
    shutil.copytree(ROOT / "bench", into / "bench", ignore=shutil.ignore_patterns("__pycache__", "RESULTS.md"))
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


def figure(line: dict, path: tuple[str, ...]):
    for key in path:
        line = line[key]
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benches", nargs="+", choices=sorted(FIGURES))
    parser.add_argument("--old", required=True, help="the older commit")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    new = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], check=True, capture_output=True,
                         text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-old-") as folder:
        checkouts = {args.old: unpack(args.old, Path(folder)), new: ROOT}
        for bench in args.benches:
            path, extra = FIGURES[bench]
            seen: dict[str, list] = {code: [] for code in checkouts}
            for _round in range(args.rounds):
                for code, checkout in checkouts.items():
                    out = subprocess.run([sys.executable, str(checkout / "bench" / f"{bench}.py"), *extra],
                                         cwd=checkout / "bench", check=True, capture_output=True, text=True).stdout
                    line = json.loads(out.strip().splitlines()[-1])
                    print(json.dumps({**line, "code": code}, ensure_ascii=False), flush=True)
                    seen[code].append(figure(line, path))
            old_mean = sum(seen[args.old]) / len(seen[args.old])
            new_mean = sum(seen[new]) / len(seen[new])
            print(json.dumps({"compare": bench, "figure": ".".join(path), "old": args.old, "new": new,
                              "old_runs": seen[args.old], "new_runs": seen[new],
                              "new_to_old": round(new_mean / old_mean, 2) if old_mean else None}), flush=True)


if __name__ == "__main__":
    main()
