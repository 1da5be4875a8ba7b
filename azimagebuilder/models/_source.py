"""Where a build starts: a Marketplace image, a managed image or a Shared Image Gallery version."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Field, Tag

from .. import _fields as D
from ._base import TypedWireModel, WireModel, read_only


class PlatformImagePurchasePlan(WireModel):
    """The Marketplace purchase plan of a platform image that has one (api-version 2020-02-14 and later).

    Example:
        >>> PlatformImagePurchasePlan(plan_name="p", plan_product="o", plan_publisher="pub").to_wire()
        {'planName': 'p', 'planProduct': 'o', 'planPublisher': 'pub'}
    """

    plan_name: str
    plan_product: str
    plan_publisher: str


class PlatformImageSource(TypedWireModel):
    """A Marketplace (platform) image; ``version="latest"`` is resolved when the build runs.

    Example:
        >>> PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS").to_wire()
        {'type': 'PlatformImage', 'publisher': 'Canonical', 'offer': 'UbuntuServer', 'sku': '18.04-LTS', \
'version': 'latest'}
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.PLATFORM_IMAGE_SOURCE.tags
    _read_only: ClassVar[frozenset[str]] = read_only(D.PLATFORM_IMAGE_SOURCE)
    type: str = D.PLATFORM_IMAGE_SOURCE.tag
    publisher: str | None = None
    offer: str | None = None
    sku: str | None = None
    version: str | None = "latest"
    #: The Marketplace plan, for images that have one (2020-02-14 and later).
    plan_info: PlatformImagePurchasePlan | None = None
    #: Read-only: the version the service resolved ``"latest"`` to (2021-10-01 and later).
    exact_version: str | None = None


class ManagedImageSource(TypedWireModel):
    """An existing managed image (generalized), in the same region as the template.

    Example:
        >>> ManagedImageSource(image_id="/subscriptions/s/resourceGroups/rg/providers/.../images/i")
        ManagedImageSource(image_id='/subscriptions/s/resourceGroups/rg/providers/.../images/i')
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.MANAGED_IMAGE_SOURCE.tags
    type: str = D.MANAGED_IMAGE_SOURCE.tag
    image_id: str


class SharedImageVersionSource(TypedWireModel):
    """An image version in a Shared Image Gallery, replicated to the template's region.

    The document spells the field ``imageVersionID``; it is written ``imageVersionId`` (names match
    case-insensitively).

    Example:
        >>> SharedImageVersionSource(image_version_id="/subscriptions/s/.../versions/1.0.0").type
        'SharedImageVersion'
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.SHARED_IMAGE_VERSION_SOURCE.tags
    _read_only: ClassVar[frozenset[str]] = read_only(D.SHARED_IMAGE_VERSION_SOURCE)
    type: str = D.SHARED_IMAGE_VERSION_SOURCE.tag
    image_version_id: str
    #: Read-only: the image version the build used (2022-07-01 and later).
    exact_version: str | None = None


class UnknownSource(TypedWireModel):
    """A source of a type this library does not model (an old ISO source, a future type), read from the
    service so that listing templates never fails; its fields are in ``model_extra``. ``validate`` refuses it.

    Example:
        >>> UnknownSource.model_validate({"type": "ISO", "sourceUri": "https://e.com/r.iso"}).to_wire()
        {'type': 'ISO', 'sourceUri': 'https://e.com/r.iso'}
    """

    type: str


def types_of(*models: type[TypedWireModel]) -> dict[str, type[TypedWireModel]]:
    """The members of a family by their lower-cased type tag (the discriminators' keys)."""
    return {model._type_spellings[0].lower(): model for model in models}


SOURCE_TYPES = types_of(PlatformImageSource, ManagedImageSource, SharedImageVersionSource)


def tagger(known: dict[str, type[TypedWireModel]], field: str = "type") -> Any:
    """The discriminator of a family: the lower-cased tag (``type``) when known, else ``"unknown"``."""

    def tag(value: Any) -> str | None:
        if isinstance(value, TypedWireModel):
            return value.type.lower() if type(value) in known.values() else "unknown"
        if not isinstance(value, dict):
            return None
        raw = value.get(field)
        if raw is None:
            raw = next((v for k, v in value.items() if isinstance(k, str) and k.lower() == field), None)
        if not isinstance(raw, str):
            return None
        return raw.lower() if raw.lower() in known else "unknown"

    return tag


#: Any source; a dict of the wire shape is accepted too.
Source = Annotated[
    Annotated[PlatformImageSource, Tag(D.PLATFORM_IMAGE_SOURCE.key)]
    | Annotated[ManagedImageSource, Tag(D.MANAGED_IMAGE_SOURCE.key)]
    | Annotated[SharedImageVersionSource, Tag(D.SHARED_IMAGE_VERSION_SOURCE.key)]
    | Annotated[UnknownSource, Tag("unknown")],
    Discriminator(tagger(SOURCE_TYPES)),
    Field(description="The image the build starts from."),
]
