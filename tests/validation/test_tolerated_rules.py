"""Rules the service was seen to tolerate (SERVICE_TOLERATED_CODES) are warnings everywhere, codes kept:
validate(), load_template(), the command line and the client's check; the emulator accepts them."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import load_template, validate
from azimagebuilder._operations import template_body
from azimagebuilder.cli import main
from azimagebuilder.validation import SERVICE_TOLERATED_CODES


def _duplicate_names(doc: dict[str, Any]) -> dict[str, Any]:
    # As in a recorded Azure CLI exchange: two Shell customizers with the same name, created fine.
    doc["properties"]["customize"].append({"type": "Shell", "name": "hello", "inline": ["echo again"]})
    return doc


def test_validate_reports_a_duplicate_name_as_a_warning_with_its_code(doc: dict[str, Any]) -> None:
    report = validate(_duplicate_names(doc))
    assert report.ok
    assert [(p.path, p.code) for p in report.warnings] == [
        ("properties.customize[1].name", "customizer-name-duplicate")
    ]
    assert "customizer-name-duplicate" in SERVICE_TOLERATED_CODES


def test_load_template_loads_it_with_the_warning(doc: dict[str, Any]) -> None:
    with pytest.warns(UserWarning, match="customizer-name-duplicate"):
        template = load_template(_duplicate_names(doc))
    assert [c.name for c in template.customize] == ["hello", "hello"]


def test_the_command_line_exits_0_and_prints_the_warning(
    doc: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "dup.json"
    file.write_text(json.dumps(_duplicate_names(doc)), encoding="utf-8")
    assert main(["validate", str(file)]) == 0
    out = capsys.readouterr().out
    assert "warning: properties.customize[1].name:" in out
    assert "[customizer-name-duplicate]" in out


@pytest.mark.parametrize("api_version", ["2019-05-01-preview", "2020-02-14"])
def test_the_clients_check_sends_it_and_logs_the_warning(
    doc: dict[str, Any], api_version: str, caplog: pytest.LogCaptureFixture
) -> None:
    doc = _duplicate_names(doc)
    if api_version != "2019-05-01-preview":
        identity = (
            "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i"
        )
        doc["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {identity: {}}}
        doc["apiVersion"] = api_version
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING):
        warnings.simplefilter("ignore")
        body = template_body(doc, validate=True, api_version=api_version)
    assert [c["name"] for c in body["properties"]["customize"]] == ["hello", "hello"]
    assert "customizer-name-duplicate" in caplog.text


def test_a_distribution_outside_the_preview_regions_is_a_warning(doc: dict[str, Any]) -> None:
    doc["properties"]["distribute"].append(
        {
            "type": "ManagedImage",
            "imageId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img",
            "location": "southcentralus",
            "runOutputName": "img",
        }
    )
    report = validate(doc)
    assert report.ok
    assert [p.code for p in report.warnings] == ["distributor-location-not-in-preview"]
