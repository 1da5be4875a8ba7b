"""How much ``import azimagebuilder`` costs, compared with ``import pydantic``.

Each figure is the median of several fresh interpreter processes (so nothing is cached in
``sys.modules``), timed inside the process around the import statement alone. Prints a Markdown table
for docs/performance.md ("## Import time").

Usage:
    python benchmarks/import_time.py [--runs 15]

The target (issue 2): ``import azimagebuilder`` <= 1.5 x ``import pydantic``. Touching
``azimagebuilder.ImageTemplate`` the first time loads pydantic and the template models; that cost is shown
separately, as is loading and validating a template.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys

# Each snippet prints the seconds its timed part took; the imports before "t0" are not timed.
SNIPPETS: dict[str, tuple[str, str]] = {
    "import pydantic": ("", "import pydantic"),
    "from pydantic import BaseModel": ("", "from pydantic import BaseModel"),
    "import azimagebuilder": ("", "import azimagebuilder"),
    "first touch of azimagebuilder.ImageTemplate": (
        "import azimagebuilder",
        "azimagebuilder.ImageTemplate",
    ),
    "import azimagebuilder + ImageTemplate (total)": (
        "",
        "import azimagebuilder; azimagebuilder.ImageTemplate",
    ),
    "import azimagebuilder + load_template + validate a template (total)": (
        "",
        "import azimagebuilder as a; a.validate(a.load_template({'location': 'westus2', 'properties': {"
        "'source': {'type': 'PlatformImage', 'publisher': 'Canonical', 'offer': 'UbuntuServer', "
        "'sku': '18.04-LTS', 'version': 'latest'}, "
        "'distribute': [{'type': 'VHD', 'runOutputName': 'vhd'}]}}))",
    ),
}


def time_once(setup: str, statement: str) -> float:
    """Seconds ``statement`` takes in a fresh interpreter, after ``setup``."""
    code = f"import time\n{setup}\nt0 = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t0)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def measure(runs: int) -> dict[str, float]:
    """Median milliseconds per snippet; the runs of the snippets are interleaved to share any noise."""
    samples: dict[str, list[float]] = {name: [] for name in SNIPPETS}
    for _ in range(runs):
        for name, (setup, statement) in SNIPPETS.items():
            samples[name].append(time_once(setup, statement) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per figure (default 15)")
    args = parser.parse_args(argv)
    medians = measure(args.runs)
    pydantic_ms = medians["import pydantic"]
    import pydantic

    print(
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, pydantic "
        f"{pydantic.VERSION}; median of {args.runs} fresh processes each.\n"
    )
    print("| What | Median (ms) | x `import pydantic` |")
    print("|---|---:|---:|")
    for name, ms in medians.items():
        print(f"| `{name}` | {ms:.1f} | {ms / pydantic_ms:.2f} |")
    ratio = medians["import azimagebuilder"] / pydantic_ms
    verdict = "meets" if ratio <= 1.5 else "MISSES"
    print(f"\n`import azimagebuilder` is {ratio:.2f} x `import pydantic`: {verdict} the 1.5 x target.")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
