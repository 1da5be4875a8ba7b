"""`azimagebuilder schema --api-version V` comes from the field declarations and agrees with validate():
what validate() accepts at V the schema accepts, and the wrong uses validate() refuses at V the schema
refuses too (enums, ranges, required sub-fields, types)."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from azimagebuilder import _fields as D
from azimagebuilder import validate
from azimagebuilder._constants import KNOWN_API_VERSIONS
from azimagebuilder.cli import main
from azimagebuilder.models import template_json_schema

IDENTITY = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
GALLERY = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d"
MODERN: dict[str, Any] = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2025-10-01",
    "location": "westus2",
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}},
    "properties": {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "ubuntu-24_04-lts",
            "sku": "server",
            "version": "latest",
        },
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "validate": {"inVMValidations": [{"type": "Shell", "name": "check", "inline": ["true"]}]},
        "optimize": {"vmBoot": {"state": "Enabled"}},
        "errorHandling": {"onCustomizerError": "abort"},
        "autoRun": {"state": "Disabled"},
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

WRONG = [
    ("autoRun", {"state": "Sometimes"}),
    ("errorHandling", {"onCustomizerError": "explode"}),
    ("additionalDataDisks", [{"sizeGB": -1}]),
    ("optimize", {"vmBoot": {"state": "On"}}),
    ("buildTimeoutInMinutes", 961),
    ("validate", {"inVMValidations": [{"type": "Bash", "inline": ["true"]}]}),
]


def _schema(version: str | None) -> dict[str, Any]:
    return template_json_schema(version)


def test_a_modern_template_is_valid_for_both() -> None:
    assert validate(MODERN).ok
    jsonschema.validate(MODERN, _schema("2025-10-01"))
    jsonschema.validate(MODERN, _schema(None))


@pytest.mark.parametrize(("key", "value"), WRONG, ids=[k for k, _ in WRONG])
def test_what_validate_refuses_the_schema_refuses(key: str, value: Any) -> None:
    doc = copy.deepcopy(MODERN)
    doc["properties"][key] = value
    assert not validate(doc).ok
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, _schema("2025-10-01"))


@pytest.mark.parametrize("version", KNOWN_API_VERSIONS)
def test_the_schema_of_a_version_has_the_properties_that_version_knows(version: str) -> None:
    shown = set(_schema(version)["properties"]["properties"]["properties"])
    declared = {f.wire for f in D.PROPERTIES.fields if f.known_at(version) and not f.read_only}
    assert shown == declared


def test_from_2024_the_schema_refuses_unknown_fields_and_before_it_does_not() -> None:
    doc = copy.deepcopy(MODERN)
    doc["properties"]["distribute"][0]["aritfactTags"] = {"a": "b"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, _schema("2025-10-01"))
    older = copy.deepcopy(doc)
    for key in ("optimize", "errorHandling", "autoRun", "additionalDataDisks", "validate"):
        del older["properties"][key]
    del older["properties"]["distribute"][0]["replicationMode"]
    older["apiVersion"] = "2022-07-01"
    jsonschema.validate(older, _schema("2022-07-01"))


def test_the_command_takes_an_api_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--api-version", "2021-10-01"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["apiVersion"]["enum"] == ["2021-10-01"]
    assert "stagingResourceGroup" not in schema["properties"]["properties"]["properties"]
