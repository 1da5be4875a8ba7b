"""The pre-commit hook the repository ships runs `azimagebuilder validate --all` as documented."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    return dict(hook)


def test_the_hook_is_a_python_hook_over_json_files() -> None:
    hook = _hook()
    assert hook["id"] == "azimagebuilder-validate"
    assert hook["language"] == "python"
    assert hook["types"] == ["json"]
    assert shlex.split(hook["entry"])[:2] == ["azimagebuilder", "validate"]


def test_the_hooks_entry_passes_a_good_template_and_fails_a_bad_one(
    tmp_path: Path, doc: dict[str, Any]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    bad = tmp_path / "bad.json"
    doc["properties"]["customize"][0]["inline"] = "echo not a list"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    # pre-commit appends the file names to the entry; `python -m azimagebuilder` is the console script.
    argv = [sys.executable, "-m", "azimagebuilder", *shlex.split(_hook()["entry"])[1:]]
    ok = subprocess.run([*argv, str(good)], capture_output=True, text=True, check=False, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    failed = subprocess.run(
        [*argv, str(good), str(bad)], capture_output=True, text=True, check=False, timeout=120
    )
    assert failed.returncode == 3
    assert "wrong-value-type" in failed.stdout


def test_the_docs_show_the_hook_and_a_ci_step() -> None:
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert "## Validating the templates of a repository in CI" in text
    assert "id: azimagebuilder-validate" in text
    assert "azimagebuilder validate --all --format json" in text
