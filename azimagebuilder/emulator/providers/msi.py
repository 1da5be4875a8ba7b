"""Microsoft.ManagedIdentity in the emulator: user-assigned managed identities.

Follows the public REST shape of ``userAssignedIdentities`` (api-version 2023-01-31 / 2024-11-30):
``PUT`` answers ``201`` on create and ``200`` on update (synchronous, no long-running operation), with
``properties.tenantId``, ``principalId`` and ``clientId`` filled in by the service; ``GET`` of a missing
identity answers ``404 ResourceNotFound``; ``DELETE`` answers ``200``, or ``204`` when there was nothing.

The ids are derived from the identity's resource id, so re-recording a cassette gives the same ids.
The principal ids are what :mod:`.authorization` accepts as role assignment principals.

Example:
    >>> from azimagebuilder.emulator import Emulator
    >>> emu = Emulator().start()
    >>> path = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity"
    >>> path += "/userAssignedIdentities/aib"
    >>> emu.router.match("PUT", path).route.name
    'msi.userAssignedIdentities.createOrUpdate'
    >>> emu.stop()
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from .._router import ArmError, Request, Response
from .._state import StateStore

if TYPE_CHECKING:
    pass
from ._base import Provider, RouteSpec
from ._common import body_object, resource_not_found, short_region
from .resources import require_group

__all__ = ["EMULATOR_TENANT_ID", "ManagedIdentityProvider", "principal_exists", "register"]

SECTION = "msi"

#: The tenant every emulated identity belongs to.
EMULATOR_TENANT_ID = "72f988bf-0000-4000-8000-00000000e111"

_NAMESPACE = uuid.UUID("5b0c3a53-7d0e-4d8e-9a35-4f3c9d2a7e01")
_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"


def _key(*parts: str) -> str:
    return "/".join(p.lower() for p in parts)


def _identities(store: StateStore) -> dict[str, Any]:
    table: dict[str, Any] = store.section(SECTION).setdefault("identities", {})
    return table


def principal_exists(store: StateStore, principal_id: str) -> bool:
    """Whether an emulated identity has this principal id (hold the store's lock)."""
    wanted = principal_id.lower()
    return any(i["properties"]["principalId"] == wanted for i in _identities(store).values())


_PATH = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}"
)


class ManagedIdentityProvider(Provider):
    """Microsoft.ManagedIdentity: user-assigned identities, kept in the store's ``msi`` section."""

    namespace = "Microsoft.ManagedIdentity"
    ROUTES = (
        RouteSpec("PUT", _PATH, "msi.userAssignedIdentities.createOrUpdate", "put_identity"),
        RouteSpec("GET", _PATH, "msi.userAssignedIdentities.get", "get_identity"),
        RouteSpec("DELETE", _PATH, "msi.userAssignedIdentities.delete", "delete_identity"),
    )

    def put_identity(self, request: Request, params: dict[str, str]) -> Response:
        sub, group, name = params["subscriptionId"], params["resourceGroupName"], params["resourceName"]
        body = body_object(request)
        key = _key(sub, group, name)
        with self.store.changing():
            real_group = require_group(self.store, sub, group)["name"]
            existing = _identities(self.store).get(key)
            if existing is None:
                resource_id = f"/subscriptions/{sub}/resourcegroups/{real_group}/providers/{_TYPE}/{name}"
                location = body.get("location")
                if not isinstance(location, str) or not location:
                    raise ArmError(
                        400, "LocationRequired", "The location property is required for this definition."
                    )
                stored: dict[str, Any] = {
                    "id": resource_id,
                    "name": name,
                    "type": _TYPE,
                    "location": short_region(location),
                    "tags": dict(body.get("tags") or {}),
                    "properties": {
                        "tenantId": EMULATOR_TENANT_ID,
                        "principalId": str(uuid.uuid5(_NAMESPACE, "principal:" + resource_id.lower())),
                        "clientId": str(uuid.uuid5(_NAMESPACE, "client:" + resource_id.lower())),
                    },
                }
                _identities(self.store)[key] = stored
                return Response.json(201, stored)
            if isinstance(body.get("tags"), dict):
                existing["tags"] = dict(body["tags"])
            return Response.json(200, existing)

    def get_identity(self, request: Request, params: dict[str, str]) -> Response:
        sub, group, name = params["subscriptionId"], params["resourceGroupName"], params["resourceName"]
        with self.store.locked():
            require_group(self.store, sub, group)
            identity = _identities(self.store).get(_key(sub, group, name))
            if identity is None:
                raise resource_not_found(_TYPE, name, group)
            return Response.json(200, identity)

    def delete_identity(self, request: Request, params: dict[str, str]) -> Response:
        sub, group, name = params["subscriptionId"], params["resourceGroupName"], params["resourceName"]
        with self.store.changing():
            require_group(self.store, sub, group)
            removed = _identities(self.store).pop(_key(sub, group, name), None)
        return Response.empty(200 if removed is not None else 204)


register = ManagedIdentityProvider.registrar()
