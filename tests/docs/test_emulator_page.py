"""Every Python example in docs/emulator.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_doc_has_examples() -> None:
    assert len(BLOCKS) >= 8
    assert "requests.put" in BLOCKS[0]  # the Quick start comes first


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    code = compile(BLOCKS[index], f"{DOC.name}[python block {index}]", "exec")
    exec(code, {"__name__": f"docs_emulator_{index}"})
    if index == 0:  # the Quick start prints what the real service would answer
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "201 Creating"
        assert out[1] == "Succeeded"
        assert out[2].startswith("https://")
        assert out[2].endswith(".vhd")
        assert out[3] == "202"
