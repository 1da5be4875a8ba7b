"""upgrade(): a template rewritten for a newer api-version, what changed, and the problems left."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import _codes as C
from azimagebuilder import load_template, upgrade, validate
from azimagebuilder.cli import main

SUB = "11111111-2222-3333-4444-555555555555"
IDENTITY = (
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
)
GALLERY = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/ubuntu"
VERSION = GALLERY + "/versions/1.0.0"

# A 2019-05-01-preview template as the template document writes it.
PREVIEW_DOC: dict[str, Any] = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2019-05-01-preview",
    "location": "westus2",
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}},
    "properties": {
        "buildTimeoutInMinutes": 80,
        "vmProfile": {
            "vmSize": "Standard_D2_v2",
            "vnetConfig": {"name": "aib-vnet", "subnetName": "build", "resourceGroupName": "net-rg"},
        },
        "source": {"type": "SharedImageVersion", "imageVersionID": VERSION},
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "distribute": [
            {
                "type": "sharedImage",
                "galleryImageId": GALLERY,
                "runOutputName": "sig",
                "replicationRegions": ["westus2", "eastus"],
                "artifactTags": {"source": "aib"},
            }
        ],
    },
}


def _preview() -> dict[str, Any]:
    return copy.deepcopy(PREVIEW_DOC)


def test_a_preview_template_upgraded_to_2025_10_01_validates_clean() -> None:
    result = upgrade(_preview(), to="2025-10-01", subscription_id=SUB)
    assert result.ok, [str(p) for p in result.report.errors]
    assert result.from_version == "2019-05-01-preview"
    props = result.template["properties"] if result.template else {}
    assert props["vmProfile"]["vnetConfig"] == {
        "subnetId": f"/subscriptions/{SUB}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/"
        "aib-vnet/subnets/build"
    }
    assert props["distribute"][0]["type"] == "SharedImage"
    assert "replicationRegions" not in props["distribute"][0]
    assert props["distribute"][0]["targetRegions"] == [
        {"name": "westus2", "replicaCount": 1},
        {"name": "eastus", "replicaCount": 1},
    ]
    assert props["source"] == {"type": "SharedImageVersion", "imageVersionId": VERSION}
    assert result.template is not None
    assert result.template["apiVersion"] == "2025-10-01"
    changed = {c.path for c in result.changes}
    assert {
        "properties.vmProfile.vnetConfig.subnetId",
        "properties.distribute[0].targetRegions",
        "properties.distribute[0].type",
        "properties.source.imageVersionId",
        "apiVersion",
    } <= changed
    # what it says it is: a template that loads at 2025-10-01 with no problem at all
    assert validate(result.template, api_version="2025-10-01").warnings == []
    assert load_template(result.template).api_version == "2025-10-01"


def test_an_upgrade_to_2021_keeps_replication_regions() -> None:
    result = upgrade(_preview(), to="2021-10-01", subscription_id=SUB)
    assert result.ok, [str(p) for p in result.report.errors]
    assert result.template is not None
    assert result.template["properties"]["distribute"][0]["replicationRegions"] == ["westus2", "eastus"]


def test_what_a_version_now_requires_is_an_error_to_fix() -> None:
    doc = _preview()
    del doc["identity"]
    result = upgrade(doc, to="2024-02-01")
    assert result.template is not None
    codes = {(p.code, p.path) for p in result.report.errors}
    assert (C.IDENTITY_REQUIRED, "identity") in codes
    # no subscription given: the subnet id names the placeholder to fill in
    assert (C.PLACEHOLDER, "properties.vmProfile.vnetConfig.subnetId") in codes
    assert not result.ok


def test_an_iso_source_is_refused() -> None:
    doc = _preview()
    doc["properties"]["source"] = {
        "type": "ISO",
        "sourceURI": "https://e.com/rhel.iso",
        "sha256Checksum": "a" * 64,
    }
    result = upgrade(doc, to="2025-10-01", subscription_id=SUB)
    assert (C.ISO_SOURCE_DEPRECATED, "properties.source.type") in {
        (p.code, p.path) for p in result.report.errors
    }


def test_a_field_the_target_no_longer_knows_is_dropped_with_a_note() -> None:
    doc = _preview()
    doc["apiVersion"] = "2019-05-01-preview"
    doc["properties"]["vmProfile"]["vnetConfig"] = {
        "subnetId": f"/subscriptions/{SUB}/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/"
        "subnets/s",
        "subnetName": "s",
    }
    result = upgrade(doc, to="2022-07-01", subscription_id=SUB)
    assert result.template is not None
    assert "subnetName" not in result.template["properties"]["vmProfile"]["vnetConfig"]
    notes = [c for c in result.changes if c.path == "properties.vmProfile.vnetConfig.subnetName"]
    assert notes
    assert "dropped" in notes[0].message


@pytest.mark.parametrize(
    ("to", "what"), [("2019-05-01-preview", "only goes forward"), ("2030-01-01", "not one of")]
)
def test_a_backward_or_unknown_target_is_refused(to: str, what: str) -> None:
    doc = _preview()
    doc["apiVersion"] = "2020-02-14"
    result = upgrade(doc, to=to)
    assert result.template is None
    assert what in result.report.errors[0].message


def test_an_unreadable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    result = upgrade(tmp_path / "missing.json")
    assert result.template is None
    assert result.report.errors[0].code == C.UNREADABLE


def test_the_command_prints_the_template_and_what_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(_preview()), encoding="utf-8")
    status = main(["upgrade", str(path), "--to", "2025-10-01", "--subscription-id", SUB])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert json.loads(out)["apiVersion"] == "2025-10-01"
    assert "2019-05-01-preview -> 2025-10-01" in err
    assert "changed: properties.distribute[0].targetRegions" in err


def test_the_command_exits_3_with_the_errors_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _preview()
    del doc["identity"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    written = tmp_path / "new.json"
    status = main(["upgrade", str(path), "--to", "2025-10-01", "--output", str(written)])
    out, err = capsys.readouterr()
    assert status == 3
    assert out == ""
    assert json.loads(written.read_text(encoding="utf-8"))["apiVersion"] == "2025-10-01"
    assert "error: identity:" in err
    assert "error(s) left to fix at 2025-10-01" in err
