"""Source images and distribution targets: the Microsoft.Compute side of a template.

Sources: resolve a PlatformImage ``latest`` to the concrete version Azure would pick, list platform images,
and check that a ManagedImage or SharedImageVersion source exists in (or is replicated to) the template's
region. Targets: check that a destination resource group exists, create the Shared Image Gallery and image
definition a ``sharedImage`` distribution needs, and check that ``replicationRegions`` include the gallery's
own region (the template document requires it).

The ``check_*`` functions return :class:`~azimagebuilder.validation.Problem` lists, with the template's JSON
paths, exactly as :func:`azimagebuilder.validate` does; :func:`azimagebuilder.resources.preflight` runs
them all.

Example:
    >>> from azimagebuilder.resources.compute import latest_platform_image_version
    >>> latest_platform_image_version(
    ...     credential, sub, "westus2", "Canonical", "UbuntuServer", "18.04-LTS"
    ... )  # doctest: +SKIP
    '18.04.202004290'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from .._constants import ARM_ENDPOINT
from .providers import _mgmt_client, _resource_client

if TYPE_CHECKING:  # pragma: no cover
    from azure.core.credentials import TokenCredential

    from ..validation import Problem

__all__ = [
    "GalleryImage",
    "PlatformImage",
    "check_distribution_targets",
    "check_resource_group",
    "check_source",
    "create_gallery_image",
    "latest_platform_image_version",
    "list_platform_images",
    "normalize_region",
    "replication_regions_problem",
    "resolve_platform_image",
    "version_key",
]

_LOG = logging.getLogger("azimagebuilder.resources.compute")

# Problem codes (stable: tests and users match on them).
SOURCE_IMAGE_NOT_FOUND = "source-image-not-found"
SOURCE_IMAGE_WRONG_REGION = "source-image-wrong-region"
SOURCE_IMAGE_NOT_REPLICATED = "source-image-not-replicated"
SOURCE_IMAGE_ID_INVALID = "source-image-id-invalid"
PLATFORM_IMAGE_NOT_FOUND = "platform-image-not-found"
PLATFORM_IMAGE_VERSION_NOT_FOUND = "platform-image-version-not-found"
TARGET_RESOURCE_GROUP_NOT_FOUND = "target-resource-group-not-found"
TARGET_ID_INVALID = "target-id-invalid"
GALLERY_NOT_FOUND = "gallery-not-found"
GALLERY_IMAGE_NOT_FOUND = "gallery-image-not-found"
REPLICATION_REGIONS_MISSING_GALLERY_REGION = "replication-regions-missing-gallery-region"
CHECK_FAILED = "preflight-check-failed"

_T = TypeVar("_T")


# ---------------------------------------------------------------------------------------------- helpers


def normalize_region(region: str) -> str:
    """Compare regions the way ARM does: ``"West US 2"`` and ``"westus2"`` are the same region.

    Example:
        >>> normalize_region("West US 2")
        'westus2'
    """
    return region.replace(" ", "").lower()


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders image versions numerically, part by part (``1.10.0`` after ``1.9.3``).

    Non-numeric parts sort after numeric ones, as text, so odd versions still sort deterministically.

    Example:
        >>> sorted(["18.04.202004290", "18.04.20200429", "18.04.9"], key=version_key)[-1]
        '18.04.202004290'
    """
    parts: list[tuple[int, int | str]] = []
    for part in re.split(r"[.\-]", version):
        parts.append((0, int(part)) if part.isdigit() else (1, part))
    return tuple(parts)


def _problem(path: str, code: str, message: str, severity: str = "error") -> Problem:
    from ..validation import Problem

    return Problem(path=path, code=code, message=message, severity=severity)  # type: ignore[arg-type]


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    """Case-insensitive look-up: documents in the wild spell ``imageVersionID`` and ``imageVersionId``."""
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    for name, value in mapping.items():
        if name.lower() == lowered:
            return value
    return None


