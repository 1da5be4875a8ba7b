"""``import azimagebuilder; azimagebuilder.ImageTemplate`` in two checkouts, side by side.

Runs fresh interpreters alternately against each checkout (``PYTHONPATH``), so both see the same machine
load, and times the import and first touch of ``ImageTemplate`` (and ``inspect.signature`` of it) in CPU
time of the process (``time.process_time``), which other processes on a busy machine disturb far less
than wall time. Prints the median and minimum of each, in milliseconds.

Usage:
    python benchmarks/import_side_by_side.py BEFORE_DIR AFTER_DIR [--runs 31]

For example, a worktree of the commit before a change and one of the change itself
(``git worktree add /tmp/before <commit>^``; docs/python-api.md, "Import cost").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

SNIPPETS = {
    "import + ImageTemplate": (
        "import time; t0 = time.process_time(); import azimagebuilder; azimagebuilder.ImageTemplate; "
        "print(time.process_time() - t0)"
    ),
    "import + inspect.signature(ImageTemplate)": (
        "import inspect, time; t0 = time.process_time(); import azimagebuilder; "
        "inspect.signature(azimagebuilder.ImageTemplate); print(time.process_time() - t0)"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for label, path in (("before", args.before), ("after", args.after)):
            for name, code in SNIPPETS.items():
                env = dict(os.environ, PYTHONPATH=path)
                out = subprocess.run(
                    [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
                ).stdout
                results.setdefault((name, label), []).append(float(out) * 1000)
    print(f"| What | before: median / min (ms) | after: median / min (ms) |  ({args.runs} runs each)")
    print("|---|---:|---:|")
    for name in SNIPPETS:
        cells = []
        for label in ("before", "after"):
            values = results[(name, label)]
            cells.append(f"{statistics.median(values):.1f} / {min(values):.1f}")
        print(f"| {name} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
