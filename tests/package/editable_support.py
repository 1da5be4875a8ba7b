"""Throw-away environments holding an editable install of this project, as pip leaves one (no network)."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PTH_NAME = "__editable__.azimagebuilder-0.1.0.pth"
#: A user's module of another project, type-checked against an install of this one.
USER_CODE = (
    "import azimagebuilder as aib\n"
    "\n"
    'step = aib.ShellCustomizer(name="hello", inline=["echo hello"])\n'
    "reveal_type(step.inline)\n"
)


def environment(tmp: Path, pth_line: str, *, system_site_packages: bool = True) -> tuple[Path, Path]:
    """A venv with one editable-install .pth holding ``pth_line``; returns its python and its site-packages.

    With ``system_site_packages`` the venv sees mypy's and pydantic's install (and, when the running Python
    has this project installed, that install too).
    """
    venv.EnvBuilder(system_site_packages=system_site_packages, with_pip=False).create(tmp)
    python = tmp / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / PTH_NAME).write_text(pth_line + "\n")
    return python, Path(purelib)


def compat_environment(tmp: Path) -> Path:
    """A venv with what setuptools' ``compat`` editable mode writes: a .pth holding the project directory."""
    python, _ = environment(tmp, str(ROOT))
    return python
