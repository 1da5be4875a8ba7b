"""``pip install -e .`` gives an install mypy finds: setup.cfg selects setuptools' ``compat`` editable mode.

The default editable mode of a flat layout installs an import hook (a ``__editable__..._finder.py``), which
mypy never runs, so a user's mypy reported "Cannot find implementation or library stub for module named
azimagebuilder". In ``compat`` mode setuptools writes a ``.pth`` file holding the project directory, which
mypy reads. The test builds both shapes of install in throw-away environments (no pip, no network) and runs
mypy against each from outside the repository.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USER_CODE = (
    "import azimagebuilder as aib\n"
    "\n"
    'step = aib.ShellCustomizer(name="hello", inline=["echo hello"])\n'
    "reveal_type(step.inline)\n"
)


def test_setup_cfg_selects_the_compat_editable_mode() -> None:
    from setuptools.dist import Distribution

    dist = Distribution()
    dist.parse_config_files([str(ROOT / "setup.cfg")])
    assert dist.get_option_dict("editable_wheel")["mode"][1] == "compat"


def _environment(tmp: Path, pth_line: str) -> Path:
    """A venv with the system packages (mypy, pydantic) and one editable-install .pth, as pip leaves it."""
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(tmp)
    python = tmp / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "__editable__.azimagebuilder-0.1.0.pth").write_text(pth_line + "\n")
    return python


def _mypy(python: Path, project: Path) -> subprocess.CompletedProcess[str]:
    (project / "use.py").write_text(USER_CODE)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            f"--python-executable={python}",
            "use.py",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(sysconfig.get_platform().startswith("win"), reason="venv layout of POSIX")
def test_mypy_finds_a_compat_editable_install_from_another_project(tmp_path: Path) -> None:
    python = _environment(tmp_path / "env", str(ROOT))  # what compat mode writes: the project directory
    project = tmp_path / "project"
    project.mkdir()
    done = _mypy(python, project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'Revealed type is "typing.Sequence[str] | None"' in done.stdout  # the package's own types


@pytest.mark.skipif(sysconfig.get_platform().startswith("win"), reason="venv layout of POSIX")
def test_an_import_hook_install_is_what_mypy_cannot_find(tmp_path: Path) -> None:
    # The default mode's .pth only imports a finder module: mypy sees no path, so the package is missing.
    python = _environment(tmp_path / "env", "import __editable___azimagebuilder_0_1_0_finder; pass")
    project = tmp_path / "project"
    project.mkdir()
    done = _mypy(python, project)
    assert done.returncode == 1
    assert 'module named "azimagebuilder"' in done.stdout
