"""The sans-I/O core: template comparison for build(), request building, api-version errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from client_support import local_template, template_body

from azimagebuilder import _operations as ops


def served(body: dict[str, Any]) -> dict[str, Any]:
    """What the service shows for a PUT body: read-only and default fields filled in."""
    out = copy.deepcopy(body)
    out.update(id="/x", name="tmpl1", type="Microsoft.VirtualMachineImages/imageTemplates")
    props = out["properties"]
    props.update(
        provisioningState="Succeeded", buildTimeoutInMinutes=0, vmProfile={"vmSize": "", "osDiskSizeGB": 0}
    )
    props["source"]["version"] = "latest (18.04.202004290)"
    for customizer in props["customize"]:
        customizer["sha256Checksum"] = "ab" * 32
    for distributor in props["distribute"]:
        distributor.setdefault("artifactTags", {})
    out["location"] = "West US 2"
    return out


def test_what_the_service_fills_in_is_no_difference() -> None:
    assert ops.template_differences(local_template(), served(local_template())) == []


def test_identity_details_filled_in_by_the_service_are_no_difference() -> None:
    wanted = local_template()
    wanted["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {"/id/1": {}}}
    existing = served(wanted)
    existing["identity"]["userAssignedIdentities"]["/id/1"] = {"principalId": "p", "clientId": "c"}
    assert ops.template_differences(wanted, existing) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda b: b["properties"]["customize"][0].update(inline=["other"]),
            "properties.customize[0].inline[0]",
        ),
        (lambda b: b["properties"]["source"].update(sku="20.04-LTS"), "properties.source.sku"),
        (
            lambda b: b["properties"]["distribute"].append({"type": "VHD", "runOutputName": "x"}),
            "properties.distribute",
        ),
        (lambda b: b.update(location="eastus"), "location"),
        (lambda b: b.update(tags={"team": "a"}), "tags.team"),
        (lambda b: b["properties"].update(buildTimeoutInMinutes=90), "properties.buildTimeoutInMinutes"),
    ],
)
def test_real_changes_are_reported_with_their_path(change: Any, path: str) -> None:
    existing = served(local_template())
    change(existing)
    assert ops.template_differences(local_template(), existing) == [path]


def test_copy_out_tags_are_no_difference() -> None:
    existing = served(local_template())
    existing["tags"] = {"azimagebuilder.vhdCopied.vhd": "https://dest/x.vhd"}
    assert ops.template_differences(local_template(), existing) == []


def test_requests_quote_path_segments_and_carry_the_api_version() -> None:
    builder = ops.RequestBuilder("https://management.azure.com/", "sub", "2024-02-01")
    request = builder.get_run_output("my(rg)", "tmpl", "vhd.1")
    assert request.url == (
        "https://management.azure.com/subscriptions/sub/resourceGroups/my%28rg%29/providers/"
        "Microsoft.VirtualMachineImages/imageTemplates/tmpl/runOutputs/vhd.1?api-version=2024-02-01"
    )
    with pytest.raises(ValueError, match="run_output_name"):
        builder.get_run_output("rg", "tmpl", "a/b")


@pytest.mark.parametrize("group", ["my rg", "rg.", "", "a" * 91, "rg/other"])
def test_a_resource_group_name_arm_refuses_is_refused_locally(group: str) -> None:
    builder = ops.RequestBuilder("https://management.azure.com/", "sub", "2024-02-01")
    with pytest.raises(ValueError, match=r"resource_group_name .* is not a valid resource group name"):
        builder.get_template(group, "tmpl")
    with pytest.raises(ValueError, match="resource_group_name"):
        builder.list_templates(group)


@pytest.mark.parametrize("subscription", ["sub", "0000", "00000000-0000-0000-0000-00000000000g"])
def test_a_subscription_id_that_is_not_a_guid_is_refused_by_the_client(subscription: str) -> None:
    from azimagebuilder import ImageBuilderClient
    from azimagebuilder.aio import ImageBuilderClient as AsyncImageBuilderClient

    for cls in (ImageBuilderClient, AsyncImageBuilderClient):
        with pytest.raises(ValueError, match="is not a subscription id: Azure expects a GUID"):
            cls(object(), subscription)  # type: ignore[arg-type]


def test_the_template_url_of_a_run_keeps_its_query() -> None:
    assert ops.template_url_of_run("https://h/x/imageTemplates/t/run?api-version=1") == (
        "https://h/x/imageTemplates/t?api-version=1"
    )


def test_validate_false_sends_a_resource_body_as_given() -> None:
    doc = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2019-05-01-preview",
        **local_template(),
    }
    doc["properties"]["customize"].append(dict(doc["properties"]["customize"][0]))  # a duplicate name
    body = ops.template_body(doc, validate=False, api_version="2019-05-01-preview")
    assert body == {"location": "westus2", "properties": doc["properties"]}


def test_the_run_status_falls_back_to_the_operation_body() -> None:
    status = ops.last_run_status_from(
        template_body(),
        {
            "status": "Succeeded",
            "startTime": "2020-03-26T13:08:07Z",
            "endTime": "2020-03-26T13:21:22.7933257Z",
        },
    )
    assert status is not None
    assert status.run_state == "Succeeded"
    assert status.end_time is not None
