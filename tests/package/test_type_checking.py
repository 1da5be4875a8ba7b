"""README "A taste", every docs page's Python blocks and examples/ type-check clean, as a user runs them.

Each docs page is one unit: its ``python`` blocks joined in order, as a reader runs them one after the
other (later blocks use the names earlier ones define; a page may rebind a name to a value of another type,
so mypy gets ``--allow-redefinition`` and pyright does not flag an import repeated by a later block). The
checkers run as a user's project would: mypy ``--strict`` without this project's configuration (so without
the pydantic plugin), and pyright in strict mode; both find the package as an installed one (mypy through
an environment holding a ``pip install -e .`` of this project as setup.cfg's ``compat`` mode writes it,
pyright through ``extraPaths``).

Each checker runs once over one tree: the units, a negative control (``mistakes.py``: a misspelled keyword
and a wrong type, which both checkers must flag) and a user's module of another project (``use.py``, whose
``reveal_type`` shows mypy read the package's own types through the editable install). The tests then read
their part of that one report: a checker's start and its analysis of pydantic and the package cost more
than all the files it checks. Each report is made once per test run and shared by the workers
(``once_per_run``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from editable_support import USER_CODE, compat_environment
from run_once import once_per_run

ROOT = Path(__file__).resolve().parents[2]
MISTAKES = """\
import azimagebuilder as aib

aib.VhdDistributor(run_output_nam="vhd")
aib.VmProfile(vm_size=3)
aib.VhdDistributor(run_output_name="vhd", extra={"futureField": 1})
"""
#: The files of the tree that are not docs units.
CONTROLS = {"mistakes.py", "use.py"}


def units() -> dict[str, str]:
    """Module name -> source: the README's "A taste", each docs page with Python blocks, each example."""
    out: dict[str, str] = {}
    readme = (ROOT / "README.md").read_text()
    taste = re.search(r"^## A taste\n(.*?)^## ", readme, re.S | re.M)
    assert taste, "README.md has no '## A taste' section"
    blocks = re.findall(r"^```python[^\n]*\n(.*?)^```", taste.group(1), re.S | re.M)
    assert blocks, "README.md has no python block under '## A taste'"
    out["readme_a_taste"] = "\n".join(blocks)
    for page in sorted((ROOT / "docs").rglob("*.md")):
        blocks = re.findall(r"^```python[^\n]*\n(.*?)^```", page.read_text(), re.S | re.M)
        if blocks:
            name = re.sub(r"\W", "_", str(page.relative_to(ROOT).with_suffix("")))
            out[name] = "\n".join(blocks)
    for example in sorted((ROOT / "examples").glob("*.py")):
        out[example.stem] = example.read_text()
    return out


def write_tree(tree: Path) -> Path:
    """The files the checkers read: the units, the negative control and a user's module."""
    tree.mkdir(parents=True, exist_ok=True)
    for name, source in units().items():
        (tree / f"{name}.py").write_text(source)
    (tree / "mistakes.py").write_text(MISTAKES)
    (tree / "use.py").write_text(USER_CODE)
    return tree


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    message: str


def _run_mypy(work: Path) -> dict[str, Any]:
    tree = write_tree(work / "tree")
    python = compat_environment(work / "editable-env")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--allow-redefinition",
            "--config-file=",
            "--no-incremental",
            f"--python-executable={python}",
            ".",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    return {"returncode": done.returncode, "output": _report(done.stdout + done.stderr, tree)}


@pytest.fixture(scope="session")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Diagnostic]]:
    """mypy --strict over the tree, the package found through a compat editable install: (output, errors).

    Run once per test run, for all workers (``once_per_run``)."""
    done = once_per_run(tmp_path_factory, "mypy-docs", _run_mypy)
    output: str = done["output"]
    assert done["returncode"] in (0, 1), output  # 2: mypy itself failed
    errors = [
        Diagnostic(m["file"], int(m["line"]), m["message"])
        for m in re.finditer(r"^(?P<file>[\w.]+):(?P<line>\d+): error: (?P<message>.*)$", output, re.M)
    ]
    return output, errors


@pytest.fixture(scope="session")
def pyright_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """pyright's JSON report of the tree in strict mode, run once per test run."""
    pyright = _pyright()

    def run(work: Path) -> str:
        tree = write_tree(work / "tree")
        (tree / "pyrightconfig.json").write_text(
            json.dumps(
                {
                    "typeCheckingMode": "strict",
                    "extraPaths": [str(ROOT)],
                    "reportMissingModuleSource": False,
                    "reportDuplicateImport": False,
                }
            )
        )
        done = subprocess.run(
            [*pyright, "--pythonpath", sys.executable, "--outputjson", "."],
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    report: dict[str, Any] = json.loads(once_per_run(tmp_path_factory, "pyright-docs", run))
    return report


def _pyright_errors(report: dict[str, Any]) -> list[Diagnostic]:
    return [
        Diagnostic(Path(d["file"]).name, d["range"]["start"]["line"] + 1, d["message"])
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]


def _report(output: str, tree: Path) -> str:
    return output.replace(str(tree) + os.sep, "")


def test_the_units_cover_readme_docs_and_examples() -> None:
    names = set(units())
    assert "readme_a_taste" in names
    assert "docs_client" in names
    assert "docs_python_api" in names
    assert "build_linux_image" in names
    assert len(names) >= 20


@pytest.mark.slow(cpu=True)  # runs the checker (the tests after it reuse its report)
def test_mypy_strict_reports_no_error(mypy_report: tuple[str, list[Diagnostic]]) -> None:
    output, errors = mypy_report
    in_units = [e for e in errors if e.file not in CONTROLS]
    assert in_units == [], output
    checked = re.search(r"checked (\d+) source files", output)
    assert checked, output
    assert int(checked.group(1)) == len(units()) + len(CONTROLS), output


@pytest.mark.slow
def test_mypy_reads_the_package_through_a_compat_editable_install(
    mypy_report: tuple[str, list[Diagnostic]],
) -> None:
    output, errors = mypy_report
    assert [e for e in errors if e.file == "use.py"] == [], output
    assert 'use.py:4: note: Revealed type is "typing.Sequence[str] | None"' in output  # the package's types


def _pyright() -> list[str]:
    exe = shutil.which("pyright")
    if exe is None:
        pytest.skip("pyright is not installed (pip install pyright; it is in the test extra)")
    return [exe]


@pytest.mark.slow(cpu=True)  # runs the checker (the tests after it reuse its report)
def test_pyright_strict_reports_no_error(pyright_report: dict[str, Any]) -> None:
    errors = _pyright_errors(pyright_report)
    assert [e for e in errors if e.file not in CONTROLS] == []
    assert pyright_report["summary"]["filesAnalyzed"] == len(units()) + len(CONTROLS)


@pytest.mark.slow
def test_both_checkers_see_the_typed_snake_case_keywords(
    mypy_report: tuple[str, list[Diagnostic]], pyright_report: dict[str, Any]
) -> None:
    # The negative control: the same checkers flag a misspelled keyword and a wrong type (and take extra=).
    output, errors = mypy_report
    mistakes = [e.message for e in errors if e.file == "mistakes.py"]
    assert len(mistakes) == 2, output
    assert any('Unexpected keyword argument "run_output_nam"' in m for m in mistakes), output
    assert any('Argument "vm_size" to "VmProfile" has incompatible type "int"' in m for m in mistakes), output
    lines = sorted({e.line for e in _pyright_errors(pyright_report) if e.file == "mistakes.py"})
    assert lines == [3, 4]
