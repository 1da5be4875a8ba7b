"""Microsoft.Authorization in the emulator, over raw HTTP: role definitions and role assignments."""

from __future__ import annotations

from typing import Any

import pytest

SUB = "11111111-2222-3333-4444-555555555555"  # the subscription the arm fixture uses
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
ROLES = "/providers/Microsoft.Authorization/roleDefinitions"
ASSIGNMENT = "4f8b5a2e-0c1d-4e6f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def principal(arm: Any) -> str:
    path = arm.group("idRG") + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
    principal_id: str = arm.put(path, {"location": "westus2"}).json()["properties"]["principalId"]
    return principal_id


def _assignment_body(principal: str, role: str = CONTRIBUTOR) -> dict[str, Any]:
    return {
        "properties": {
            "roleDefinitionId": f"/subscriptions/{SUB}{ROLES}/{role}",
            "principalId": principal,
            "principalType": "ServicePrincipal",
        }
    }


def test_role_definitions_filter_by_role_name(arm: Any) -> None:
    scope = arm.group("imageRG")
    found = arm.get(
        scope + "/providers/Microsoft.Authorization/roleDefinitions",
        **{"$filter": "roleName eq 'Contributor'"},
    ).json()["value"]
    assert [d["name"] for d in found] == [CONTRIBUTOR]
    assert found[0]["properties"]["type"] == "BuiltInRole"
    reader = arm.get(
        f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions",
        **{"$filter": "roleName eq 'Storage Blob Data Reader'"},
    ).json()["value"]
    assert reader[0]["name"] == "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"


def test_assignment_created_then_same_name_again_then_other_name_conflicts(arm: Any, principal: str) -> None:
    scope = arm.group("imageRG")
    base = scope + "/providers/Microsoft.Authorization/roleAssignments/"
    created = arm.put(base + ASSIGNMENT, _assignment_body(principal))
    assert created.status_code == 201
    assert created.json()["properties"]["scope"] == scope
    assert arm.put(base + ASSIGNMENT, _assignment_body(principal)).status_code == 201
    conflict = arm.put(base + "9f8b5a2e-0c1d-4e6f-8a9b-0c1d2e3f4a5b", _assignment_body(principal))
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "RoleAssignmentExists"
    changed = arm.put(base + ASSIGNMENT, _assignment_body(principal, "acdd72a7-3385-48ef-bd42-f606fba81ae7"))
    assert changed.json()["error"]["code"] == "RoleAssignmentUpdateNotPermitted"


def test_assignment_errors(arm: Any, principal: str) -> None:
    base = arm.group("imageRG") + "/providers/Microsoft.Authorization/roleAssignments/"
    assert arm.put(base + "not-a-guid", _assignment_body(principal)).json()["error"]["code"] == (
        "InvalidRoleAssignmentId"
    )
    unknown_principal = arm.put(base + ASSIGNMENT, _assignment_body("0f0f0f0f-0000-4000-8000-000000000000"))
    assert unknown_principal.status_code == 400
    assert unknown_principal.json()["error"]["code"] == "PrincipalNotFound"
    unknown_role = arm.put(
        base + ASSIGNMENT, _assignment_body(principal, "0f0f0f0f-0000-4000-8000-00000000aaaa")
    )
    assert unknown_role.json()["error"]["code"] == "RoleDefinitionDoesNotExist"


def test_list_assignments_inherits_from_parent_scopes_and_filters(arm: Any, principal: str) -> None:
    scope = arm.group("imageRG")
    sub_scope = f"/subscriptions/{SUB}"
    arm.put(
        sub_scope + "/providers/Microsoft.Authorization/roleAssignments/" + ASSIGNMENT,
        _assignment_body(principal),
    )
    listed = arm.get(
        scope + "/providers/Microsoft.Authorization/roleAssignments",
        **{"$filter": f"principalId eq '{principal}'"},
    ).json()["value"]
    assert [a["name"] for a in listed] == [ASSIGNMENT]
    at_scope = arm.get(
        scope + "/providers/Microsoft.Authorization/roleAssignments", **{"$filter": "atScope()"}
    ).json()["value"]
    assert at_scope == []


def test_assignment_at_a_resource_scope(arm: Any, principal: str) -> None:
    scope = arm.group("storageRG") + "/providers/Microsoft.Storage/storageAccounts/scripts"
    answer = arm.put(
        scope + "/providers/Microsoft.Authorization/roleAssignments/" + ASSIGNMENT,
        _assignment_body(principal, "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"),
    )
    assert answer.status_code == 201
    assert answer.json()["properties"]["scope"] == scope


def test_custom_role_definition(arm: Any) -> None:
    scope = arm.group("imageRG")
    guid = "1d2e3f4a-0c1d-4e6f-8a9b-0c1d2e3f4a5b"
    body = {
        "properties": {
            "roleName": "Image Creator",
            "permissions": [{"actions": ["Microsoft.Compute/images/write"]}],
            "assignableScopes": [scope],
        }
    }
    path = scope + "/providers/Microsoft.Authorization/roleDefinitions/"
    assert arm.put(path + guid, body).status_code == 201
    assert arm.put(path + guid, body).status_code == 201  # Azure answers 201 to an update too
    clash = arm.put(path + "2d2e3f4a-0c1d-4e6f-8a9b-0c1d2e3f4a5b", body)
    assert clash.json()["error"]["code"] == "RoleDefinitionWithSameNameExists"
    found = arm.get(path.rstrip("/"), **{"$filter": "roleName eq 'Image Creator'"}).json()["value"]
    assert [d["properties"]["type"] for d in found] == ["CustomRole"]
