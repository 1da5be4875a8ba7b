"""Templates of 2018-02-01-preview and 2019-02-01-preview: recognised, checked with their own field rules
(a Shell customizer runs `script`, distribute may be empty), and reported as retired with `upgrade`."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from azimagebuilder import validate

FIRST_PREVIEWS = ["2018-02-01-preview", "2019-02-01-preview"]


def first_preview(version: str) -> dict[str, Any]:
    """A template in the shape of the first previews' API reference."""
    return {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": version,
        "location": "westcentralus",
        "dependsOn": [],
        "properties": {
            "source": {
                "type": "PlatformImage",
                "publisher": "Canonical",
                "offer": "UbuntuServer",
                "sku": "16.04-LTS",
                "version": "16.04.201809120",
            },
            "customize": [
                {"type": "Shell", "name": "setupOS", "script": "https://example.com/files/osconf.sh"},
                {"type": "PowerShell", "name": "updateOS", "inline": ["Install-Module PSWindowsUpdate"]},
            ],
            "distribute": [],
        },
    }


def _retired(report: Any) -> str:
    (warning,) = [p for p in report.warnings if p.code == "api-version-retired"]
    return str(warning.message)


@pytest.mark.parametrize("version", FIRST_PREVIEWS)
def test_script_and_an_empty_distribute_are_what_these_versions_accept(version: str) -> None:
    report = validate(first_preview(version))
    assert report.errors == []
    assert [p.code for p in report.warnings] == ["api-version-retired"]
    message = _retired(report)
    assert f"api-version {version} is retired" in message
    assert "`azimagebuilder upgrade` rewrites" in message


@pytest.mark.parametrize("version", FIRST_PREVIEWS)
def test_distribute_as_the_references_empty_object_is_accepted(version: str) -> None:
    doc = first_preview(version)
    doc["properties"]["distribute"] = {}
    assert validate(doc).errors == []


@pytest.mark.parametrize("version", FIRST_PREVIEWS)
def test_the_rules_speak_of_script_not_script_uri(version: str) -> None:
    doc = first_preview(version)
    doc["properties"]["customize"][0]["inline"] = ["echo both"]  # script and inline: one too many
    doc["properties"]["customize"][1] = {"type": "Shell", "name": "neither"}
    doc["properties"]["customize"].append({"type": "Shell", "name": "plain", "script": "ftp://x/y.sh"})
    report = validate(doc)
    found = [(p.path, p.code) for p in report.errors]
    assert found == [
        ("properties.customize[0]", "script-source"),
        ("properties.customize[1]", "script-source"),
        ("properties.customize[2].script", "url-invalid"),
    ]
    assert all("scriptUri" not in p.message for p in report.errors)
    assert "script / inline" in report.errors[0].message


@pytest.mark.parametrize("version", FIRST_PREVIEWS)
def test_fields_that_came_later_are_warned_as_newer(version: str) -> None:
    doc = first_preview(version)
    doc["properties"]["buildTimeoutInMinutes"] = 60
    doc["properties"]["vmProfile"] = {"vmSize": "Standard_D2_v2"}
    doc["properties"]["customize"].append(
        {"type": "Shell", "name": "new", "scriptUri": "https://example.com/a.sh"}
    )
    doc["properties"]["customize"].append(
        {"type": "File", "name": "f", "sourceUri": "https://example.com/f", "destination": "/tmp/f"}
    )
    report = validate(doc)
    newer = {p.path for p in report.warnings if p.code == "field-newer-than-api-version"}
    assert newer == {
        "properties.buildTimeoutInMinutes",
        "properties.vmProfile",
        "properties.customize[2].scriptUri",
        "properties.customize[3].type",
    }
    assert all(version in p.message for p in report.warnings if p.code == "field-newer-than-api-version")


def test_the_same_template_at_2019_05_01_preview_is_checked_with_that_versions_rules() -> None:
    doc = first_preview("2019-05-01-preview")
    report = validate(doc)
    assert {p.code for p in report.errors} == {"script-source", "distribute-empty"}
    assert "api-version-retired" not in report.codes


def test_without_api_version_the_script_field_points_to_the_first_previews() -> None:
    doc = copy.deepcopy(first_preview("2019-02-01-preview"))
    del doc["apiVersion"]
    report = validate(doc)
    assert report.errors == []
    (assumed,) = [p for p in report.warnings if p.code == "api-version-assumed"]
    assert "checked at api-version 2019-02-01-preview" in assumed.message
    assert "api-version-retired" in report.codes
