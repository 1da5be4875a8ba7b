"""The service's strict reading of field names (2024-02-01 on), from the library's field declarations:
what a version does not know is unknown there, a wrong case names the spec's spelling, and what a
GET-then-PUT client sends back is accepted."""

from __future__ import annotations

from typing import Any

import pytest

from azimagebuilder._fields import PROPERTIES, SHARED_IMAGE_DISTRIBUTOR, known_at
from azimagebuilder.emulator.providers._shapes import strict_field_problems

SHARED = {"type": "SharedImage", "runOutputName": "g", "galleryImageId": "/x", "replicationRegions": ["a"]}


def template(**properties: Any) -> dict[str, Any]:
    return {
        "location": "westus2",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/id": {}}},
        "properties": {
            "source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": "v"},
            "distribute": [{"type": "VHD", "runOutputName": "v"}],
            **properties,
        },
    }


@pytest.mark.parametrize(
    "field",
    [f for f in PROPERTIES.fields if not f.read_only and f.since == "2025-10-01"],
    ids=lambda f: f.wire,
)
def test_a_property_new_in_2025_is_unknown_at_2024_02_01(field: Any) -> None:
    body = template(**{field.wire: [] if field.kind == "objlist" else {}})
    assert strict_field_problems(body, "2025-10-01") == []
    assert strict_field_problems(body, "2024-02-01") == [(f"properties.{field.wire}", field.wire, None)]


def test_a_nested_field_new_in_2025_is_unknown_at_2024_02_01() -> None:
    new = [f.wire for f in SHARED_IMAGE_DISTRIBUTOR.fields if not known_at(f.since, f.until, "2024-02-01")]
    assert "replicationMode" in new
    body = template(distribute=[{**SHARED, "replicationMode": "Full"}])
    assert strict_field_problems(body, "2025-10-01") == []
    assert strict_field_problems(body, "2024-02-01") == [
        ("properties.distribute[0].replicationMode", "replicationMode", None)
    ]


def test_a_wrong_case_anywhere_names_the_spec_spelling() -> None:
    body = template(customize=[{"type": "Shell", "name": "s", "Inline": ["x"]}])
    body["identity"]["UserAssignedIdentities"] = body["identity"].pop("userAssignedIdentities")
    assert strict_field_problems(body, "2024-02-01") == [
        ("identity.UserAssignedIdentities", "UserAssignedIdentities", "userAssignedIdentities"),
        ("properties.customize[0].Inline", "Inline", "inline"),
    ]


def test_deployment_template_keys_are_unknown_to_the_service() -> None:
    body = {**template(), "apiVersion": "2024-02-01", "dependsOn": ["x"]}
    assert [p[0] for p in strict_field_problems(body, "2024-02-01")] == ["apiVersion", "dependsOn"]


def test_what_a_get_answers_can_be_put_back() -> None:
    body = {
        **template(vmProfile={"vmSize": "Standard_D2s_v3", "osDiskSizeGB": 0}),
        "id": "/subscriptions/x/resourceGroups/g/providers/Microsoft.VirtualMachineImages/imageTemplates/t",
        "name": "t",
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "systemData": {"createdBy": "someone", "createdAt": "2026-12-07T00:00:00Z"},
    }
    body["identity"]["userAssignedIdentities"]["/id"] = {"principalId": "p", "clientId": "c"}
    body["properties"].update(
        provisioningState="Succeeded",
        lastRunStatus={"runState": "Succeeded", "anything": "the service reports is not looked into"},
        exactStagingResourceGroup="/subscriptions/x/resourceGroups/IT_g_t",
    )
    assert strict_field_problems(body, "2025-10-01") == []


def test_an_unknown_type_is_left_to_the_type_check() -> None:
    body = template(customize=[{"type": "Ansible", "playbook": "x"}])
    assert strict_field_problems(body, "2024-02-01") == []
