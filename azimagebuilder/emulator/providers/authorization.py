"""Microsoft.Authorization in the emulator: role definitions and role assignments.

Follows the public REST shapes (api-version 2022-04-01) at three kinds of scope: a subscription, a
resource group, and a resource in a group (``.../providers/{namespace}/{type}/{name}``):

- ``GET {scope}/providers/Microsoft.Authorization/roleDefinitions[?$filter=roleName eq '...']``: the
  built-in roles below plus custom roles assignable at the scope; ``GET .../roleDefinitions/{id}``;
  ``PUT .../roleDefinitions/{id}`` creates or updates a custom role (``201`` both times, as Azure
  answers; ``409 RoleDefinitionWithSameNameExists``).
- ``PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}``: ``201``. The same name with
  the same content again: ``201`` (ARM deployments re-run idempotently); the same principal, role and scope
  under another name: ``409 RoleAssignmentExists``; another content under the same name:
  ``409 RoleAssignmentUpdateNotPermitted``; a principal the emulator does not know:
  ``400 PrincipalNotFound`` (Azure says this, too, for a new identity before it replicates, unless
  ``principalType`` is given); an unknown role: ``400 RoleDefinitionDoesNotExist``; a name that is not a
  GUID: ``400 InvalidRoleAssignmentId``.
- ``GET {scope}/providers/Microsoft.Authorization/roleAssignments[?$filter=principalId eq '...']``:
  assignments at the scope and inherited from above it; ``atScope()`` limits to the scope itself.

Example:
    >>> from azimagebuilder.emulator import Emulator
    >>> emu = Emulator().start()
    >>> path = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x"
    >>> emu.router.match("PUT", path).route.name
    'authorization.roleAssignments.create.resourceGroup'
    >>> emu.stop()
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._router import ArmError, Request, Response

if TYPE_CHECKING:
    pass
from ._base import Provider, RouteSpec
from ._common import body_object, now_iso
from .msi import EMULATOR_TENANT_ID, principal_exists
from .resources import require_group

__all__ = ["BUILT_IN_ROLES", "register"]

SECTION = "authorization"
_PROVIDER = "/providers/Microsoft.Authorization"

#: Built-in roles: name -> (GUID, actions, data actions). The GUIDs are Azure's own, the same in every tenant.
BUILT_IN_ROLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Owner": ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", ("*",), ()),
    "Contributor": ("b24988ac-6180-42a0-ab88-20f7382dd24c", ("*",), ()),
    "Reader": ("acdd72a7-3385-48ef-bd42-f606fba81ae7", ("*/read",), ()),
    "User Access Administrator": (
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        ("*/read", "Microsoft.Authorization/*"),
        (),
    ),
    "Virtual Machine Contributor": (
        "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
        ("Microsoft.Compute/virtualMachines/*", "Microsoft.Network/networkInterfaces/*"),
        (),
    ),
    "Managed Identity Operator": (
        "f1a07417-d97a-45cb-824c-7a7467783830",
        (
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
        ),
        (),
    ),
    "Storage Blob Data Reader": (
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        ("Microsoft.Storage/storageAccounts/blobServices/containers/read",),
        ("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",),
    ),
    "Storage Blob Data Contributor": (
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        ("Microsoft.Storage/storageAccounts/blobServices/containers/*",),
        ("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*",),
    ),
}

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_FILTER_VALUE = re.compile(r"(\w+)\s+eq\s+'([^']*)'", re.IGNORECASE)

_SCOPES = (
    "/subscriptions/{subscriptionId}",
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{resourceNamespace}"
    "/{resourceType}/{resourceName}",
)


def _scope(params: Mapping[str, str]) -> str:
    scope = f"/subscriptions/{params['subscriptionId']}"
    if "resourceGroupName" in params:
        scope += f"/resourceGroups/{params['resourceGroupName']}"
    if "resourceName" in params:
        scope += f"/providers/{params['resourceNamespace']}/{params['resourceType']}/{params['resourceName']}"
    return scope


def _filters(request: Request) -> dict[str, str]:
    raw = next((v for k, v in request.query.items() if k.lower() == "$filter"), "")
    found = {name.lower(): value for name, value in _FILTER_VALUE.findall(raw)}
    if "atscope()" in raw.lower():
        found["atscope"] = "1"
    return found


def _built_in_body(subscription_id: str, name: str) -> dict[str, Any]:
    guid, actions, data_actions = BUILT_IN_ROLES[name]
    return {
        "id": f"/subscriptions/{subscription_id}{_PROVIDER}/roleDefinitions/{guid}",
        "name": guid,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "description": f"Built-in role {name} (emulated).",
            "assignableScopes": ["/"],
            "permissions": [
                {
                    "actions": list(actions),
                    "notActions": [],
                    "dataActions": list(data_actions),
                    "notDataActions": [],
                }
            ],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2021-11-11T20:13:47.8628684Z",
            "createdBy": None,
            "updatedBy": None,
        },
    }


def _routes() -> tuple[RouteSpec, ...]:
    """The same seven routes at each scope kind (subscription, resource group, resource)."""
    routes: list[RouteSpec] = []
    for kind, scope in zip(("subscription", "resourceGroup", "resource"), _SCOPES, strict=True):
        definitions = scope + _PROVIDER + "/roleDefinitions"
        assignments = scope + _PROVIDER + "/roleAssignments"
        routes += [
            RouteSpec("GET", definitions, f"authorization.roleDefinitions.list.{kind}", "list_definitions"),
            RouteSpec(
                "GET",
                definitions + "/{roleDefinitionId}",
                f"authorization.roleDefinitions.get.{kind}",
                "get_definition",
            ),
            RouteSpec(
                "PUT",
                definitions + "/{roleDefinitionId}",
                f"authorization.roleDefinitions.createOrUpdate.{kind}",
                "put_definition",
            ),
            RouteSpec("GET", assignments, f"authorization.roleAssignments.list.{kind}", "list_assignments"),
            RouteSpec(
                "PUT",
                assignments + "/{roleAssignmentName}",
                f"authorization.roleAssignments.create.{kind}",
                "put_assignment",
            ),
            RouteSpec(
                "GET",
                assignments + "/{roleAssignmentName}",
                f"authorization.roleAssignments.get.{kind}",
                "get_assignment",
            ),
            RouteSpec(
                "DELETE",
                assignments + "/{roleAssignmentName}",
                f"authorization.roleAssignments.delete.{kind}",
                "delete_assignment",
            ),
        ]
    return tuple(routes)


class AuthorizationProvider(Provider):
    """Microsoft.Authorization: role definitions and assignments at the three scope kinds; kept in the
    store's ``authorization`` section."""

    namespace = "Microsoft.Authorization"
    ROUTES = _routes()

    def table(self, kind: str) -> dict[str, Any]:
        found: dict[str, Any] = self.store.section(SECTION).setdefault(kind, {})
        return found

    def check_scope(self, params: Mapping[str, str]) -> None:
        if "resourceGroupName" in params:
            require_group(self.store, params["subscriptionId"], params["resourceGroupName"])

    def definitions_for(self, sub: str, scope: str) -> list[dict[str, Any]]:
        found = [_built_in_body(sub, name) for name in BUILT_IN_ROLES]
        for custom in self.table("definitions").values():
            assignable = [s.lower() for s in custom["properties"]["assignableScopes"]]
            if any(scope.lower() == s or scope.lower().startswith(s.rstrip("/") + "/") for s in assignable):
                found.append(custom)
        return found

    def find_definition(self, sub: str, definition_id: str) -> dict[str, Any] | None:
        guid = definition_id.rstrip("/").rsplit("/", 1)[-1].lower()
        for name, (built_in_guid, _, _) in BUILT_IN_ROLES.items():
            if built_in_guid == guid:
                return _built_in_body(sub, name)
        custom: dict[str, Any] | None = self.table("definitions").get(guid)
        return custom

    # -- role definitions ---------------------------------------------------------------------------
    def list_definitions(self, request: Request, params: dict[str, str]) -> Response:
        filters = _filters(request)
        with self.store.locked():
            self.check_scope(params)
            found = self.definitions_for(params["subscriptionId"], _scope(params))
        if "rolename" in filters:
            found = [d for d in found if d["properties"]["roleName"].lower() == filters["rolename"].lower()]
        if "type" in filters:
            found = [d for d in found if d["properties"]["type"].lower() == filters["type"].lower()]
        return Response.json(200, {"value": found})

    def get_definition(self, request: Request, params: dict[str, str]) -> Response:
        with self.store.locked():
            self.check_scope(params)
            found = self.find_definition(params["subscriptionId"], params["roleDefinitionId"])
        if found is None:
            raise ArmError(
                404,
                "RoleDefinitionDoesNotExist",
                f"The role definition '{params['roleDefinitionId']}' could not be found.",
            )
        return Response.json(200, found)

    def put_definition(self, request: Request, params: dict[str, str]) -> Response:
        guid = params["roleDefinitionId"].lower()
        if not _GUID.match(guid):
            raise ArmError(400, "InvalidRoleDefinitionId", f"The role definition ID '{guid}' is not valid.")
        body = body_object(request)
        properties = dict(body.get("properties") or {})
        role_name = properties.get("roleName")
        if not isinstance(role_name, str) or not role_name:
            raise ArmError(
                400, "RoleDefinitionNameNullOrEmpty", "The role definition name cannot be null or empty."
            )
        scopes = properties.get("assignableScopes") or []
        if not scopes:
            raise ArmError(400, "MissingAssignableScopes", "The role definition must have assignable scopes.")
        with self.store.changing():
            self.check_scope(params)
            definitions = self.table("definitions")
            clash = role_name.lower() in {n.lower() for n in BUILT_IN_ROLES} or any(
                d["properties"]["roleName"].lower() == role_name.lower() and key != guid
                for key, d in definitions.items()
            )
            if clash:
                raise ArmError(
                    409,
                    "RoleDefinitionWithSameNameExists",
                    "A custom role with the same name already exists in this directory. "
                    "Use a different name.",
                )
            existed = guid in definitions
            stored = {
                "id": f"/subscriptions/{params['subscriptionId']}{_PROVIDER}/roleDefinitions/{guid}",
                "name": guid,
                "type": "Microsoft.Authorization/roleDefinitions",
                "properties": {
                    "roleName": role_name,
                    "type": "CustomRole",
                    "description": properties.get("description") or "",
                    "assignableScopes": list(scopes),
                    "permissions": list(properties.get("permissions") or []),
                    "createdOn": definitions[guid]["properties"]["createdOn"] if existed else now_iso(),
                    "updatedOn": now_iso(),
                    "createdBy": None,
                    "updatedBy": None,
                },
            }
            definitions[guid] = stored
        # Azure answers 201 to every role definition PUT, the update of an existing one included.
        return Response.json(201, stored)

    # -- role assignments ---------------------------------------------------------------------------
    def put_assignment(self, request: Request, params: dict[str, str]) -> Response:
        name = params["roleAssignmentName"]
        if not _GUID.match(name):
            raise ArmError(
                400,
                "InvalidRoleAssignmentId",
                f"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.",
            )
        scope = _scope(params)
        properties = dict(body_object(request).get("properties") or {})
        role_id, principal = properties.get("roleDefinitionId"), properties.get("principalId")
        if not isinstance(role_id, str) or not isinstance(principal, str):
            raise ArmError(
                400, "InvalidRoleAssignmentRequest", "roleDefinitionId and principalId are required."
            )
        with self.store.changing():
            self.check_scope(params)
            definition = self.find_definition(params["subscriptionId"], role_id)
            if definition is None:
                raise ArmError(
                    400,
                    "RoleDefinitionDoesNotExist",
                    f"The specified role definition with ID '{role_id.rsplit('/', 1)[-1]}' does not exist.",
                )
            if not principal_exists(self.store, principal):
                raise ArmError(
                    400,
                    "PrincipalNotFound",
                    f"Principal {principal.replace('-', '')} does not exist in the directory "
                    f"{EMULATOR_TENANT_ID}. Check that you have the correct principal ID. If you are "
                    "creating this principal and then immediately assigning a role, this error might be "
                    "related to a replication delay. In this case, set the role assignment principalType "
                    "property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
                )
            assignments = self.table("assignments")
            key = f"{scope}/{name}".lower()
            triple = (scope.lower(), principal.lower(), definition["name"].lower())
            existing = assignments.get(key)
            if existing is not None:
                same = (
                    existing["properties"]["principalId"].lower(),
                    existing["properties"]["roleDefinitionId"].rsplit("/", 1)[-1].lower(),
                ) == (principal.lower(), definition["name"].lower())
                if not same:
                    raise ArmError(
                        409,
                        "RoleAssignmentUpdateNotPermitted",
                        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                    )
                return Response.json(201, existing)
            for other in assignments.values():
                p = other["properties"]
                if (
                    p["scope"].lower(),
                    p["principalId"].lower(),
                    p["roleDefinitionId"].rsplit("/", 1)[-1].lower(),
                ) == triple:
                    raise ArmError(409, "RoleAssignmentExists", "The role assignment already exists.")
            stored = {
                "id": f"{scope}{_PROVIDER}/roleAssignments/{name}",
                "name": name,
                "type": "Microsoft.Authorization/roleAssignments",
                "properties": {
                    "roleDefinitionId": definition["id"],
                    "principalId": principal,
                    "principalType": properties.get("principalType") or "ServicePrincipal",
                    "scope": scope,
                    "condition": None,
                    "conditionVersion": None,
                    "createdOn": now_iso(),
                    "updatedOn": now_iso(),
                    "createdBy": None,
                    "updatedBy": None,
                    "delegatedManagedIdentityResourceId": None,
                    "description": properties.get("description"),
                },
            }
            assignments[key] = stored
        return Response.json(201, stored)

    def get_assignment(self, request: Request, params: dict[str, str]) -> Response:
        key = f"{_scope(params)}/{params['roleAssignmentName']}".lower()
        with self.store.locked():
            self.check_scope(params)
            found = self.table("assignments").get(key)
        if found is None:
            raise ArmError(404, "RoleAssignmentNotFound", "The role assignment does not exist.")
        return Response.json(200, found)

    def delete_assignment(self, request: Request, params: dict[str, str]) -> Response:
        key = f"{_scope(params)}/{params['roleAssignmentName']}".lower()
        with self.store.changing():
            found = self.table("assignments").pop(key, None)
        return Response.json(200, found) if found is not None else Response.empty(204)

    def list_assignments(self, request: Request, params: dict[str, str]) -> Response:
        scope = _scope(params).lower()
        filters = _filters(request)
        with self.store.locked():
            self.check_scope(params)
            found = []
            for assignment in self.table("assignments").values():
                at = assignment["properties"]["scope"].lower()
                inherited = scope == at or scope.startswith(at + "/")
                if not inherited or ("atscope" in filters and at != scope):
                    continue
                principal = filters.get("principalid") or filters.get("assignedto")
                if principal and assignment["properties"]["principalId"].lower() != principal.lower():
                    continue
                found.append(assignment)
        return Response.json(200, {"value": found})


register = AuthorizationProvider.registrar()
