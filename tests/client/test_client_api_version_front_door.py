"""Regression (issue 8): the client checks a template once, at its own api-version.

Before, ``ImageBuilderClient(api_version="2024-02-01").begin_create_or_update(rg, name, body)`` checked a
dict, JSON text or file without ``apiVersion`` at 2019-05-01-preview first: a ``vnetConfig`` with only
``subnetId`` was refused ("`name` is required"), so was a ``targetRegions`` distributor and a region
outside the seven preview regions; and every template was checked twice.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import ImageBuilderClient, TemplateValidationError
from azimagebuilder._operations import template_body
from azimagebuilder.validation import _engine

RG = "rg-images"
SUB = "00000000-0000-0000-0000-000000000000"
IDENTITY = (
    f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
)
SUBNET = (
    f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/build"
)
GALLERY = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/galleries/g/images/ubuntu"

# Valid at 2024-02-01 and 2025-10-01, refused at 2019-05-01-preview on three counts.
BODY: dict[str, Any] = {
    "location": "southcentralus",  # not one of the seven preview regions
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}},
    "properties": {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "ubuntu-24_04-lts",
            "sku": "server",
            "version": "latest",
        },
        "vmProfile": {"vmSize": "Standard_D2s_v3", "vnetConfig": {"subnetId": SUBNET}},  # no `name`
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "distribute": [
            {
                "type": "SharedImage",
                "galleryImageId": GALLERY,
                "runOutputName": "sig",
                "targetRegions": [{"name": "southcentralus", "replicaCount": 1}],  # no replicationRegions
            }
        ],
    },
}


def _document(declared: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"type": "Microsoft.VirtualMachineImages/imageTemplates"}
    if declared is not None:
        doc["apiVersion"] = declared
    doc.update(copy.deepcopy(BODY))
    return doc


def _forms(declared: str | None, tmp_path: Path) -> dict[str, Any]:
    doc = _document(declared)
    path = tmp_path / f"template-{declared}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    body = copy.deepcopy(BODY)
    if declared is not None:
        body["apiVersion"] = declared
    return {"dict": doc, "JSON text": json.dumps(doc), "file": str(path), "resource body": body}


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The api-version of every check the rule engine runs."""
    seen: list[str] = []
    original = _engine._Analyser.template

    def counting(self: Any, doc: dict[str, Any]) -> dict[str, Any]:
        out = original(self, doc)
        seen.append(self.api_version)
        return out

    monkeypatch.setattr(_engine._Analyser, "template", counting)
    return seen


@pytest.mark.parametrize("client_version", ["2024-02-01", "2025-10-01"])
@pytest.mark.parametrize("declared", [None, "2019-05-01-preview"])
@pytest.mark.parametrize("form", ["dict", "JSON text", "file", "resource body"])
def test_the_body_is_checked_once_at_the_clients_version(
    form: str,
    declared: str | None,
    client_version: str,
    tmp_path: Path,
    analyses: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = _forms(declared, tmp_path)[form]
    with caplog.at_level(logging.WARNING, logger="azimagebuilder"):
        body = template_body(source, validate=True, api_version=client_version)
    assert analyses == [client_version]  # once, at the client's version
    assert body["properties"]["vmProfile"]["vnetConfig"] == {"subnetId": SUBNET}
    assert body["properties"]["distribute"][0]["targetRegions"] == [
        {"name": "southcentralus", "replicaCount": 1}
    ]
    assert body["location"] == "southcentralus"
    differs = [r.getMessage() for r in caplog.records if "api-version-differs" in r.getMessage()]
    if declared is None:
        assert differs == []
    else:  # the template says another version: the warning names the one the service applies
        assert len(differs) == 1
        assert f"{client_version} applies" in differs[0]


def test_a_template_wrong_at_the_clients_version_is_refused_before_sending(analyses: list[str]) -> None:
    doc = _document(None)
    doc["properties"]["autoRun"] = {"state": "Sometimes"}
    with pytest.raises(TemplateValidationError) as info:
        template_body(doc, validate=True, api_version="2024-02-01")
    assert [(p.path, p.code) for p in info.value.errors] == [("properties.autoRun.state", "enum-value")]
    assert analyses == ["2024-02-01"]


@pytest.mark.parametrize("client_version", ["2024-02-01", "2025-10-01"])
def test_begin_create_or_update_against_the_emulator(
    client_version: str, start_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = start_emulator()
    with ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        api_version=client_version,
        polling_interval=0.05,
    ) as client:
        for index, (form, source) in enumerate(_forms("2019-05-01-preview", tmp_path).items()):
            name = f"front-door-{index}"
            created = client.begin_create_or_update(RG, name, source).result()
            assert created.provisioning_state == "Succeeded", form
            assert created.vm_profile is not None
            assert created.vm_profile.vnet_config is not None
            assert created.vm_profile.vnet_config.subnet_id == SUBNET, form


MODERN: dict[str, Any] = {
    "location": "westus2",
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}},
    "properties": {
        "source": copy.deepcopy(BODY["properties"]["source"]),
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "validate": {
            "continueDistributeOnFailure": False,
            "inVMValidations": [{"type": "Shell", "name": "check", "inline": ["true"]}],
        },
        "optimize": {"vmBoot": {"state": "Enabled"}},
        "errorHandling": {"onCustomizerError": "abort", "onValidationError": "cleanup"},
        "autoRun": {"state": "Disabled"},
        "stagingResourceGroup": f"/subscriptions/{SUB}/resourceGroups/aib-staging",
        "managedResourceTags": {"team": "images"},
        "additionalDataDisks": [{"sizeGB": 32}],
        "distribute": [
            {
                "type": "SharedImage",
                "galleryImageId": GALLERY,
                "runOutputName": "sig",
                "targetRegions": [{"name": "westus2", "replicaCount": 2}],
                "versioning": {"scheme": "Latest", "major": 1},
                "replicationMode": "Full",
            }
        ],
    },
}


def test_every_new_section_goes_through_the_emulator_at_2025_10_01(
    start_emulator: Callable[..., Any],
) -> None:
    """What validate() accepts at 2025-10-01 the emulator accepts, stores and answers back, typed."""
    emu = start_emulator()
    with ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        api_version="2025-10-01",
        polling_interval=0.05,
    ) as client:
        client.begin_create_or_update(RG, "modern", copy.deepcopy(MODERN)).result()
        got = client.get(RG, "modern")
    assert got.validation is not None
    assert got.validation.in_vm_validations is not None
    assert got.validation.in_vm_validations[0].type == "Shell"
    assert got.optimize is not None
    assert got.optimize.vm_boot is not None
    assert got.optimize.vm_boot.state == "Enabled"
    assert got.error_handling is not None
    assert got.error_handling.on_customizer_error == "abort"
    assert got.auto_run is not None
    assert got.auto_run.state == "Disabled"
    assert got.staging_resource_group == f"/subscriptions/{SUB}/resourceGroups/aib-staging"
    assert got.managed_resource_tags == {"team": "images"}
    assert [d.size_gb for d in got.additional_data_disks or ()] == [32]
    gallery = got.distribute[0]
    assert gallery.type == "SharedImage"
    assert got.model_extra == {}
    answered = got.to_resource_body()["properties"]
    for key, value in MODERN["properties"].items():
        if key == "distribute":  # the service (and the emulator) fill in defaults such as artifactTags: {}
            assert value[0].items() <= answered[key][0].items()
        else:
            assert answered[key] == value, key