def _as_wire(value: Any) -> dict[str, Any]:
    """A model or a wire-shaped dict -> the wire-shaped dict (camelCase keys)."""
    if isinstance(value, Mapping):
        return dict(value)
    to_wire = getattr(value, "to_wire", None)  # the library's models
    if to_wire is not None:
        wire_form: dict[str, Any] = to_wire()
        return wire_form
    dump = getattr(value, "model_dump", None)
    if dump is None:
        raise TypeError(f"expected a model or a dict, got {type(value).__name__}")
    wire: dict[str, Any] = dump(by_alias=True, mode="json", exclude_none=True)
    return wire


_ARM_EXPRESSION = re.compile(r"^\s*\[(?!\[).*\]\s*$", re.DOTALL)


def _unresolved(*values: Any) -> bool:
    """True when any value is an ARM expression (``"[parameters('x')]"``): only a deployment knows it.

    ``validate`` already warns about them (``arm-expression``); preflight skips what it cannot look up
    rather than report a false error.
    """
    for value in values:
        items = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, str) and _ARM_EXPRESSION.match(v) for v in items):
            return True
    return False


def _parse_id(resource_id: Any) -> dict[str, str] | None:
    from azure.mgmt.core.tools import is_valid_resource_id, parse_resource_id

    if not isinstance(resource_id, str) or not is_valid_resource_id(resource_id):
        return None
    return {k: str(v) for k, v in parse_resource_id(resource_id).items()}


def _compute_client(
    credential: TokenCredential, subscription_id: str, base_url: str, kwargs: Any
) -> AbstractContextManager[Any]:
    from azure.mgmt.compute import ComputeManagementClient

    return _mgmt_client(ComputeManagementClient, credential, subscription_id, base_url, kwargs)


def _error_code(exc: Exception) -> str:
    error = getattr(exc, "error", None)
    return str(getattr(error, "code", None) or getattr(exc, "status_code", "") or type(exc).__name__)


def _check_failed(path: str, what: str, exc: Exception, permission: str) -> Problem:
    # A 403 or a transient fault is not the template's fault: say so, as a warning, with the permission.
    return _problem(
        path,
        CHECK_FAILED,
        f"could not check {what} ({_error_code(exc)}); the caller needs {permission}",
        "warning",
    )


# ---------------------------------------------------------------------------------------- platform images


@dataclass(frozen=True)
class PlatformImage:
    """One Marketplace (platform) image version in one region.

    Example:
        >>> PlatformImage("westus2", "Canonical", "UbuntuServer", "18.04-LTS", "18.04.202004290").urn
        'Canonical:UbuntuServer:18.04-LTS:18.04.202004290'
    """

    location: str
    publisher: str
    offer: str
    sku: str
    version: str

    @property
    def urn(self) -> str:
        """The ``publisher:offer:sku:version`` form the Azure CLI uses."""
        return f"{self.publisher}:{self.offer}:{self.sku}:{self.version}"


