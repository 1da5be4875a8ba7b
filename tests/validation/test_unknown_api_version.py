"""A template whose api-version is unknown (absent, an ARM expression, a placeholder) is checked against
what the api-versions its fields fit share, and one warning says which range was assumed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from azimagebuilder import validate

SUBNET = "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aib"
GALLERY_IMAGE = "/subscriptions/0000/resourceGroups/img/providers/Microsoft.Compute/galleries/g/images/ubuntu"
IDENTITY_ID = (
    "/subscriptions/0000/resourceGroups/id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
)
IDENTITY = {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY_ID: {}}}


@pytest.fixture(params=["absent", "expression", "placeholder"])
def unknown(request: pytest.FixtureRequest, doc: dict[str, Any]) -> dict[str, Any]:
    """The valid Linux template with its apiVersion absent, an ARM expression or a placeholder."""
    template = copy.deepcopy(doc)
    if request.param == "absent":
        del template["apiVersion"]
    elif request.param == "expression":
        template["apiVersion"] = "[parameters('apiVersion')]"
    else:
        template["apiVersion"] = "<apiVersion>"
    return template


def _assumed(report: Any) -> str:
    (warning,) = [p for p in report.warnings if p.code == "api-version-assumed"]
    return str(warning.message)


def test_a_vnet_config_with_only_subnet_id_is_read_as_2020_02_14_or_later(unknown: dict[str, Any]) -> None:
    unknown["identity"] = IDENTITY
    unknown["properties"]["vmProfile"] = {"vnetConfig": {"subnetId": SUBNET}}
    report = validate(unknown)
    codes = {p.code for p in report.errors}
    assert "missing-field" not in codes  # no "name / subnetName / resourceGroupName is required"
    message = _assumed(report)
    assert "2020-02-14 to 2025-10-01" in message
    assert "`properties.vmProfile.vnetConfig.subnetId` needs 2020-02-14 or later" in message


def test_target_regions_mean_2022_07_01_or_later_and_replication_regions_are_not_demanded(
    unknown: dict[str, Any],
) -> None:
    unknown["identity"] = IDENTITY
    unknown["properties"]["distribute"] = [
        {
            "type": "SharedImage",
            "galleryImageId": GALLERY_IMAGE,
            "runOutputName": "sig",
            "targetRegions": [{"name": "westus2", "replicaCount": 1}],
        }
    ]
    report = validate(unknown)
    assert [p for p in report.errors if p.code != "placeholder"] == []
    assert "2022-07-01 to 2025-10-01" in _assumed(report)


def test_the_old_vnet_config_means_before_2020_02_14(unknown: dict[str, Any]) -> None:
    unknown["properties"]["vmProfile"] = {
        "vnetConfig": {"name": "vnet", "subnetName": "aib", "resourceGroupName": "net"}
    }
    report = validate(unknown)
    assert "identity-required" not in {p.code for p in report.errors}  # the preview needs none
    message = _assumed(report)
    assert "checked at api-version 2019-05-01-preview, the only one" in message
    assert "`properties.vmProfile.vnetConfig.subnetName` is not known after 2019-05-01-preview" in message


def test_without_telling_fields_only_what_every_version_demands_is_reported(unknown: dict[str, Any]) -> None:
    unknown["location"] = "southcentralus"  # outside the preview's regions, fine later
    del unknown["properties"]["source"]  # required at every version
    report = validate(unknown)
    assert [(p.path, p.code) for p in report.errors if p.code != "placeholder"] == [
        ("properties.source", "missing-field")
    ]
    assert "2019-05-01-preview to 2025-10-01 share" in _assumed(report)


def test_one_warning_only_and_the_placeholder_itself_still_reported(doc: dict[str, Any]) -> None:
    doc["apiVersion"] = "<apiVersion>"
    report = validate(doc)
    assert [(p.path, p.code) for p in report.errors] == [("apiVersion", "placeholder")]
    assert [p.code for p in report.warnings].count("api-version-assumed") == 1
    assert "api-version-unknown" not in report.codes


def test_fields_of_no_single_version_are_checked_against_the_best_fit(unknown: dict[str, Any]) -> None:
    unknown["identity"] = IDENTITY
    unknown["properties"]["vmProfile"] = {"vnetConfig": {"subnetId": SUBNET, "subnetName": "old"}}
    report = validate(unknown)
    message = _assumed(report)
    assert "belong to no single api-version" in message
    assert "`properties.vmProfile.vnetConfig.subnetId` needs 2020-02-14 or later" in message
    assert "`properties.vmProfile.vnetConfig.subnetName` is not known after 2019-05-01-preview" in message
    assert [p for p in report.errors if p.code != "placeholder"] == []


def test_a_declared_version_or_api_version_argument_is_used_as_is(doc: dict[str, Any]) -> None:
    assert "api-version-assumed" not in validate(doc).codes
    del doc["apiVersion"]
    report = validate(doc, api_version="2020-02-14")
    assert "api-version-assumed" not in report.codes
    assert [p.code for p in report.errors] == ["identity-required"]


def test_a_literal_that_is_no_api_version_is_still_an_error(doc: dict[str, Any]) -> None:
    doc["apiVersion"] = "2099-01-01"
    assert "api-version-unknown" in {p.code for p in validate(doc).errors}


def test_a_problem_an_error_at_some_versions_and_a_warning_at_others_is_a_warning(
    unknown: dict[str, Any],
) -> None:
    unknown["properties"]["distribute"][0]["aritfactTags"] = {}  # unknown field: an error from 2024-02-01
    report = validate(unknown)
    assert [p.path for p in report.errors if p.code == "unknown-field"] == []
    (warning,) = [p for p in report.warnings if p.code == "unknown-field"]
    assert warning.path == "properties.distribute[0].aritfactTags"
    assert "artifactTags" in warning.message
