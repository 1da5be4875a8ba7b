"""``pip install -e .`` gives an install mypy finds: setup.cfg selects setuptools' ``compat`` editable mode.

The default editable mode of a flat layout installs an import hook (a ``__editable__..._finder.py``), which
mypy never runs, so a user's mypy reported "Cannot find implementation or library stub for module named
azimagebuilder". In ``compat`` mode setuptools writes a ``.pth`` file holding the project directory, which
mypy reads. The tests build both shapes of install in throw-away environments (no pip, no network) and run
mypy against each from outside the repository: the compat shape in tests/package/test_type_checking.py,
whose one mypy run checks the docs' code through such an install.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from editable_support import ROOT, USER_CODE, environment


def test_setup_cfg_selects_the_compat_editable_mode() -> None:
    from setuptools.dist import Distribution

    dist = Distribution()
    dist.parse_config_files([str(ROOT / "setup.cfg")])
    assert dist.get_option_dict("editable_wheel")["mode"][1] == "compat"


# What setuptools' default editable mode installs beside its .pth: a finder that maps the package name to
# the project directory when Python imports it. Python runs it; mypy reads .pth lines as paths only.
FINDER = f"""
import importlib.machinery
import sys


class _Finder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname != "azimagebuilder":
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [{str(ROOT)!r}])


sys.meta_path.append(_Finder)
"""


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
def test_an_import_hook_install_is_what_mypy_cannot_find(tmp_path: Path) -> None:
    # The default mode's .pth only imports a finder module: Python imports the package through it, mypy sees
    # no path, so the package is missing. The venv leaves out the system site-packages, where the running
    # Python may have this project installed (CI installs it in compat mode).
    python, purelib = environment(
        tmp_path / "env",
        "import __editable___azimagebuilder_0_1_0_finder; pass",
        system_site_packages=False,
    )
    (purelib / "__editable___azimagebuilder_0_1_0_finder.py").write_text(FINDER)
    imported = subprocess.run(
        [str(python), "-c", "import azimagebuilder; print(azimagebuilder.__file__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == str(ROOT / "azimagebuilder" / "__init__.py")
    project = tmp_path / "project"
    project.mkdir()
    done = _mypy(python, project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'module named "azimagebuilder"' in done.stdout
