"""Microsoft.Resources in the emulator: resource groups and resource provider registration.

Follows the public REST shapes of ``Microsoft.Resources`` (api-version 2025-04-01 and older):

- ``PUT/GET/HEAD/DELETE /subscriptions/{id}/resourcegroups/{name}``: ``201`` on create, ``200`` on update,
  ``HEAD`` ``204``/``404``, ``DELETE`` ``202`` with a ``Location`` operation URL (then ``200``), taking
  the images, galleries, identities and role assignments in the group with it;
  ``404 ResourceGroupNotFound`` for a missing group.
- ``GET /subscriptions/{id}/providers[/{namespace}]``, ``POST .../providers/{namespace}/register`` and
  ``/unregister``: the registration state comes from the state store's switch (every namespace is
  registered unless a test switched it off). Register answers ``Registering`` and the namespace reads
  ``Registered`` after ``REGISTRATION_POLLS`` more ``GET`` calls, as Azure's asynchronous registration does.

The other providers of the resources around a build (compute, msi, authorization) use
:func:`require_group` so a resource in a missing group gets ARM's ``ResourceGroupNotFound``.

Example:
    >>> from azimagebuilder.emulator import Emulator
    >>> emu = Emulator().start()
    >>> emu.router.match("HEAD", "/subscriptions/s/resourcegroups/rg").route.name
    'resources.resourceGroups.head'
    >>> emu.stop()
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._router import ArmError, Request, Response
from .._state import StateStore
from ._base import Provider, RouteSpec
from ._common import REGIONS, body_object, display_region, now_iso, resource_not_found, short_region

if TYPE_CHECKING:
    pass

__all__ = [
    "KNOWN_NAMESPACES",
    "body_object",
    "display_region",
    "now_iso",
    "register",
    "require_group",
    "resource_not_found",
    "short_region",
]

SECTION = "resources"

#: Namespaces the emulator knows, with a few resource types each (enough for ``providers.get``).
KNOWN_NAMESPACES: dict[str, tuple[str, ...]] = {
    "Microsoft.VirtualMachineImages": ("imageTemplates", "locations/operations"),
    "Microsoft.Compute": ("images", "galleries", "galleries/images", "galleries/images/versions"),
    "Microsoft.Storage": ("storageAccounts",),
    "Microsoft.KeyVault": ("vaults",),
    "Microsoft.ManagedIdentity": ("userAssignedIdentities",),
    "Microsoft.Authorization": ("roleAssignments", "roleDefinitions"),
    "Microsoft.Network": ("virtualNetworks",),
    "Microsoft.Resources": ("resourceGroups", "subscriptions"),
}


def _key(*parts: str) -> str:
    return "/".join(p.lower() for p in parts)


def _groups(store: StateStore) -> dict[str, Any]:
    groups: dict[str, Any] = store.section(SECTION).setdefault("groups", {})
    return groups


def group_not_found(name: str) -> ArmError:
    """ARM's answer for a resource group that does not exist."""
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def _staging_groups(store: StateStore, subscription_id: str) -> dict[str, dict[str, Any]]:
    """The staging groups (``IT_<rg>_<name>_<guid>``) Image Builder made for the subscription's templates.

    Image Builder creates them itself, so they exist without a PUT; each body carries the storage account
    that holds ``packerlogs`` under the private key ``_storageAccount``.
    """
    try:
        from .imagebuilder import staging_resource_groups
    except ImportError:  # the Image Builder provider is optional
        return {}
    found: dict[str, dict[str, Any]] = {}
    for staging in staging_resource_groups(store, subscription_id):
        found[_key(subscription_id, staging["name"])] = {
            "id": f"/subscriptions/{subscription_id}/resourceGroups/{staging['name']}",
            "name": staging["name"],
            "type": "Microsoft.Resources/resourceGroups",
            "location": staging["location"],
            "tags": dict(staging["tags"]),
            "properties": {"provisioningState": "Succeeded"},
            "_storageAccount": staging["storageAccount"],
        }
    return found


def find_group(store: StateStore, subscription_id: str, name: str) -> dict[str, Any] | None:
    """The resource group, created by a PUT or by Image Builder (hold the store's lock), or None."""
    group: dict[str, Any] | None = _groups(store).get(_key(subscription_id, name))
    if group is None:
        group = _staging_groups(store, subscription_id).get(_key(subscription_id, name))
    return group


def require_group(store: StateStore, subscription_id: str, name: str) -> dict[str, Any]:
    """The resource group (hold the store's lock), or raise ``404 ResourceGroupNotFound``."""
    group = find_group(store, subscription_id, name)
    if group is None:
        raise group_not_found(name)
    return group


def _public(group: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in group.items() if not k.startswith("_")}


