"""Microsoft.ManagedIdentity in the emulator, over raw HTTP."""

from __future__ import annotations

import uuid
from typing import Any


def _path(group: str, name: str = "aibIdentity") -> str:
    return f"{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"


def test_create_fills_in_ids_then_update_answers_200(arm: Any) -> None:
    path = _path(arm.group("identityRG"))
    created = arm.put(path, {"location": "westus2"}, api_version="2023-01-31")
    assert created.status_code == 201
    body = created.json()
    assert body["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert "/resourcegroups/identityRG/" in body["id"]  # the service writes the group segment lower case
    for key in ("tenantId", "principalId", "clientId"):
        uuid.UUID(body["properties"][key])
    assert body["properties"]["principalId"] != body["properties"]["clientId"]
    again = arm.put(path, {"location": "westus2", "tags": {"a": "b"}}, api_version="2023-01-31")
    assert again.status_code == 200
    assert again.json()["properties"] == body["properties"]
    assert again.json()["tags"] == {"a": "b"}


def test_missing_identity_and_missing_group(arm: Any) -> None:
    group = arm.group("identityRG")
    missing = arm.get(_path(group))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ResourceNotFound"
    no_group = arm.put(_path(group.replace("identityRG", "nowhere")), {"location": "westus2"})
    assert no_group.status_code == 404
    assert no_group.json()["error"]["code"] == "ResourceGroupNotFound"


def test_delete_identity(arm: Any) -> None:
    path = _path(arm.group("identityRG"))
    arm.put(path, {"location": "westus2"})
    assert arm.call("DELETE", path).status_code == 200
    assert arm.call("DELETE", path).status_code == 204
    assert arm.get(path).status_code == 404
