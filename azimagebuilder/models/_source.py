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


SOURCE_TYPES: dict[str, type[TypedWireModel]] = {
    "platformimage": PlatformImageSource,
    "managedimage": ManagedImageSource,
    "sharedimageversion": SharedImageVersionSource,
}


def type_tag(value: Any) -> str | None:
    """The lower-cased ``type`` of a model or a wire dict (``None`` when it has none)."""
    raw = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if isinstance(value, dict) and raw is None:
        raw = next((v for k, v in value.items() if isinstance(k, str) and k.lower() == "type"), None)
    return raw.lower() if isinstance(raw, str) else None


#: Any source; a dict of the wire shape is accepted too.
Source = Annotated[
    Annotated[PlatformImageSource, Tag("platformimage")]
    | Annotated[ManagedImageSource, Tag("managedimage")]
    | Annotated[SharedImageVersionSource, Tag("sharedimageversion")],
    Discriminator(type_tag),
    Field(description="The image the build starts from."),
]
