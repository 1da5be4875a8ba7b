"""validate() per api-version, for every feature added after 2019: a correct use validates clean at the
version that brought it and at every later one; a wrong use (type, enum value, missing sub-field, format,
range) is an error with its JSON path; wrong case and unknown fields are errors from 2024-02-01 and
warnings before."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from azimagebuilder import _codes as C
from azimagebuilder import validate
from azimagebuilder._constants import KNOWN_API_VERSIONS

STABLE = [v for v in KNOWN_API_VERSIONS if not v.endswith("-preview")]
IDENTITY = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/default"
GALLERY_IMAGE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d"
SHA = "a" * 64

BASE: dict[str, Any] = {
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
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    },
}

Edit = Callable[[dict[str, Any]], None]


def _props(doc: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = doc["properties"]
    return props


def _gallery(**extra: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        _props(doc)["distribute"].append(
            {"type": "SharedImage", "galleryImageId": GALLERY_IMAGE, "runOutputName": "sig", **extra}
        )

    return edit


def _set(key: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        _props(doc)[key] = copy.deepcopy(value)

    return edit


def _in(section: str, key: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        _props(doc).setdefault(section, {})[key] = copy.deepcopy(value)

    return edit


def _source(key: str, value: Any) -> Edit:
    return _in("source", key, value)


def _customizer(item: dict[str, Any]) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        _props(doc)["customize"].append(copy.deepcopy(item))

    return edit


def _vnet(**fields: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        _props(doc).setdefault("vmProfile", {})["vnetConfig"] = {"subnetId": SUBNET, **fields}

    return edit


def _vhd(**fields: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        _props(doc)["distribute"][0].update(fields)

    return edit


_TARGETS = [{"name": "eastus", "replicaCount": 2, "storageAccountType": "Standard_ZRS"}]
_SHELL_VALIDATOR = {"type": "Shell", "name": "check", "inline": ["test -f /etc/os-release"]}
_PLAN = {"planName": "p", "planProduct": "o", "planPublisher": "pub"}

# name: (since, correct use, [(wrong use, code, JSON path), ...])
FEATURES: dict[str, tuple[str, Edit, list[tuple[Edit, str, str]]]] = {
    "planInfo": (
        "2020-02-14",
        _source("planInfo", _PLAN),
        [
            (
                _source("planInfo", {"planName": "p", "planProduct": "o"}),
                C.MISSING_FIELD,
                "properties.source.planInfo.planPublisher",
            ),
            (_source("planInfo", "p"), C.WRONG_VALUE_TYPE, "properties.source.planInfo"),
        ],
    ),
    "runAsSystem": (
        "2020-02-14",
        _customizer(
            {"type": "PowerShell", "name": "ps", "inline": ["dir"], "runElevated": True, "runAsSystem": True}
        ),
        [
            (
                _customizer({"type": "PowerShell", "name": "ps", "inline": ["dir"], "runAsSystem": "yes"}),
                C.WRONG_VALUE_TYPE,
                "properties.customize[1].runAsSystem",
            )
        ],
    ),
    "excludeFromLatest": (
        "2020-02-14",
        _gallery(replicationRegions=["westus2"], excludeFromLatest=True),
        [
            (
                _gallery(replicationRegions=["westus2"], excludeFromLatest="true"),
                C.WRONG_VALUE_TYPE,
                "properties.distribute[1].excludeFromLatest",
            )
        ],
    ),
    "storageAccountType": (
        "2020-02-14",
        _gallery(replicationRegions=["westus2"], storageAccountType="Standard_ZRS"),
        [
            (
                _gallery(replicationRegions=["westus2"], storageAccountType="Ultra_LRS"),
                C.ENUM_VALUE,
                "properties.distribute[1].storageAccountType",
            )
        ],
    ),
    "vmProfile.userAssignedIdentities": (
        "2021-10-01",
        _in("vmProfile", "userAssignedIdentities", [IDENTITY]),
        [
            (
                _in("vmProfile", "userAssignedIdentities", ["aib"]),
                C.RESOURCE_ID_MALFORMED,
                "properties.vmProfile.userAssignedIdentities[0]",
            )
        ],
    ),
    "proxyVmSize": (
        "2021-10-01",
        _vnet(proxyVmSize="Standard_A1_v2"),
        [(_vnet(proxyVmSize=2), C.WRONG_VALUE_TYPE, "properties.vmProfile.vnetConfig.proxyVmSize")],
    ),
    "vnetConfig.subnetId": (
        "2020-02-14",
        _vnet(),
        [(_vnet(subnetId="default"), C.RESOURCE_ID_MALFORMED, "properties.vmProfile.vnetConfig.subnetId")],
    ),
    "validate": (
        "2022-02-14",
        _set(
            "validate",
            {
                "continueDistributeOnFailure": False,
                "sourceValidationOnly": False,
                "inVMValidations": [_SHELL_VALIDATOR],
            },
        ),
        [
            (
                _set("validate", {"inVMValidations": [{"type": "Bash", "inline": ["true"]}]}),
                C.VALIDATOR_TYPE_UNKNOWN,
                "properties.validate.inVMValidations[0].type",
            ),
            (
                _set("validate", {"inVMValidations": [{"type": "Shell"}]}),
                C.SCRIPT_SOURCE,
                "properties.validate.inVMValidations[0]",
            ),
            (
                _set("validate", {"continueDistributeOnFailure": "no"}),
                C.WRONG_VALUE_TYPE,
                "properties.validate.continueDistributeOnFailure",
            ),
        ],
    ),
    "stagingResourceGroup": (
        "2022-02-14",
        _set("stagingResourceGroup", "/subscriptions/s/resourceGroups/staging"),
        [
            (
                _set("stagingResourceGroup", "staging"),
                C.RESOURCE_ID_MALFORMED,
                "properties.stagingResourceGroup",
            )
        ],
    ),
    "File validator": (
        "2022-07-01",
        _set(
            "validate",
            {
                "inVMValidations": [
                    {"type": "File", "sourceUri": "https://e.com/t.sh", "destination": "/tmp/t.sh"}
                ]
            },
        ),
        [
            (
                _set("validate", {"inVMValidations": [{"type": "File", "destination": "/tmp/t.sh"}]}),
                C.MISSING_FIELD,
                "properties.validate.inVMValidations[0].sourceUri",
            )
        ],
    ),
    "optimize.vmBoot": (
        "2022-07-01",
        _set("optimize", {"vmBoot": {"state": "Enabled"}}),
        [(_set("optimize", {"vmBoot": {"state": "On"}}), C.ENUM_VALUE, "properties.optimize.vmBoot.state")],
    ),
    "targetRegions": (
        "2022-07-01",
        _gallery(targetRegions=_TARGETS),
        [
            (
                _gallery(targetRegions=[{"replicaCount": 1}]),
                C.MISSING_FIELD,
                "properties.distribute[1].targetRegions[0].name",
            ),
            (
                _gallery(targetRegions=[{"name": "eastus", "replicaCount": 0}]),
                C.VALUE_OUT_OF_RANGE,
                "properties.distribute[1].targetRegions[0].replicaCount",
            ),
            (
                _gallery(targetRegions=[{"name": "eastus", "storageAccountType": "Fast"}]),
                C.ENUM_VALUE,
                "properties.distribute[1].targetRegions[0].storageAccountType",
            ),
            (
                _gallery(targetRegions=_TARGETS, replicationRegions=["westus2"]),
                C.MUTUALLY_EXCLUSIVE,
                "properties.distribute[1].targetRegions",
            ),
        ],
    ),
    "versioning": (
        "2022-07-01",
        _gallery(targetRegions=_TARGETS, versioning={"scheme": "Latest", "major": 2}),
        [
            (
                _gallery(targetRegions=_TARGETS, versioning={"scheme": "Newest"}),
                C.VERSION_SCHEME_UNKNOWN,
                "properties.distribute[1].versioning.scheme",
            ),
            (
                _gallery(targetRegions=_TARGETS, versioning={"scheme": "Latest", "major": -2}),
                C.VALUE_OUT_OF_RANGE,
                "properties.distribute[1].versioning.major",
            ),
        ],
    ),
    "Premium_LRS": (
        "2022-07-01",
        _gallery(targetRegions=_TARGETS, storageAccountType="Premium_LRS"),
        [],
    ),
    "VHD uri": (
        "2022-07-01",
        _vhd(uri="https://account.blob.core.windows.net/vhds/image.vhd"),
        [(_vhd(uri="image.vhd"), C.URL_INVALID, "properties.distribute[0].uri")],
    ),
    "errorHandling": (
        "2023-07-01",
        _set("errorHandling", {"onCustomizerError": "abort", "onValidationError": "cleanup"}),
        [
            (
                _set("errorHandling", {"onCustomizerError": "explode"}),
                C.ENUM_VALUE,
                "properties.errorHandling.onCustomizerError",
            )
        ],
    ),
    "autoRun": (
        "2024-02-01",
        _set("autoRun", {"state": "Enabled"}),
        [(_set("autoRun", {"state": "Sometimes"}), C.ENUM_VALUE, "properties.autoRun.state")],
    ),
    "managedResourceTags": (
        "2024-02-01",
        _set("managedResourceTags", {"team": "images"}),
        [
            (
                _set("managedResourceTags", {"team": 1}),
                C.WRONG_VALUE_TYPE,
                "properties.managedResourceTags.team",
            )
        ],
    ),
    "containerInstanceSubnetId": (
        "2024-02-01",
        _vnet(containerInstanceSubnetId=SUBNET),
        [
            (
                _vnet(containerInstanceSubnetId="aci"),
                C.RESOURCE_ID_MALFORMED,
                "properties.vmProfile.vnetConfig.containerInstanceSubnetId",
            )
        ],
    ),
    "replicationMode": (
        "2025-10-01",
        _gallery(targetRegions=_TARGETS, replicationMode="Shallow"),
        [
            (
                _gallery(targetRegions=_TARGETS, replicationMode="Partial"),
                C.ENUM_VALUE,
                "properties.distribute[1].replicationMode",
            )
        ],
    ),
    "optimize.workload": (
        "2025-10-01",
        _set(
            "optimize",
            {"workload": {"state": "Enabled", "scriptUri": "https://e.com/w.sh", "sha256Checksum": SHA}},
        ),
        [
            (
                _set("optimize", {"workload": {"scriptUri": "ftp://e.com/w.sh"}}),
                C.URL_INVALID,
                "properties.optimize.workload.scriptUri",
            ),
            (
                _set("optimize", {"workload": {"sha256Checksum": "abc"}}),
                C.SHA256_INVALID,
                "properties.optimize.workload.sha256Checksum",
            ),
        ],
    ),
    "additionalDataDisks": (
        "2025-10-01",
        _set("additionalDataDisks", [{"sizeGB": 64}]),
        [
            (
                _set("additionalDataDisks", [{"sizeGB": -1}]),
                C.VALUE_OUT_OF_RANGE,
                "properties.additionalDataDisks[0].sizeGB",
            ),
            (
                _set("additionalDataDisks", {"sizeGB": 1}),
                C.WRONG_VALUE_TYPE,
                "properties.additionalDataDisks",
            ),
        ],
    ),
}


def _doc(edit: Edit) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    edit(doc)
    return doc


def _cases(kind: str) -> list[Any]:
    out = []
    for name, (since, good, wrong) in FEATURES.items():
        for version in STABLE[STABLE.index(since) :]:
            if kind == "good":
                out.append(pytest.param(good, version, id=f"{name}@{version}"))
            else:
                out += [
                    pytest.param(edit, code, path, version, id=f"{name}-{i}@{version}")
                    for i, (edit, code, path) in enumerate(wrong)
                ]
    return out


@pytest.mark.parametrize(("edit", "version"), _cases("good"))
def test_a_correct_use_validates_clean_at_its_version_and_later(edit: Edit, version: str) -> None:
    report = validate(_doc(edit), api_version=version)
    assert [(p.code, p.path) for p in report.errors + report.warnings] == []


@pytest.mark.parametrize(("edit", "code", "path", "version"), _cases("wrong"))
def test_a_wrong_use_is_an_error_with_its_path(edit: Edit, code: str, path: str, version: str) -> None:
    report = validate(_doc(edit), api_version=version)
    assert (code, path) in [(p.code, p.path) for p in report.errors]


@pytest.mark.parametrize("name", [n for n, (since, _, _) in FEATURES.items() if since != STABLE[0]])
def test_a_feature_is_not_known_before_its_version(name: str) -> None:
    since, good, _ = FEATURES[name]
    before = STABLE[STABLE.index(since) - 1]
    report = validate(_doc(good), api_version=before)
    codes = {p.code for p in report.errors + report.warnings}
    assert codes & {C.FIELD_NEWER_THAN_API_VERSION, C.ENUM_VALUE, C.VALIDATOR_TYPE_UNKNOWN}


# -- case and unknown fields: errors from 2024-02-01, warnings before ------------------------------------
STRICT_CASES = {
    "field name": (
        _source("Publisher", "Canonical"),
        "properties.source.publisher",
        C.WRONG_CASE,
        "'publisher'",
    ),
    "type name": (
        lambda doc: _props(doc)["customize"][0].update(type="shell"),
        "properties.customize[0].type",
        C.WRONG_CASE,
        "'Shell'",
    ),
    "enum value": (
        _gallery(replicationRegions=["westus2"], storageAccountType="standard_lrs"),
        "properties.distribute[1].storageAccountType",
        C.WRONG_CASE,
        "'Standard_LRS'",
    ),
    "unknown field": (
        _vhd(artifactTag={"a": "b"}),
        "properties.distribute[0].artifactTag",
        C.UNKNOWN_FIELD,
        "`artifactTags`",
    ),
}


@pytest.mark.parametrize("version", ["2024-02-01", "2025-10-01"])
@pytest.mark.parametrize("case", list(STRICT_CASES))
def test_wrong_case_and_unknown_fields_are_errors_from_2024(case: str, version: str) -> None:
    edit, path, code, hint = STRICT_CASES[case]
    report = validate(_doc(edit), api_version=version)
    found = [p for p in report.errors if (p.code, p.path) == (code, path)]
    assert found, [str(p) for p in report.errors + report.warnings]
    assert "did you mean" in found[0].message
    assert hint in found[0].message


@pytest.mark.parametrize("version", ["2020-02-14", "2022-07-01", "2023-07-01"])
@pytest.mark.parametrize("case", list(STRICT_CASES))
def test_wrong_case_and_unknown_fields_are_warnings_before_2024(case: str, version: str) -> None:
    edit, path, code, _hint = STRICT_CASES[case]
    report = validate(_doc(edit), api_version=version)
    assert report.ok, [str(p) for p in report.errors]
    assert (code, path) in [(p.code, p.path) for p in report.warnings]


def test_a_field_a_version_does_not_know_is_an_error_from_2024() -> None:
    doc = _doc(_gallery(targetRegions=_TARGETS, replicationMode="Full"))
    report = validate(doc, api_version="2024-02-01")
    assert (C.FIELD_NEWER_THAN_API_VERSION, "properties.distribute[1].replicationMode") in [
        (p.code, p.path) for p in report.errors
    ]
    # below 2024-02-01 the same is a warning
    assert (C.FIELD_NEWER_THAN_API_VERSION, "properties.distribute[1].replicationMode") in [
        (p.code, p.path)
        for p in validate(
            _doc(_gallery(targetRegions=_TARGETS, replicationMode="Full")), api_version="2023-07-01"
        ).warnings
    ]


def test_read_only_fields_of_the_service_answer_validate_clean() -> None:
    doc = _doc(_set("exactStagingResourceGroup", "/subscriptions/s/resourceGroups/IT_rg_t"))
    _props(doc)["source"]["exactVersion"] = "24.04.202405010"
    doc["systemData"] = {"createdBy": "me", "createdByType": "User", "createdAt": "2024-05-01T00:00:00Z"}
    assert validate(doc, api_version="2025-10-01").ok
