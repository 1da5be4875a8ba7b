"""Where a finished image goes: a managed image, a Shared Image Gallery, or a VHD."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Discriminator, Tag

from ._base import ArmExpression, Map, Seq, TypedWireModel
from ._source import tagger


class ManagedImageDistributor(TypedWireModel):
    """Write the image as a managed image ``image_id`` in ``location``.

    The document spells the type ``managedImage``, the REST API ``ManagedImage``; both are kept as written.

    Example:
        >>> ManagedImageDistributor(
        ...     image_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/img",
        ...     location="westus2",
        ...     run_output_name="img",
        ... ).run_output_name
        'img'
    """

    _type_spellings: ClassVar[tuple[str, ...]] = ("ManagedImage", "managedImage")
    type: str = "ManagedImage"
    image_id: str
    location: str
    run_output_name: str
    artifact_tags: Map[str, str] | None = None


class SharedImageDistributor(TypedWireModel):
    """Publish a new image version to a Shared Image Gallery image definition, replicated to regions.

    Example:
        >>> SharedImageDistributor(
        ...     gallery_image_id="/subscriptions/s/resourceGroups/rg/providers/"
        ...     "Microsoft.Compute/galleries/g/images/d",
        ...     run_output_name="sig",
        ...     replication_regions=["westus2"],
        ... ).replication_regions
        ('westus2',)
    """

    _type_spellings: ClassVar[tuple[str, ...]] = ("SharedImage", "sharedImage")
    type: str = "SharedImage"
    gallery_image_id: str
    run_output_name: str
    replication_regions: Seq[str] | ArmExpression | None = None
    artifact_tags: Map[str, str] | None = None


class VhdDistributor(TypedWireModel):
    """Leave the image as a VHD in the staging resource group; copy it out before deleting the template.

    Example:
        >>> VhdDistributor(run_output_name="vhd", tags={"env": "dev"}).to_wire()
        {'type': 'VHD', 'runOutputName': 'vhd', 'tags': {'env': 'dev'}}
    """

    _type_spellings: ClassVar[tuple[str, ...]] = ("VHD",)
    type: str = "VHD"
    run_output_name: str
    artifact_tags: Map[str, str] | None = None
    tags: Map[str, str] | None = None


class UnknownDistributor(TypedWireModel):
    """A distributor of a type this library does not model, read from the service; ``validate`` refuses it."""

    type: str
    run_output_name: str | None = None
    artifact_tags: Map[str, str] | None = None


DISTRIBUTOR_TYPES: dict[str, type[TypedWireModel]] = {
    "managedimage": ManagedImageDistributor,
    "sharedimage": SharedImageDistributor,
    "vhd": VhdDistributor,
}

#: Any distributor; a dict of the wire shape is accepted too.
Distributor = Annotated[
    Annotated[ManagedImageDistributor, Tag("managedimage")]
    | Annotated[SharedImageDistributor, Tag("sharedimage")]
    | Annotated[VhdDistributor, Tag("vhd")]
    | Annotated[UnknownDistributor, Tag("unknown")],
    Discriminator(tagger(DISTRIBUTOR_TYPES)),
]
