"""The pages in docs/template/: each Python example runs and writes exactly the JSON shown after it."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import ImageTemplate, load_template, validate

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"
PAGES = [
    "location",
    "tags",
    "identity",
    "depends-on",
    "vm-profile",
    "vnet-config",
    "source",
    "customize",
    "distribute",
    "build-timeout",
    "validate",
    "optimize",
    "error-handling",
    "auto-run",
    "staging-resource-group",
    "additional-data-disks",
]
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def blocks(path: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(path.read_text(encoding="utf-8"))]


def test_there_is_a_page_per_template_section() -> None:
    assert sorted(p.stem for p in (DOCS / "template").glob("*.md")) == sorted(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_each_python_example_writes_the_json_shown_after_it(page: str) -> None:
    pairs = 0
    namespace: dict[str, Any] = {}
    pending: Any = None
    for language, code in blocks(DOCS / "template" / f"{page}.md"):
        if language == "python":
            namespace = {}
            exec(compile(code, f"docs/template/{page}.md", "exec"), namespace)
            pending = namespace["example"]
        elif language == "json" and pending is not None:
            shown = json.loads(code)
            written = pending.to_arm() if isinstance(pending, ImageTemplate) else pending.to_wire()
            assert written == shown
            if isinstance(pending, ImageTemplate):
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    assert load_template(shown) == pending
                assert validate(shown).ok
            pairs += 1
            pending = None
    assert pairs >= 1
    assert pending is None  # every Python example is followed by its JSON


def test_validation_page_lists_every_code() -> None:
    from azimagebuilder._codes import ALL_CODES

    text = (DOCS / "validation.md").read_text(encoding="utf-8")
    missing = sorted(code for code in ALL_CODES if f"`{code}`" not in text)
    assert missing == []
