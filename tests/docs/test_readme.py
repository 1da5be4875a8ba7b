"""The README's promises: a two-command Quick start that CI runs, and a valid example template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import azimagebuilder as aib

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _first_code_block_after(heading: str) -> str:
    match = re.search(rf"## {re.escape(heading)}\n.*?```\w*\n(.*?)```", README, re.S)
    assert match, f"no code block under '## {heading}'"
    return match.group(1)


def test_quick_start_is_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = [line for line in _first_code_block_after("Quick start").splitlines() if line.strip()]
    assert len(commands) == 2
    assert "azimagebuilder demo" in commands[0]
    assert "pytest" in commands[1]
    ci_script = (ROOT / ".ci" / "run").read_text()
    # .ci/run may spell the tools as `python3 -m`, but it must install the test extras and run pytest,
    # then build the documentation site as strictly as the README says.
    assert re.search(r"-e '\.\[test(,docs)?\]'", ci_script)
    assert "pytest" in ci_script
    assert "mkdocs build --strict" in ci_script


def test_the_example_template_is_valid_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    # Everything before the client block runs as written, and prints what its comment says: [].
    code = _first_code_block_after("A taste").split("with aib.ImageBuilderClient")[0]
    code = code.replace("from azure.identity import DefaultAzureCredential\n", "")
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert capsys.readouterr().out == "[]\n"
    template = namespace["template"]
    assert isinstance(template, aib.ImageTemplate)
    assert aib.validate(template).errors == []
    assert template.to_arm()["properties"]["source"]["type"] == "PlatformImage"
