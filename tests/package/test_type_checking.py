"""README "A taste", every docs page's Python blocks and examples/ type-check clean, as a user runs them.

Each docs page is one unit: its ``python`` blocks joined in order, as a reader runs them one after the
other (later blocks use the names earlier ones define; a page may rebind a name to a value of another type,
so mypy gets ``--allow-redefinition`` and pyright does not flag an import repeated by a later block). The
checkers run as a user's project would: mypy ``--strict`` without this project's configuration (so without
the pydantic plugin), and pyright in strict mode; both find the package as an installed one (mypy through
``MYPYPATH``, pyright through ``extraPaths``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="module")
def checked_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("typecheck")
    for name, source in units().items():
        (tree / f"{name}.py").write_text(source)
    return tree


def _report(output: str, tree: Path) -> str:
    return output.replace(str(tree) + os.sep, "")


def test_the_units_cover_readme_docs_and_examples() -> None:
    names = set(units())
    assert "readme_a_taste" in names
    assert "docs_client" in names
    assert "docs_python_api" in names
    assert "build_linux_image" in names
    assert len(names) >= 20


def test_mypy_strict_reports_no_error(checked_tree: Path) -> None:
    cache = ROOT / ".mypy_cache" / "docs-typecheck"
    env = dict(os.environ, MYPYPATH=str(ROOT))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--allow-redefinition",
            "--config-file=",
            f"--cache-dir={cache}",
            ".",
        ],
        cwd=checked_tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, _report(done.stdout + done.stderr, checked_tree)
    assert "Success: no issues found" in done.stdout


def _pyright() -> list[str]:
    exe = shutil.which("pyright")
    if exe is None:
        pytest.skip("pyright is not installed (pip install pyright; it is in the test extra)")
    return [exe]


def test_pyright_strict_reports_no_error(checked_tree: Path) -> None:
    (checked_tree / "pyrightconfig.json").write_text(
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
        [*_pyright(), "--pythonpath", sys.executable, "--outputjson", "."],
        cwd=checked_tree,
        capture_output=True,
        text=True,
        check=False,
    )
    result = json.loads(done.stdout)
    errors = [
        f"{Path(d['file']).name}:{d['range']['start']['line'] + 1}: {d['message']}"
        for d in result["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert errors == []
    assert result["summary"]["filesAnalyzed"] == len(units())


MISTAKES = """\
import azimagebuilder as aib

aib.VhdDistributor(run_output_nam="vhd")
aib.VmProfile(vm_size=3)
aib.VhdDistributor(run_output_name="vhd", extra={"futureField": 1})
"""


def test_both_checkers_see_the_typed_snake_case_keywords(tmp_path: Path) -> None:
    # The negative control: the same checkers flag a misspelled keyword and a wrong type (and take extra=).
    (tmp_path / "mistakes.py").write_text(MISTAKES)
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file=", "--no-incremental", "mistakes.py"],
        cwd=tmp_path,
        env=dict(os.environ, MYPYPATH=str(ROOT)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert 'Unexpected keyword argument "run_output_nam"' in mypy.stdout
    assert 'Argument "vm_size" to "VmProfile" has incompatible type "int"' in mypy.stdout
    assert "Found 2 errors" in mypy.stdout
    (tmp_path / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", "extraPaths": [str(ROOT)]})
    )
    pyright = subprocess.run(
        [*_pyright(), "--pythonpath", sys.executable, "--outputjson", "mistakes.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = sorted(
        {d["range"]["start"]["line"] + 1 for d in json.loads(pyright.stdout)["generalDiagnostics"]}
    )
    assert lines == [3, 4]
