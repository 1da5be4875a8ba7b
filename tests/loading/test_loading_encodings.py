"""Template files load in UTF-8 (with or without a BOM) and in UTF-16 / UTF-32 with a BOM, as Windows
PowerShell 5 writes them."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import load_template, validate

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-32-bom": lambda text: text.encode("utf-32"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_files_and_bytes_load_in_every_encoding(tmp_path: Path, doc: dict[str, Any], encoding: str) -> None:
    doc["tags"] = {"owner": "Zoë ✓"}  # not ASCII: the encoding matters
    data = ENCODINGS[encoding](json.dumps(doc, ensure_ascii=False))
    path = tmp_path / "template.json"
    path.write_bytes(data)
    assert load_template(path).tags == {"owner": "Zoë ✓"}
    assert validate(data).ok
    assert validate(str(path)).ok


def test_utf16_without_a_bom_is_recognised(tmp_path: Path, doc: dict[str, Any]) -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.json"
        path.write_bytes(json.dumps(doc).encode(codec))
        assert validate(str(path)).ok


def test_bytes_in_no_encoding_are_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    path.write_bytes(b"{\xff\xfe\xfd}")
    report = validate(str(path))
    assert not report.ok
    assert "not UTF-8 (or UTF-16 with a BOM) text" in report.errors[0].message