#: Where the sibling providers keep resources that live in a resource group: (section, table, key prefix
#: form). Deleting a group deletes them, as ARM deletes everything in a group.
_GROUP_CONTENTS: tuple[tuple[str, str, str], ...] = (
    ("compute", "images", "{sub}/{rg}/"),
    ("compute", "galleries", "{sub}/{rg}/"),
    ("compute", "gallery_images", "{sub}/{rg}/"),
    ("compute", "versions", "{sub}/{rg}/"),
    ("msi", "identities", "{sub}/{rg}/"),
    ("authorization", "assignments", "/subscriptions/{sub}/resourcegroups/{rg}/"),
)


def _delete_contents(store: StateStore, subscription_id: str, group: str) -> None:
    for section, table, prefix_form in _GROUP_CONTENTS:
        prefix = prefix_form.format(sub=subscription_id, rg=group).lower()
        entries = store.section(section).get(table) or {}
        for key in [k for k in entries if k.startswith(prefix)]:
            del entries[key]


def _resource_type_filter(request: Request) -> str | None:
    raw = next((v for k, v in request.query.items() if k.lower() == "$filter"), "")
    match = re.search(r"resourceType\s+eq\s+'([^']+)'", raw, re.IGNORECASE)
    return match.group(1).lower() if match else None


def _provider_body(
    store: StateStore, subscription_id: str, namespace: str, state: str | None = None
) -> dict[str, Any]:
    canonical = next((n for n in KNOWN_NAMESPACES if n.lower() == namespace.lower()), namespace)
    if state is None:
        state = "Registered" if store.is_registered(subscription_id, canonical) else "NotRegistered"
    return {
        "id": f"/subscriptions/{subscription_id}/providers/{canonical}",
        "namespace": canonical,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [
            {"resourceType": t, "locations": sorted(set(REGIONS.values())), "apiVersions": []}
            for t in KNOWN_NAMESPACES.get(canonical, ())
        ],
    }


def _require_namespace(namespace: str) -> str:
    for known in KNOWN_NAMESPACES:
        if known.lower() == namespace.lower():
            return known
    raise ArmError(404, "InvalidResourceNamespace", f"The resource namespace '{namespace}' is invalid.")


#: How many ``GET``s of a provider still read ``Registering`` after a register call (0: registered at once).
REGISTRATION_POLLS = 1


_GROUP = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}"
_PROVIDERS = "/subscriptions/{subscriptionId}/providers"


