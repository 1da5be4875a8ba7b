"""What importing azimagebuilder costs in real use, side by side with the official Azure SDK.

"Real use" is what a script or a notebook does first: import the client and the template models, and build
one template. The same template is built with the official ``azure-mgmt-imagebuilder`` (its client and its
models), so the two figures compare like with like. Each figure is the median over fresh interpreter
processes (nothing cached in ``sys.modules``), measured two ways, interleaved so that both sides share any
noise of a busy machine:

- **process**: the wall time of ``python -c "<snippet>"`` minus that of ``python -c "pass"`` (interpreter
  start-up, site-packages and the editable-install finder are the same for every snippet, so they cancel);
- **in process**: ``time.perf_counter()`` around the snippet, inside the fresh process.

Both sides run from bytecode caches, as an installed package does (pip compiles at install time, and a
source checkout writes its ``__pycache__`` on the first import): the script compiles this package's
modules first, so a ``PYTHONDONTWRITEBYTECODE=1`` environment does not make every fresh process compile
our 15k lines from source while the SDK's site-packages load from theirs.

Prints a Markdown table for docs/performance.md ("## Import time") and exits 1 when ours costs more than
theirs (the target: at most 1.0 x).

Usage:
    python benchmarks/import_time.py [--runs 21]
"""

from __future__ import annotations

import argparse
import compileall
import platform
import statistics
import subprocess
import sys
import time

TEMPLATE_OURS = """
t = ImageTemplate(
    location="westus2",
    source=PlatformImageSource(
        publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
    ),
    customize=[ShellCustomizer(name="hello", inline=["echo hello"])],
    distribute=[VhdDistributor(run_output_name="vhd")],
)
"""
TEMPLATE_THEIRS = """
t = models.ImageTemplate(
    location="westus2",
    source=models.ImageTemplatePlatformImageSource(
        publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
    ),
    customize=[models.ImageTemplateShellCustomizer(name="hello", inline=["echo hello"])],
    distribute=[models.ImageTemplateVhdDistributor(run_output_name="vhd")],
)
"""
OURS = (
    "from azimagebuilder import ImageBuilderClient, ImageTemplate, PlatformImageSource, ShellCustomizer, "
    "VhdDistributor" + TEMPLATE_OURS
)
THEIRS = "from azure.mgmt.imagebuilder import ImageBuilderClient, models" + TEMPLATE_THEIRS

OURS_NAME = "azimagebuilder: client + models, one template"
THEIRS_NAME = "azure-mgmt-imagebuilder: client + models, one template"
#: Issue 8's figure: the models and one template checked by validate() (no client), to compare across
#: versions of this package (run this script on each; `--runs 21` or more on a busy machine).
VALIDATE_NAME = "azimagebuilder: models, one template, validate()"
VALIDATE = (
    "from azimagebuilder import ImageTemplate, PlatformImageSource, ShellCustomizer, VhdDistributor, validate"
    + TEMPLATE_OURS
    + "validate(t)"
)
#: What any pydantic v2 model costs on first use: pydantic's import, its plugin look-up
#: (``importlib.metadata`` over the installed distributions) and one schema: the floor under our figure
#: while the template models are pydantic models.
PYDANTIC_FLOOR_NAME = "pydantic alone: one one-field BaseModel built"
PYDANTIC_FLOOR = "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int\nM(x=1)"
SNIPPETS: dict[str, str] = {
    OURS_NAME: OURS,
    THEIRS_NAME: THEIRS,
    VALIDATE_NAME: VALIDATE,
    "import azimagebuilder": "import azimagebuilder",
    "import pydantic": "import pydantic",
    PYDANTIC_FLOOR_NAME: PYDANTIC_FLOOR,
    "import azure.mgmt.core": "import azure.mgmt.core",
}


def _run(code: str) -> tuple[float, float]:
    """(process seconds, in-process seconds) of ``code`` in a fresh interpreter."""
    timed = f"import time\nt0 = time.perf_counter()\n{code}\nprint(time.perf_counter() - t0)"
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", timed], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, float(out.stdout.strip())


def compile_package() -> None:
    """Write the package's bytecode caches (``__pycache__``), as ``pip install`` does."""
    done = subprocess.run(
        [sys.executable, "-c", "import azimagebuilder, os; print(os.path.dirname(azimagebuilder.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    )
    compileall.compile_dir(done.stdout.strip(), quiet=1)


def measure(runs: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median milliseconds per snippet: (process minus an empty interpreter, in process)."""
    compile_package()
    process: dict[str, list[float]] = {name: [] for name in SNIPPETS}
    inside: dict[str, list[float]] = {name: [] for name in SNIPPETS}
    empty: list[float] = []
    for _ in range(runs):
        empty.append(_run("pass")[0])
        for name, code in SNIPPETS.items():
            wall, own = _run(code)
            process[name].append(wall)
            inside[name].append(own)
    base = statistics.median(empty)
    return (
        {name: (statistics.median(v) - base) * 1000 for name, v in process.items()},
        {name: statistics.median(v) * 1000 for name, v in inside.items()},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="fresh processes per figure (default 21)")
    args = parser.parse_args(argv)
    process, inside = measure(args.runs)
    import azure.mgmt.imagebuilder
    import pydantic

    print(
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, pydantic "
        f"{pydantic.VERSION}, azure-mgmt-imagebuilder {azure.mgmt.imagebuilder.__version__}; median of "
        f"{args.runs} fresh processes each.\n"
    )
    print("| What | process (ms) | in process (ms) | x the official SDK (process) |")
    print("|---|---:|---:|---:|")
    theirs = process[THEIRS_NAME]
    for name in SNIPPETS:
        print(f"| {name} | {process[name]:.1f} | {inside[name]:.1f} | {process[name] / theirs:.2f} |")
    ratio = process[OURS_NAME] / theirs
    ratio_inside = inside[OURS_NAME] / inside[THEIRS_NAME]
    verdict = "meets" if ratio <= 1.0 else "MISSES"
    print(
        f"\nReal use costs {ratio:.2f} x the official SDK's ({ratio_inside:.2f} x in process): {verdict} the "
        "1.0 x target."
    )
    return 0 if ratio <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
