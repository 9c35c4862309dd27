"""A merge left half-done is caught here rather than by a catalogue that no longer compiles."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)


def test_no_tracked_text_file_holds_a_merge_conflict_marker():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    marked = []
    for name in tracked.split():
        path = ROOT / name
        if path.suffix in {".mo", ".png", ".ico", ".woff2", ".xlsx"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if MARKER.search(text):
            marked.append(name)
    assert marked == []