class ResourcesProvider(Provider):
    """Microsoft.Resources: resource groups (with the staging groups Image Builder made), the resources in a
    group, and provider registration; kept in the store's ``resources`` section."""

    namespace = "Microsoft.Resources"
    ROUTES = (
        RouteSpec("PUT", _GROUP, "resources.resourceGroups.createOrUpdate", "put_group"),
        RouteSpec("GET", _GROUP, "resources.resourceGroups.get", "get_group"),
        RouteSpec("HEAD", _GROUP, "resources.resourceGroups.head", "head_group"),
        RouteSpec("DELETE", _GROUP, "resources.resourceGroups.delete", "delete_group"),
        RouteSpec(
            "GET",
            "/subscriptions/{subscriptionId}/resourcegroups",
            "resources.resourceGroups.list",
            "list_groups",
        ),
        RouteSpec(
            "GET", _GROUP + "/resources", "resources.resources.listByResourceGroup", "list_group_resources"
        ),
        RouteSpec(
            "GET",
            "/subscriptions/{subscriptionId}/operationresults/{operationId}",
            "resources.operationResults.get",
            "operation_result",
        ),
        RouteSpec("GET", _PROVIDERS, "resources.providers.list", "list_providers"),
        RouteSpec(
            "GET", _PROVIDERS + "/{resourceProviderNamespace}", "resources.providers.get", "get_provider"
        ),
        RouteSpec(
            "POST",
            _PROVIDERS + "/{resourceProviderNamespace}/register",
            "resources.providers.register",
            "register_provider",
        ),
        RouteSpec(
            "POST",
            _PROVIDERS + "/{resourceProviderNamespace}/unregister",
            "resources.providers.unregister",
            "unregister_provider",
        ),
    )

    #: ``GET`` calls after a register before the namespace reads ``Registered``.
    registration_polls = REGISTRATION_POLLS

    def put_group(self, request: Request, params: dict[str, str]) -> Response:
        sub, name = params["subscriptionId"], params["resourceGroupName"]
        body = body_object(request)
        location = body.get("location")
        if not isinstance(location, str) or not location:
            raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
        with self.store.changing():
            groups = _groups(self.store)
            existing = groups.get(_key(sub, name))
            stored = {
                "id": f"/subscriptions/{sub}/resourceGroups/{name if existing is None else existing['name']}",
                "name": name if existing is None else existing["name"],
                "type": "Microsoft.Resources/resourceGroups",
                "location": short_region(location) if existing is None else existing["location"],
                "properties": {"provisioningState": "Succeeded"},
            }
            if isinstance(body.get("tags"), Mapping):
                stored["tags"] = dict(body["tags"])
            groups[_key(sub, name)] = stored
        return Response.json(201 if existing is None else 200, stored)

    def get_group(self, request: Request, params: dict[str, str]) -> Response:
        with self.store.locked():
            group = _public(require_group(self.store, params["subscriptionId"], params["resourceGroupName"]))
        return Response.json(200, group)

    def head_group(self, request: Request, params: dict[str, str]) -> Response:
        with self.store.locked():
            exists = find_group(self.store, params["subscriptionId"], params["resourceGroupName"]) is not None
        return Response.empty(204 if exists else 404)

    def delete_group(self, request: Request, params: dict[str, str]) -> Response:
        sub, name = params["subscriptionId"], params["resourceGroupName"]
        with self.store.changing():
            if _groups(self.store).pop(_key(sub, name), None) is None:
                return Response.empty(204)
            _delete_contents(self.store, sub, name)
        token = uuid.uuid4().hex.upper()
        location = f"{request.base_url}/subscriptions/{sub}/operationresults/{token}"
        location += f"?api-version={request.api_version}"
        return Response.empty(202, {"Location": location, "Retry-After": "0"})

    def operation_result(self, request: Request, params: dict[str, str]) -> Response:
        return Response.empty(200)

    def list_groups(self, request: Request, params: dict[str, str]) -> Response:
        sub = params["subscriptionId"]
        prefix = sub.lower() + "/"
        with self.store.locked():
            groups = {**_staging_groups(self.store, sub), **_groups(self.store)}
            value = [_public(g) for k, g in sorted(groups.items()) if k.startswith(prefix)]
        return Response.json(200, {"value": value})

    def list_group_resources(self, request: Request, params: dict[str, str]) -> Response:
        sub, name = params["subscriptionId"], params["resourceGroupName"]
        wanted = _resource_type_filter(request)
        with self.store.locked():
            group = require_group(self.store, sub, name)
            value = []
            if group.get("_storageAccount"):
                account = group["_storageAccount"]
                value.append(
                    {
                        "id": f"{group['id']}/providers/Microsoft.Storage/storageAccounts/{account}",
                        "name": account,
                        "type": "Microsoft.Storage/storageAccounts",
                        "sku": {"name": "Standard_LRS", "tier": "Standard"},
                        "kind": "StorageV2",
                        "location": group["location"],
                    }
                )
            prefix = _key(sub, name) + "/"
            for section, table, _ in _GROUP_CONTENTS:
                if section == "authorization":
                    continue  # role assignments are extension resources, not listed here
                for key, resource in sorted((self.store.section(section).get(table) or {}).items()):
                    if key.startswith(prefix):
                        value.append(
                            {k: resource[k] for k in ("id", "name", "type", "location") if k in resource}
                        )
        if wanted is not None:
            value = [r for r in value if str(r["type"]).lower() == wanted]
        return Response.json(200, {"value": value})

    def get_provider(self, request: Request, params: dict[str, str]) -> Response:
        sub, namespace = params["subscriptionId"], _require_namespace(params["resourceProviderNamespace"])
        with self.store.changing():
            pending: dict[str, int] = self.store.section(SECTION).setdefault("registering", {})
            key = _key(sub, namespace)
            if key in pending:
                if pending[key] > 0:
                    pending[key] -= 1
                    return Response.json(200, _provider_body(self.store, sub, namespace, "Registering"))
                del pending[key]
                self.store.set_registered(sub, namespace, True)
        return Response.json(200, _provider_body(self.store, sub, namespace))

    def list_providers(self, request: Request, params: dict[str, str]) -> Response:
        sub = params["subscriptionId"]
        with self.store.locked():
            value = [_provider_body(self.store, sub, n) for n in KNOWN_NAMESPACES]
        return Response.json(200, {"value": value})

    def register_provider(self, request: Request, params: dict[str, str]) -> Response:
        sub, namespace = params["subscriptionId"], _require_namespace(params["resourceProviderNamespace"])
        with self.store.changing():
            if self.store.is_registered(sub, namespace):
                return Response.json(200, _provider_body(self.store, sub, namespace))
            if self.registration_polls <= 0:
                self.store.set_registered(sub, namespace, True)
                return Response.json(200, _provider_body(self.store, sub, namespace))
            self.store.section(SECTION).setdefault("registering", {})[_key(sub, namespace)] = (
                self.registration_polls
            )
        return Response.json(200, _provider_body(self.store, sub, namespace, "Registering"))

    def unregister_provider(self, request: Request, params: dict[str, str]) -> Response:
        sub, namespace = params["subscriptionId"], _require_namespace(params["resourceProviderNamespace"])
        with self.store.changing():
            self.store.section(SECTION).setdefault("registering", {}).pop(_key(sub, namespace), None)
            self.store.set_registered(sub, namespace, False)
        return Response.json(200, _provider_body(self.store, sub, namespace, "Unregistering"))


register = ResourcesProvider.registrar()
