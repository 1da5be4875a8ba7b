"""Where a build starts: a Marketplace image, a managed image or a Shared Image Gallery version."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Field, Tag

from ._base import TypedWireModel


class PlatformImageSource(TypedWireModel):
    """A Marketplace (platform) image; ``version="latest"`` is resolved when the build runs.

    Example:
        >>> PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS").to_wire()
        {'type': 'PlatformImage', 'publisher': 'Canonical', 'offer': 'UbuntuServer', 'sku': '18.04-LTS', \
'version': 'latest'}
    """

    _type_spellings: ClassVar[tuple[str, ...]] = ("PlatformImage",)
    type: str = "PlatformImage"
    publisher: str | None = None
    offer: str | None = None
    sku: str | None = None
    version: str | None = "latest"


class ManagedImageSource(TypedWireModel):
    """An existing managed image (generalized), in the same region as the template.

    Example:
        >>> ManagedImageSource(image_id="/subscriptions/s/resourceGroups/rg/providers/.../images/i")
        ManagedImageSource(image_id='/subscriptions/s/resourceGroups/rg/providers/.../images/i')
    """

    _type_spellings: ClassVar[tuple[str, ...]] = ("ManagedImage",)
    type: str = "ManagedImage"
    image_id: str


class SharedImageVersionSource(TypedWireModel):
    """An image version in a Shared Image Gallery, replicated to the template's region.

    The document spells the field ``imageVersionID``; it is written ``imageVersionId`` (names match
    case-insensitively).

    Example:
        >>> SharedImageVersionSource(image_version_id="/subscriptions/s/.../versions/1.0.0").type
        'SharedImageVersion'
    """

    _type_spellings: ClassVar[tuple[str, ...]] = ("SharedImageVersion",)
    type: str = "SharedImageVersion"
    image_version_id: str


class UnknownSource(TypedWireModel):
    """A source of a type this library does not model (an old ISO source, a future type), read from the
    service so that listing templates never fails; its fields are in ``model_extra``. ``validate`` refuses it.

    Example:
        >>> UnknownSource.model_validate({"type": "ISO", "sourceUri": "https://e.com/r.iso"}).to_wire()
        {'type': 'ISO', 'sourceUri': 'https://e.com/r.iso'}
    """

    type: str


SOURCE_TYPES: dict[str, type[TypedWireModel]] = {
    "platformimage": PlatformImageSource,
    "managedimage": ManagedImageSource,
    "sharedimageversion": SharedImageVersionSource,
}


def tagger(known: dict[str, type[TypedWireModel]]) -> Any:
    """The discriminator of a family: the lower-cased ``type`` when known, else ``"unknown"``."""

    def tag(value: Any) -> str | None:
        if isinstance(value, TypedWireModel):
            return value.type.lower() if type(value) in known.values() else "unknown"
        if not isinstance(value, dict):
            return None
        raw = value.get("type")
        if raw is None:
            raw = next((v for k, v in value.items() if isinstance(k, str) and k.lower() == "type"), None)
        if not isinstance(raw, str):
            return None
        return raw.lower() if raw.lower() in known else "unknown"

    return tag


#: Any source; a dict of the wire shape is accepted too.
Source = Annotated[
    Annotated[PlatformImageSource, Tag("platformimage")]
    | Annotated[ManagedImageSource, Tag("managedimage")]
    | Annotated[SharedImageVersionSource, Tag("sharedimageversion")]
    | Annotated[UnknownSource, Tag("unknown")],
    Discriminator(tagger(SOURCE_TYPES)),
    Field(description="The image the build starts from."),
]
