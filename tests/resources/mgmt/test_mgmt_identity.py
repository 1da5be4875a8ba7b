"""The Image Builder identity: creation, role grants, idempotence; replayed from cassettes."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

import azimagebuilder as aib
from azimagebuilder.resources.identity import (
    IMAGE_BUILDER_ROLE_ACTIONS,
    create_identity,
    create_image_builder_identity,
    grant_image_builder_roles,
    image_builder_role_definition,
    role_assignment_name,
)

pytestmark = pytest.mark.vcr

READER_GUID = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
ROLES = "/providers/Microsoft.Authorization/roleDefinitions"
CONTRIBUTOR_GUID = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def _assignments(mgmt: Any, scope: str, principal: str) -> list[tuple[str, str]]:
    """(scope, role GUID) of the principal's assignments at or above ``scope``."""
    with mgmt.auth_client() as auth:
        found = auth.role_assignments.list_for_scope(scope, filter=f"principalId eq '{principal}'")
        return sorted((a.scope, a.role_definition_id.rsplit("/", 1)[-1]) for a in found)


def test_create_image_builder_identity_grants_custom_role_and_blob_reader(mgmt: Any) -> None:
    mgmt.group("imageRG")
    storage = mgmt.scope("imageRG") + "/providers/Microsoft.Storage/storageAccounts/scripts"
    block = create_image_builder_identity(
        mgmt.credential,
        mgmt.subscription_id,
        "imageRG",
        "aibIdentity",
        location="westus2",
        storage_account_id=storage,
        **mgmt.kwargs,
    )
    assert isinstance(block, aib.UserAssignedIdentity)
    [identity_id] = block.resource_ids
    assert identity_id.endswith("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aibIdentity")
    assert block.to_wire()["type"] == "UserAssigned"

    ident = create_identity(
        mgmt.credential, mgmt.subscription_id, "imageRG", "aibIdentity", location="westus2", **mgmt.kwargs
    )
    assert ident.id == identity_id  # the second PUT updates, same identity
    custom_guid, _ = image_builder_role_definition(mgmt.scope("imageRG"))
    assert _assignments(mgmt, storage, ident.principal_id) == sorted(
        [(mgmt.scope("imageRG"), custom_guid), (storage, READER_GUID)]
    )
    with mgmt.auth_client() as auth:
        role = auth.role_definitions.get(mgmt.scope("imageRG"), custom_guid)
    assert role.role_type == "CustomRole"
    assert sorted(role.permissions[0].actions) == sorted(IMAGE_BUILDER_ROLE_ACTIONS)
    assert role.assignable_scopes == [mgmt.scope("imageRG")]


def test_running_again_changes_nothing(mgmt: Any) -> None:
    mgmt.group("imageRG")
    ident = create_identity(
        mgmt.credential, mgmt.subscription_id, "imageRG", "aib", location="westus2", **mgmt.kwargs
    )
    first = grant_image_builder_roles(
        mgmt.credential,
        mgmt.subscription_id,
        ident.principal_id,
        image_resource_group="imageRG",
        **mgmt.kwargs,
    )
    second = grant_image_builder_roles(
        mgmt.credential,
        mgmt.subscription_id,
        ident.principal_id,
        image_resource_group="imageRG",
        **mgmt.kwargs,
    )
    assert first == second
    assert len(_assignments(mgmt, mgmt.scope("imageRG"), ident.principal_id)) == 1


def test_an_equal_assignment_under_another_name_counts_as_done(mgmt: Any) -> None:
    mgmt.group("imageRG")
    ident = create_identity(
        mgmt.credential, mgmt.subscription_id, "imageRG", "aib", location="westus2", **mgmt.kwargs
    )
    scope = mgmt.scope("imageRG")
    role_id = f"/subscriptions/{mgmt.subscription_id}{ROLES}/{CONTRIBUTOR_GUID}"
    by_hand = "7e57a55e-0000-4000-8000-000000000001"  # made in the portal, with a random name
    with mgmt.auth_client() as auth:
        made = auth.role_assignments.create(
            scope, by_hand, {"properties": {"roleDefinitionId": role_id, "principalId": ident.principal_id}}
        )
    assert role_assignment_name(scope, ident.principal_id, role_id) != by_hand
    ids = grant_image_builder_roles(
        mgmt.credential,
        mgmt.subscription_id,
        ident.principal_id,
        image_resource_group="imageRG",
        image_role="Contributor",
        **mgmt.kwargs,
    )
    assert ids == [made.id]  # 409 RoleAssignmentExists: the existing assignment is the answer


def test_built_in_role_by_name(mgmt: Any) -> None:
    mgmt.group("imageRG")
    ident = create_identity(
        mgmt.credential, mgmt.subscription_id, "imageRG", "aib", location="westus2", **mgmt.kwargs
    )
    [assignment_id] = grant_image_builder_roles(
        mgmt.credential,
        mgmt.subscription_id,
        ident.principal_id,
        image_resource_group="imageRG",
        image_role="Contributor",
        **mgmt.kwargs,
    )
    role_id = f"/subscriptions/{mgmt.subscription_id}{ROLES}/{CONTRIBUTOR_GUID}"
    expected = role_assignment_name(mgmt.scope("imageRG"), ident.principal_id, role_id)
    assert assignment_id.endswith(f"/roleAssignments/{expected}")
    with pytest.raises(LookupError, match="Contributer"):
        grant_image_builder_roles(
            mgmt.credential,
            mgmt.subscription_id,
            ident.principal_id,
            image_resource_group="imageRG",
            image_role="Contributer",
            **mgmt.kwargs,
        )


def test_principal_not_found_is_retried_then_raised(mgmt: Any) -> None:
    mgmt.group("imageRG")
    waits: list[float] = []
    unknown = "0f0f0f0f-0000-4000-8000-000000000000"  # never created: stays unknown
    with pytest.raises(HttpResponseError) as caught:
        grant_image_builder_roles(
            mgmt.credential,
            mgmt.subscription_id,
            unknown,
            image_resource_group="imageRG",
            image_role="Contributor",
            principal_wait=0.5,
            sleep=waits.append,
            **mgmt.kwargs,
        )
    assert caught.value.error is not None
    assert caught.value.error.code == "PrincipalNotFound"
    assert waits == [2.0]  # it waited once for replication, then gave up (0.5 s budget spent)


def test_identity_in_a_missing_group_fails_with_arm_error(mgmt: Any) -> None:
    with pytest.raises(HttpResponseError) as caught:
        create_identity(
            mgmt.credential, mgmt.subscription_id, "noSuchRG", "aib", location="westus2", **mgmt.kwargs
        )
    assert caught.value.status_code == 404
    assert caught.value.error is not None
    assert caught.value.error.code == "ResourceGroupNotFound"


def test_names_are_deterministic_and_scope_specific() -> None:
    a = role_assignment_name("/subscriptions/s/resourceGroups/a", "p", "r")
    assert a == role_assignment_name("/subscriptions/s/resourceGroups/a/", "P", "R")
    assert a != role_assignment_name("/subscriptions/s/resourceGroups/b", "p", "r")
    guid_a, body_a = image_builder_role_definition("/subscriptions/s/resourceGroups/a")
    guid_b, body_b = image_builder_role_definition("/subscriptions/s/resourceGroups/b")
    assert guid_a != guid_b
    assert body_a["properties"]["roleName"] != body_b["properties"]["roleName"]
