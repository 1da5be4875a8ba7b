"""Microsoft.Compute in the emulator: managed images, galleries, image definitions and versions, and a
small built-in catalogue of platform (Marketplace) images.

Follows the public REST shapes of ``Microsoft.Compute``:

- ``PUT`` of an image, gallery, gallery image or gallery image version answers ``201`` (create) or ``200``
  (update) with ``provisioningState: "Creating"``/``"Updating"`` and an ``Azure-AsyncOperation`` header; the
  operation (``.../locations/{region}/operations/{id}``, or ``capsOperations`` for galleries, as the real
  service does) reads ``Succeeded`` on the first poll, after which ``GET`` shows ``Succeeded``.
- ``GET`` of a missing resource: ``404 ResourceNotFound``; of a child whose parent is missing:
  ``404 ParentResourceNotFound``; anything in a missing group: ``404 ResourceGroupNotFound``.
- Platform images: ``GET /subscriptions/{id}/providers/Microsoft.Compute/locations/{region}/publishers``
  ``[/{p}/artifacttypes/vmimage/offers[/{o}/skus[/{s}/versions[/{v}]]]]`` answer bare JSON arrays of
  ``{"location", "name", "id"}`` (the real service's shape), ``404 NotFound`` for an unknown artifact.

Example:
    >>> from azimagebuilder.emulator import Emulator
    >>> emu = Emulator().start()
    >>> path = "/subscriptions/s/providers/Microsoft.Compute/locations/westus2/publishers"
    >>> emu.router.match("GET", path).route.name
    'compute.virtualMachineImages.listPublishers'
    >>> emu.stop()
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._router import ArmError, Request, Response
from .._state import StateStore

if TYPE_CHECKING:
    pass
from ._base import Provider, RouteSpec
from ._common import body_object, display_region, now_iso, resource_not_found, short_region
from .resources import require_group

__all__ = ["PLATFORM_IMAGES", "register"]

SECTION = "compute"

#: The built-in platform image catalogue: (publisher, offer, sku) -> (os type, versions). Served in every
#: region. The Windows and RHEL 8 versions are chosen so that text order and numeric order disagree
#: ("17763.973..." sorts after "17763.1158..." as text, "8.9..." after "8.10...").
PLATFORM_IMAGES: dict[tuple[str, str, str], tuple[str, tuple[str, ...]]] = {
    ("Canonical", "UbuntuServer", "16.04-LTS"): (
        "Linux",
        ("16.04.201912170", "16.04.202003250", "16.04.202004290"),
    ),
    ("Canonical", "UbuntuServer", "18.04-LTS"): (
        "Linux",
        ("18.04.201912180", "18.04.202003250", "18.04.202004290"),
    ),
    ("RedHat", "RHEL", "7.7"): ("Linux", ("7.7.2019110513", "7.7.2020031212")),
    # The case of Azure/azure-rest-api-specs#30142: text order picks 8.9 as "latest".
    ("RedHat", "RHEL", "8-lvm-gen2"): ("Linux", ("8.9.2024022012", "8.10.2024070513")),
    ("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter"): (
        "Windows",
        ("17763.737.1909062324", "17763.973.2001110547", "17763.1158.2004131759"),
    ),
    ("MicrosoftWindowsServer", "WindowsServer", "2016-Datacenter"): (
        "Windows",
        ("14393.3564.2003131708", "14393.3630.2004101604"),
    ),
}

_TYPES = {
    "images": "Microsoft.Compute/images",
    "galleries": "Microsoft.Compute/galleries",
    "gallery_images": "Microsoft.Compute/galleries/images",
    "versions": "Microsoft.Compute/galleries/images/versions",
}


def _key(*parts: str) -> str:
    return "/".join(p.lower() for p in parts)


def _table(store: StateStore, kind: str) -> dict[str, Any]:
    table: dict[str, Any] = store.section(SECTION).setdefault(kind, {})
    return table


def group_id(subscription_id: str, group: str) -> str:
    """The Microsoft.Compute prefix of ids in a resource group."""
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/Microsoft.Compute"


def _not_found_artifact() -> ArmError:
    return ArmError(404, "NotFound", "Artifact: VMImage was not found.")


def _catalogue_lookup(
    publisher: str, offer: str | None = None, sku: str | None = None
) -> list[tuple[str, str, str]]:
    return [
        key
        for key in PLATFORM_IMAGES
        if key[0].lower() == publisher.lower()
        and (offer is None or key[1].lower() == offer.lower())
        and (sku is None or key[2].lower() == sku.lower())
    ]


_RG = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute"
_IMAGE = _RG + "/images/{imageName}"
_GALLERY = _RG + "/galleries/{galleryName}"
_DEFINITION = _GALLERY + "/images/{galleryImageName}"
_VERSION = _DEFINITION + "/versions/{galleryImageVersionName}"
_LOCATIONS = "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}"
_PUBLISHERS = _LOCATIONS + "/publishers"
_OFFERS = _PUBLISHERS + "/{publisherName}/artifacttypes/vmimage/offers"
_SKUS = _OFFERS + "/{offer}/skus"
_PLATFORM_VERSIONS = _SKUS + "/{skus}/versions"


class ComputeProvider(Provider):
    """Microsoft.Compute: managed images, galleries, image definitions and versions, platform images;
    resources kept in the store's ``compute`` section."""

    namespace = "Microsoft.Compute"
    ROUTES = (
        RouteSpec("PUT", _IMAGE, "compute.images.createOrUpdate", "put_image"),
        RouteSpec("GET", _IMAGE, "compute.images.get", "get_image"),
        RouteSpec("PUT", _GALLERY, "compute.galleries.createOrUpdate", "put_gallery"),
        RouteSpec("GET", _GALLERY, "compute.galleries.get", "get_gallery"),
        RouteSpec("PUT", _DEFINITION, "compute.galleryImages.createOrUpdate", "put_definition"),
        RouteSpec("GET", _DEFINITION, "compute.galleryImages.get", "get_definition"),
        RouteSpec("PUT", _VERSION, "compute.galleryImageVersions.createOrUpdate", "put_version"),
        RouteSpec("GET", _VERSION, "compute.galleryImageVersions.get", "get_version"),
        RouteSpec("GET", _LOCATIONS + "/operations/{operationId}", "compute.operations.get", "get_operation"),
        RouteSpec(
            "GET", _LOCATIONS + "/capsOperations/{operationId}", "compute.capsOperations.get", "get_operation"
        ),
        RouteSpec("GET", _PUBLISHERS, "compute.virtualMachineImages.listPublishers", "list_publishers"),
        RouteSpec("GET", _OFFERS, "compute.virtualMachineImages.listOffers", "list_offers"),
        RouteSpec("GET", _SKUS, "compute.virtualMachineImages.listSkus", "list_skus"),
        RouteSpec("GET", _PLATFORM_VERSIONS, "compute.virtualMachineImages.list", "list_versions"),
        RouteSpec(
            "GET",
            _PLATFORM_VERSIONS + "/{version}",
            "compute.virtualMachineImages.get",
            "get_platform_version",
        ),
    )

    # -- long-running operations ------------------------------------------------------------------------
    def operation_url(
        self, request: Request, sub: str, location: str, kind: str, target: tuple[str, str]
    ) -> str:
        operation_id = str(uuid.uuid4())
        with self.store.changing():
            _table(self.store, "operations")[operation_id] = {
                "startTime": now_iso(),
                "kind": target[0],
                "key": target[1],
            }
        return (
            f"{request.base_url}/subscriptions/{sub}/providers/Microsoft.Compute/locations/"
            f"{short_region(location)}/{kind}/{operation_id}?api-version={request.api_version}"
        )

    def get_operation(self, request: Request, params: dict[str, str]) -> Response:
        operation_id = params["operationId"]
        with self.store.changing():
            operation = _table(self.store, "operations").get(operation_id)
            if operation is None:
                raise ArmError(404, "NotFound", f"The operation '{operation_id}' was not found.")
            resource = _table(self.store, operation["kind"]).get(operation["key"])
            if resource is not None:
                resource["properties"]["provisioningState"] = "Succeeded"
            operation.setdefault("endTime", now_iso())
        body = {
            "startTime": operation["startTime"],
            "endTime": operation["endTime"],
            "status": "Succeeded",
            "name": operation_id,
        }
        return Response.json(200, body)

    def created(
        self,
        request: Request,
        kind: str,
        key: str,
        stored: dict[str, Any],
        existed: bool,
        sub: str,
        op_kind: str,
    ) -> Response:
        stored["properties"]["provisioningState"] = "Updating" if existed else "Creating"
        url = self.operation_url(request, sub, stored["location"], op_kind, (kind, key))
        return Response.json(200 if existed else 201, stored, {"Azure-AsyncOperation": url})

    def location_of(self, body: Mapping[str, Any], fallback: str | None = None) -> str:
        location = body.get("location") or fallback
        if not isinstance(location, str) or not location:
            raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
        return short_region(location)

    def properties_of(self, body: Mapping[str, Any]) -> dict[str, Any]:
        properties = body.get("properties") or {}
        if not isinstance(properties, Mapping):
            raise ArmError(400, "InvalidRequestContent", "The 'properties' member must be an object.")
        return dict(properties)

    # -- managed images --------------------------------------------------------------------------------
    def put_image(self, request: Request, params: dict[str, str]) -> Response:
        sub, group, name = params["subscriptionId"], params["resourceGroupName"], params["imageName"]
        body = body_object(request)
        properties = self.properties_of(body)
        properties.setdefault("storageProfile", {"osDisk": {"osType": "Linux", "osState": "Generalized"}})
        properties.setdefault("hyperVGeneration", "V1")
        key = _key(sub, group, name)
        with self.store.changing():
            real_group = require_group(self.store, sub, group)["name"]
            existed = key in _table(self.store, "images")
            stored = {
                "id": f"{group_id(sub, real_group)}/images/{name}",
                "name": name,
                "type": _TYPES["images"],
                "location": self.location_of(body),
                "tags": dict(body.get("tags") or {}),
                "properties": properties,
            }
            _table(self.store, "images")[key] = stored
            return self.created(request, "images", key, stored, existed, sub, "operations")

    def get_image(self, request: Request, params: dict[str, str]) -> Response:
        sub, group, name = params["subscriptionId"], params["resourceGroupName"], params["imageName"]
        with self.store.locked():
            require_group(self.store, sub, group)
            image = _table(self.store, "images").get(_key(sub, group, name))
            if image is None:
                raise resource_not_found(_TYPES["images"], name, group)
            return Response.json(200, image)

    # -- galleries --------------------------------------------------------------------------------------
    def put_gallery(self, request: Request, params: dict[str, str]) -> Response:
        sub, group, name = params["subscriptionId"], params["resourceGroupName"], params["galleryName"]
        body = body_object(request)
        key = _key(sub, group, name)
        with self.store.changing():
            real_group = require_group(self.store, sub, group)["name"]
            existing = _table(self.store, "galleries").get(key)
            properties = self.properties_of(body)
            properties["identifier"] = {"uniqueName": f"{sub}-{name.upper()}"}
            stored = {
                "id": f"{group_id(sub, real_group)}/galleries/{name}",
                "name": name,
                "type": _TYPES["galleries"],
                "location": existing["location"] if existing else self.location_of(body),
                "tags": dict(body.get("tags") or {}),
                "properties": properties,
            }
            _table(self.store, "galleries")[key] = stored
            return self.created(
                request, "galleries", key, stored, existing is not None, sub, "capsOperations"
            )

    def require_gallery(self, sub: str, group: str, gallery: str) -> dict[str, Any]:
        require_group(self.store, sub, group)
        found = _table(self.store, "galleries").get(_key(sub, group, gallery))
        if found is None:
            raise ArmError(
                404,
                "ParentResourceNotFound",
                "Can not perform requested operation on nested resource. "
                f"Parent resource '{gallery}' not found.",
            )
        stored: dict[str, Any] = found
        return stored

    def get_gallery(self, request: Request, params: dict[str, str]) -> Response:
        sub, group, name = params["subscriptionId"], params["resourceGroupName"], params["galleryName"]
        with self.store.locked():
            require_group(self.store, sub, group)
            gallery = _table(self.store, "galleries").get(_key(sub, group, name))
            if gallery is None:
                raise resource_not_found(_TYPES["galleries"], name, group)
            return Response.json(200, gallery)

    # -- gallery image definitions ---------------------------------------------------------------------
    def put_definition(self, request: Request, params: dict[str, str]) -> Response:
        sub, group = params["subscriptionId"], params["resourceGroupName"]
        gallery, name = params["galleryName"], params["galleryImageName"]
        body = body_object(request)
        properties = self.properties_of(body)
        if str(properties.get("osType", "")).lower() not in {"linux", "windows"}:
            raise ArmError(
                400, "InvalidParameter", "Required parameter 'osType' is missing (null).", target="osType"
            )
        if str(properties.get("osState", "")).lower() not in {"generalized", "specialized"}:
            raise ArmError(
                400, "InvalidParameter", "Required parameter 'osState' is missing (null).", target="osState"
            )
        identifier = properties.get("identifier")
        if not isinstance(identifier, Mapping) or not all(
            identifier.get(k) for k in ("publisher", "offer", "sku")
        ):
            raise ArmError(
                400,
                "InvalidParameter",
                "Required parameter 'identifier' (publisher, offer, sku) is missing (null).",
                target="identifier",
            )
        properties.setdefault("hyperVGeneration", "V1")
        key = _key(sub, group, gallery, name)
        with self.store.changing():
            parent = self.require_gallery(sub, group, gallery)
            existed = key in _table(self.store, "gallery_images")
            stored = {
                "id": f"{parent['id']}/images/{name}",
                "name": name,
                "type": _TYPES["gallery_images"],
                "location": self.location_of(body, parent["location"]),
                "tags": dict(body.get("tags") or {}),
                "properties": properties,
            }
            _table(self.store, "gallery_images")[key] = stored
            return self.created(request, "gallery_images", key, stored, existed, sub, "capsOperations")

    def require_definition(self, sub: str, group: str, gallery: str, name: str) -> dict[str, Any]:
        self.require_gallery(sub, group, gallery)
        found = _table(self.store, "gallery_images").get(_key(sub, group, gallery, name))
        if found is None:
            raise resource_not_found(f"{_TYPES['galleries']}/{gallery}/images", name, group)
        stored: dict[str, Any] = found
        return stored

    def get_definition(self, request: Request, params: dict[str, str]) -> Response:
        with self.store.locked():
            definition = self.require_definition(
                params["subscriptionId"],
                params["resourceGroupName"],
                params["galleryName"],
                params["galleryImageName"],
            )
            return Response.json(200, definition)

    # -- gallery image versions ------------------------------------------------------------------------
    def put_version(self, request: Request, params: dict[str, str]) -> Response:
        sub, group = params["subscriptionId"], params["resourceGroupName"]
        gallery, definition, name = (
            params["galleryName"],
            params["galleryImageName"],
            params["galleryImageVersionName"],
        )
        body = body_object(request)
        properties = self.properties_of(body)
        key = _key(sub, group, gallery, definition, name)
        with self.store.changing():
            parent = self.require_definition(sub, group, gallery, definition)
            location = self.location_of(body, parent["location"])
            profile = dict(properties.get("publishingProfile") or {})
            targets = profile.get("targetRegions") or [{"name": location}]
            profile["targetRegions"] = [
                {
                    "name": display_region(str(t.get("name", ""))),
                    "regionalReplicaCount": t.get("regionalReplicaCount", 1),
                    "storageAccountType": t.get("storageAccountType", "Standard_LRS"),
                }
                for t in targets
                if isinstance(t, Mapping)
            ]
            profile.setdefault("replicaCount", 1)
            profile.setdefault("excludeFromLatest", False)
            profile.setdefault("publishedDate", now_iso())
            profile.setdefault("storageAccountType", "Standard_LRS")
            properties["publishingProfile"] = profile
            existed = key in _table(self.store, "versions")
            stored = {
                "id": f"{parent['id']}/versions/{name}",
                "name": name,
                "type": _TYPES["versions"],
                "location": location,
                "tags": dict(body.get("tags") or {}),
                "properties": properties,
            }
            _table(self.store, "versions")[key] = stored
            return self.created(request, "versions", key, stored, existed, sub, "capsOperations")

    def get_version(self, request: Request, params: dict[str, str]) -> Response:
        sub, group = params["subscriptionId"], params["resourceGroupName"]
        gallery, definition, name = (
            params["galleryName"],
            params["galleryImageName"],
            params["galleryImageVersionName"],
        )
        with self.store.locked():
            self.require_definition(sub, group, gallery, definition)
            version = _table(self.store, "versions").get(_key(sub, group, gallery, definition, name))
            if version is None:
                raise resource_not_found(
                    f"{_TYPES['galleries']}/{gallery}/images/{definition}/versions", name, group
                )
            return Response.json(200, version)

    # -- platform images --------------------------------------------------------------------------------
    def artifact(self, sub: str, location: str, name: str, *path: str) -> dict[str, Any]:
        names = ("Publishers", "ArtifactTypes/VMImage/Offers", "Skus", "Versions")
        tail = "".join(f"/{label}/{value}" for label, value in zip(names, path, strict=False))
        return {
            "location": short_region(location),
            "name": name,
            "id": f"/Subscriptions/{sub}/Providers/Microsoft.Compute/Locations/{short_region(location)}"
            + tail,
        }

    def list_publishers(self, request: Request, params: dict[str, str]) -> Response:
        sub, location = params["subscriptionId"], params["location"]
        names = sorted({key[0] for key in PLATFORM_IMAGES})
        return Response.json(200, [self.artifact(sub, location, n, n) for n in names])

    def list_offers(self, request: Request, params: dict[str, str]) -> Response:
        sub, location, publisher = params["subscriptionId"], params["location"], params["publisherName"]
        keys = _catalogue_lookup(publisher)
        if not keys:
            raise _not_found_artifact()
        offers = sorted({k[1] for k in keys})
        return Response.json(200, [self.artifact(sub, location, o, keys[0][0], o) for o in offers])

    def list_skus(self, request: Request, params: dict[str, str]) -> Response:
        sub, location = params["subscriptionId"], params["location"]
        keys = _catalogue_lookup(params["publisherName"], params["offer"])
        if not keys:
            raise _not_found_artifact()
        return Response.json(200, [self.artifact(sub, location, k[2], *k) for k in sorted(keys)])

    def list_versions(self, request: Request, params: dict[str, str]) -> Response:
        sub, location = params["subscriptionId"], params["location"]
        keys = _catalogue_lookup(params["publisherName"], params["offer"], params["skus"])
        if not keys:
            raise _not_found_artifact()
        key = keys[0]
        versions = PLATFORM_IMAGES[key][1]
        # The service lists versions in text order; callers must sort numerically themselves.
        return Response.json(200, [self.artifact(sub, location, v, *key, v) for v in sorted(versions)])

    def get_platform_version(self, request: Request, params: dict[str, str]) -> Response:
        sub, location = params["subscriptionId"], params["location"]
        keys = _catalogue_lookup(params["publisherName"], params["offer"], params["skus"])
        version = params["version"]
        if not keys or version not in PLATFORM_IMAGES[keys[0]][1]:
            raise _not_found_artifact()
        os_type = PLATFORM_IMAGES[keys[0]][0]
        body = self.artifact(sub, location, version, *keys[0], version)
        body["properties"] = {
            "hyperVGeneration": "V1",
            "architecture": "x64",
            "osDiskImage": {"operatingSystem": os_type, "sizeInGb": 30 if os_type == "Linux" else 127},
            "dataDiskImages": [],
            "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": False},
        }
        return Response.json(200, body)


register = ComputeProvider.registrar()