def list_platform_images(
    credential: TokenCredential,
    subscription_id: str,
    location: str,
    publisher: str,
    offer: str | None = None,
    sku: str | None = None,
    *,
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> list[PlatformImage]:
    """List platform image versions of a publisher (narrowed to an offer and sku), oldest version first.

    Walks ``publishers/{p}/artifacttypes/vmimage/offers[/{o}/skus[/{s}/versions]]`` under
    ``/subscriptions/{id}/providers/Microsoft.Compute/locations/{region}``. Needs
    ``Microsoft.Compute/locations/publishers/artifacttypes/offers/skus/versions/read`` (any Reader).

    Example:
        >>> images = list_platform_images(
        ...     credential, sub, "westus2", "Canonical", "UbuntuServer", "18.04-LTS"
        ... )  # doctest: +SKIP
        >>> images[-1].version  # doctest: +SKIP
        '18.04.202004290'
    """
    images: list[PlatformImage] = []
    with _compute_client(credential, subscription_id, base_url, kwargs) as client:
        vmi = client.virtual_machine_images
        offers = [offer] if offer else [o.name for o in vmi.list_offers(location, publisher)]
        for offer_name in offers:
            skus = [sku] if sku else [s.name for s in vmi.list_skus(location, publisher, offer_name)]
            for sku_name in skus:
                versions = sorted(
                    (v.name for v in vmi.list(location, publisher, offer_name, sku_name)), key=version_key
                )
                images += [PlatformImage(location, publisher, offer_name, sku_name, v) for v in versions]
    return images


def latest_platform_image_version(
    credential: TokenCredential,
    subscription_id: str,
    location: str,
    publisher: str,
    offer: str,
    sku: str,
    *,
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> str:
    """The concrete version ``latest`` stands for: the highest version, in numeric order, in ``location``.

    Raises ``azure.core.exceptions.ResourceNotFoundError`` when the publisher, offer or sku is unknown in
    the region or has no versions.

    Example:
        >>> latest_platform_image_version(
        ...     credential, sub, "westus2", "Canonical", "UbuntuServer", "18.04-LTS"
        ... )  # doctest: +SKIP
        '18.04.202004290'
    """
    from azure.core.exceptions import ResourceNotFoundError

    images = list_platform_images(
        credential, subscription_id, location, publisher, offer, sku, base_url=base_url, **kwargs
    )
    if not images:
        raise ResourceNotFoundError(f"no versions of {publisher}:{offer}:{sku} in {location}")
    return images[-1].version


def resolve_platform_image(
    credential: TokenCredential,
    subscription_id: str,
    source: _T,
    location: str,
    *,
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> _T:
    """Return the PlatformImage source with ``version: latest`` replaced by its concrete version.

    Takes a ``PlatformImageSource`` (returns a copy) or its wire dict (returns a new dict). A concrete
    version is returned unchanged. Pinning the version makes a rebuild reproducible; keep ``latest`` when a
    scheduled rebuild should pick up new images.

    Example:
        >>> pinned = resolve_platform_image(credential, sub, template.source, template.location)
        ... # doctest: +SKIP
        >>> pinned.version  # doctest: +SKIP
        '18.04.202004290'
    """
    wire = _as_wire(source)
    version = _get(wire, "version")
    if str(version).lower() != "latest":
        return source
    concrete = latest_platform_image_version(
        credential,
        subscription_id,
        location,
        _get(wire, "publisher"),
        _get(wire, "offer"),
        _get(wire, "sku"),
        base_url=base_url,
        **kwargs,
    )
    if isinstance(source, Mapping):
        key = next((k for k in source if k.lower() == "version"), "version")
        return {**source, key: concrete}  # type: ignore[return-value]
    copied: _T = source.model_copy(update={"version": concrete})  # type: ignore[attr-defined]
    return copied


# ------------------------------------------------------------------------------------------------ sources


def check_source(
    credential: TokenCredential,
    subscription_id: str,
    source: Any,
    location: str,
    *,
    path: str = "properties.source",
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> list[Problem]:
    """Check that the template's source image exists and can be used in ``location`` (the template's region).

    - PlatformImage: the publisher/offer/sku has versions in the region; a pinned version exists.
    - ManagedImage: ``imageId`` exists and is in the template's region (the document requires it).
    - SharedImageVersion: ``imageVersionId`` exists and is replicated to the template's region.

    ``source`` is a source model or its wire dict. Needs read access to the image (Reader on its resource
    group); a 403 is reported as a ``preflight-check-failed`` warning naming the permission.

    Example:
        >>> problems = check_source(credential, sub, {"type": "ManagedImage", "imageId": image_id}, "westus2")
        ... # doctest: +SKIP
        >>> [p.code for p in problems]  # doctest: +SKIP
        ['source-image-wrong-region']
    """
    wire = _as_wire(source)
    kind = str(_get(wire, "type") or "").lower()
    fields = ("imageId", "imageVersionId", "publisher", "offer", "sku", "version")
    if _unresolved(location, *(_get(wire, f) for f in fields)):
        return []
    client_subscription = subscription_id
    id_key = {"managedimage": "imageId", "sharedimageversion": "imageVersionId"}.get(kind)
    parts = _parse_id(_get(wire, id_key)) if id_key else None
    if parts and parts.get("subscription"):
        client_subscription = parts["subscription"]  # a source image may live in another subscription
    with _compute_client(credential, client_subscription, base_url, kwargs) as client:
        if kind == "platformimage":
            return _check_platform_source(client, wire, location, path)
        if kind == "managedimage":
            return _check_managed_image_source(client, wire, location, path)
        if kind == "sharedimageversion":
            return _check_shared_image_version_source(client, wire, location, path)
    return []  # other source types (ISO, ...) have nothing to look up


def _check_platform_source(client: Any, wire: Mapping[str, Any], location: str, path: str) -> list[Problem]:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    publisher, offer, sku = _get(wire, "publisher"), _get(wire, "offer"), _get(wire, "sku")
    version = str(_get(wire, "version") or "latest")
    urn = f"{publisher}:{offer}:{sku}"
    vmi = client.virtual_machine_images
    try:
        versions = [v.name for v in vmi.list(location, publisher, offer, sku)]
    except ResourceNotFoundError:
        versions = []
    except HttpResponseError as exc:
        return [_check_failed(path, f"platform image {urn}", exc, "Reader on the subscription")]
    if not versions:
        return [
            _problem(
                path,
                PLATFORM_IMAGE_NOT_FOUND,
                f"no platform image {urn} in {location}; list what exists with "
                f"list_platform_images(credential, subscription_id, {location!r}, {publisher!r}) or "
                f"`az vm image list -l {location} -p {publisher} --all`",
            )
        ]
    if version.lower() != "latest" and version not in versions:
        newest = max(versions, key=version_key)
        return [
            _problem(
                f"{path}.version",
                PLATFORM_IMAGE_VERSION_NOT_FOUND,
                f"version {version} of {urn} does not exist in {location}; use 'latest' or an existing "
                f"version such as {newest}",
            )
        ]
    return []


def _check_managed_image_source(
    client: Any, wire: Mapping[str, Any], location: str, path: str
) -> list[Problem]:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    id_path = f"{path}.imageId"
    image_id = _get(wire, "imageId")
    parts = _parse_id(image_id)
    if parts is None or parts.get("type", "").lower() != "images":
        return [
            _problem(
                id_path,
                SOURCE_IMAGE_ID_INVALID,
                "imageId must be a managed image resource id: /subscriptions/<id>/resourceGroups/<group>/"
                "providers/Microsoft.Compute/images/<name>",
            )
        ]
    try:
        image = client.images.get(parts["resource_group"], parts["name"])
    except ResourceNotFoundError:
        return [
            _problem(
                id_path,
                SOURCE_IMAGE_NOT_FOUND,
                f"managed image {parts['name']} was not found in resource group {parts['resource_group']}; "
                "check the id (`az image list`) or build the source image first",
            )
        ]
    except HttpResponseError as exc:
        return [_check_failed(id_path, "the managed image", exc, "Microsoft.Compute/images/read")]
    if normalize_region(image.location or "") != normalize_region(location):
        return [
            _problem(
                id_path,
                SOURCE_IMAGE_WRONG_REGION,
                f"managed image {parts['name']} is in {image.location} but the template is in {location}; "
                "a ManagedImage source must be in the template's region: move the template or copy the image",
            )
        ]
    return []


def _check_shared_image_version_source(
    client: Any, wire: Mapping[str, Any], location: str, path: str
) -> list[Problem]:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    id_path = f"{path}.imageVersionId"
    version_id = _get(wire, "imageVersionId")
    parts = _parse_id(version_id)
    if parts is None or parts.get("child_type_2", "").lower() != "versions":
        return [
            _problem(
                id_path,
                SOURCE_IMAGE_ID_INVALID,
                "imageVersionId must be a gallery image version id: /subscriptions/<id>/resourceGroups/"
                "<group>/providers/Microsoft.Compute/galleries/<gallery>/images/<definition>/versions/<version>",
            )
        ]
    gallery, definition, version = parts["name"], parts["child_name_1"], parts["child_name_2"]
    try:
        image_version = client.gallery_image_versions.get(
            parts["resource_group"], gallery, definition, version
        )
    except ResourceNotFoundError:
        return [
            _problem(
                id_path,
                SOURCE_IMAGE_NOT_FOUND,
                f"image version {version} of {gallery}/{definition} was not found; list versions with "
                f"`az sig image-version list -r {gallery} -i {definition} -g {parts['resource_group']}`",
            )
        ]
    except HttpResponseError as exc:
        return [
            _check_failed(
                id_path, "the gallery image version", exc, "Microsoft.Compute/galleries/images/versions/read"
            )
        ]
    regions = _replicated_regions(image_version)
    if normalize_region(location) not in regions:
        return [
            _problem(
                id_path,
                SOURCE_IMAGE_NOT_REPLICATED,
                f"image version {version} of {gallery}/{definition} is not replicated to {location} "
                f"(it is in {', '.join(sorted(regions)) or 'no region'}); add {location} to its target "
                "regions "
                "(`az sig image-version update --add publishingProfile.targetRegions name=...`)",
            )
        ]
    return []


def _replicated_regions(image_version: Any) -> set[str]:
    regions = {normalize_region(image_version.location or "")}
    profile = getattr(getattr(image_version, "properties", None), "publishing_profile", None)
    if profile is None:  # older SDK models flatten properties
        profile = getattr(image_version, "publishing_profile", None)
    for target in getattr(profile, "target_regions", None) or []:
        regions.add(normalize_region(target.name or ""))
    regions.discard("")
    return regions


# ------------------------------------------------------------------------------------------------ targets


def check_resource_group(
    credential: TokenCredential,
    subscription_id: str,
    resource_group: str,
    *,
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> bool:
    """True when the resource group exists (``HEAD /subscriptions/{id}/resourcegroups/{name}``).

    Needs ``Microsoft.Resources/subscriptions/resourceGroups/read``.

    Example:
        >>> check_resource_group(credential, sub, "imageRG")  # doctest: +SKIP
        True
    """
    with _resource_client(credential, subscription_id, base_url, kwargs) as client:
        return bool(client.resource_groups.check_existence(resource_group))


def replication_regions_problem(
    replication_regions: Sequence[str] | None, gallery_location: str, *, path: str
) -> Problem | None:
    """The document's rule for ``sharedImage``: one replication region must be the gallery's own region.

    ``path`` is the distributor's JSON path (``properties.distribute[0]``). Pure: no Azure call.

    Example:
        >>> replication_regions_problem(["eastus"], "westus2", path="properties.distribute[0]").code
        'replication-regions-missing-gallery-region'
        >>> replication_regions_problem(["West US 2"], "westus2", path="properties.distribute[0]") is None
        True
    """
    regions = {normalize_region(r) for r in replication_regions or [] if isinstance(r, str)}
    if normalize_region(gallery_location) in regions:
        return None
    return _problem(
        f"{path}.replicationRegions",
        REPLICATION_REGIONS_MISSING_GALLERY_REGION,
        f"replicationRegions must include the gallery's region {gallery_location}; add "
        f"{normalize_region(gallery_location)!r} to the list",
    )


def check_distribution_targets(
    credential: TokenCredential,
    subscription_id: str,
    distribute: Iterable[Any],
    *,
    path: str = "properties.distribute",
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> list[Problem]:
    """Check each distribution target: destination resource group, gallery, image definition, regions.

    - managedImage: the resource group in ``imageId`` exists (the document: "must exist").
    - sharedImage: the resource group, gallery and image definition in ``galleryImageId`` exist, and
      ``replicationRegions`` include the gallery's region.
    - VHD: nothing to check.

    Needs read access on the destination resource groups and galleries.

    Example:
        >>> [p.code for p in check_distribution_targets(credential, sub, template.to_arm()["properties"]
        ...     ["distribute"])]  # doctest: +SKIP
        ['gallery-image-not-found']
    """
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    problems: list[Problem] = []
    groups_seen: dict[str, bool] = {}
    with ExitStack() as stack:
        # Targets may be in other subscriptions than the template: one client pair per subscription.
        clients: dict[str, tuple[Any, Any]] = {}

        def clients_for(subscription: str) -> tuple[Any, Any]:
            if subscription.lower() not in clients:
                clients[subscription.lower()] = (
                    stack.enter_context(_resource_client(credential, subscription, base_url, kwargs)),
                    stack.enter_context(_compute_client(credential, subscription, base_url, kwargs)),
                )
            return clients[subscription.lower()]

        def group_exists(subscription: str, name: str) -> bool:
            key = f"{subscription}/{name}".lower()
            if key not in groups_seen:
                resources = clients_for(subscription)[0]
                groups_seen[key] = bool(resources.resource_groups.check_existence(name))
            return groups_seen[key]

        for index, item in enumerate(distribute):
            wire = _as_wire(item)
            here = f"{path}[{index}]"
            kind = str(_get(wire, "type") or "").lower()
            key = {"managedimage": "imageId", "sharedimage": "galleryImageId"}.get(kind)
            if key is None or _unresolved(_get(wire, key)):
                continue
            parts = _parse_id(_get(wire, key))
            if parts is None or not parts.get("resource_group"):
                problems.append(
                    _problem(f"{here}.{key}", TARGET_ID_INVALID, f"{key} must be a full Azure resource id")
                )
                continue
            group = parts["resource_group"]
            target_subscription = parts.get("subscription") or subscription_id
            compute = clients_for(target_subscription)[1]
            try:
                if not group_exists(target_subscription, group):
                    problems.append(
                        _problem(
                            f"{here}.{key}",
                            TARGET_RESOURCE_GROUP_NOT_FOUND,
                            f"destination resource group {group} does not exist; create it first "
                            f"(`az group create -n {group} -l <region>`)",
                        )
                    )
                    continue
            except HttpResponseError as exc:
                problems.append(
                    _check_failed(
                        f"{here}.{key}", "the destination resource group", exc, "Reader on the group"
                    )
                )
                continue
            if kind != "sharedimage":
                continue
            gallery, definition = parts["name"], parts.get("child_name_1")
            try:
                gallery_obj = compute.galleries.get(group, gallery)
            except ResourceNotFoundError:
                problems.append(
                    _problem(
                        f"{here}.galleryImageId",
                        GALLERY_NOT_FOUND,
                        f"gallery {gallery} does not exist in {group}; create it and the image definition "
                        "with create_gallery_image(credential, subscription_id, galleryImageId, ...)",
                    )
                )
                continue
            except HttpResponseError as exc:
                problems.append(
                    _check_failed(
                        f"{here}.galleryImageId", "the gallery", exc, "Microsoft.Compute/galleries/read"
                    )
                )
                continue
            if definition:
                try:
                    compute.gallery_images.get(group, gallery, definition)
                except ResourceNotFoundError:
                    problems.append(
                        _problem(
                            f"{here}.galleryImageId",
                            GALLERY_IMAGE_NOT_FOUND,
                            f"image definition {definition} does not exist in gallery {gallery}; create it "
                            "with create_gallery_image(credential, subscription_id, galleryImageId, ...)",
                        )
                    )
                except HttpResponseError as exc:
                    problems.append(
                        _check_failed(
                            f"{here}.galleryImageId",
                            "the image definition",
                            exc,
                            "Microsoft.Compute/galleries/images/read",
                        )
                    )
            regions = _get(wire, "replicationRegions")
            if _unresolved(regions):
                continue
            regions_problem = replication_regions_problem(regions, gallery_obj.location or "", path=here)
            if regions_problem is not None:
                problems.append(regions_problem)
    return problems


@dataclass(frozen=True)
class GalleryImage:
    """The gallery image definition a ``sharedImage`` distribution writes to.

    ``id`` goes into the distributor's ``galleryImageId``; ``gallery_location`` belongs in its
    ``replicationRegions``.
    """

    id: str
    gallery_location: str
    os_type: str
    os_state: str


def create_gallery_image(
    credential: TokenCredential,
    subscription_id: str,
    gallery_image_id: str,
    *,
    location: str,
    publisher: str,
    offer: str,
    sku: str,
    os_type: str = "Linux",
    os_state: str = "Generalized",
    hyper_v_generation: str = "V1",
    polling_interval: float | None = None,
    base_url: str = ARM_ENDPOINT,
    **kwargs: Any,
) -> GalleryImage:
    """Create (or update) the Shared Image Gallery and the image definition named by ``gallery_image_id``.

    ``gallery_image_id`` is the distributor's ``galleryImageId``
    (``/subscriptions/.../resourceGroups/<g>/providers/Microsoft.Compute/galleries/<gallery>/images/<def>``).
    The gallery is created in ``location`` if it does not exist (an existing gallery keeps its region); the
    resource group must exist. ``publisher``/``offer``/``sku`` are the definition's own identifier (any
    names you choose, unique in the gallery). Both calls are long-running PUTs, waited for here; they are
    idempotent. Needs ``Microsoft.Compute/galleries/write`` and ``galleries/images/write`` on the group
    (Contributor).

    Example:
        >>> image = create_gallery_image(credential, sub, gallery_image_id, location="westus2",
        ...     publisher="myCo", offer="ubuntu", sku="18.04")  # doctest: +SKIP
        >>> image.gallery_location  # doctest: +SKIP
        'westus2'
    """
    from azure.core.exceptions import ResourceNotFoundError

    parts = _parse_id(gallery_image_id)
    if parts is None or parts.get("type", "").lower() != "galleries" or not parts.get("child_name_1"):
        raise ValueError(
            "gallery_image_id must look like /subscriptions/<id>/resourceGroups/<group>/providers/"
            f"Microsoft.Compute/galleries/<gallery>/images/<definition>, got {gallery_image_id!r}"
        )
    group, gallery, definition = parts["resource_group"], parts["name"], parts["child_name_1"]
    lro: dict[str, Any] = {} if polling_interval is None else {"polling_interval": polling_interval}
    with _compute_client(credential, subscription_id, base_url, kwargs) as client:
        try:
            gallery_obj = client.galleries.get(group, gallery)
        except ResourceNotFoundError:
            _LOG.info("creating gallery %s in %s", gallery, location)
            gallery_obj = client.galleries.begin_create_or_update(
                group, gallery, {"location": location, "properties": {}}, **lro
            ).result()
        gallery_location = gallery_obj.location or location
        body = {
            "location": gallery_location,
            "properties": {
                "osType": os_type,
                "osState": os_state,
                "hyperVGeneration": hyper_v_generation,
                "identifier": {"publisher": publisher, "offer": offer, "sku": sku},
            },
        }
        _LOG.info("creating image definition %s in gallery %s", definition, gallery)
        image = client.gallery_images.begin_create_or_update(group, gallery, definition, body, **lro).result()
    return GalleryImage(
        id=image.id or gallery_image_id,
        gallery_location=normalize_region(gallery_location),
        os_type=os_type,
        os_state=os_state,
    )
