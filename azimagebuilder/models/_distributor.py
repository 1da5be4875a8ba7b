"""Where a finished image goes: a managed image, a Shared Image Gallery, or a VHD."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Tag

from .. import _fields as D
from ._base import ArmExpression, Map, Seq, TypedWireModel, WireModel
from ._source import LazyFamily, tagger, types_of


class TargetRegion(WireModel):
    """A region a gallery image version is replicated to, with its replica count and storage type
    (2022-07-01 and later; replaces ``replication_regions``).

    Example:
        >>> TargetRegion(name="eastus", replica_count=2, storage_account_type="Standard_ZRS").to_wire()
        {'name': 'eastus', 'replicaCount': 2, 'storageAccountType': 'Standard_ZRS'}
    """

    name: str
    replica_count: int | ArmExpression | None = None
    #: ``Standard_LRS``, ``Standard_ZRS`` or ``Premium_LRS``.
    storage_account_type: str | None = None


class LatestVersioner(WireModel):
    """Version scheme ``Latest``: the next version after the highest one with ``major`` (-1: any major).

    Example:
        >>> LatestVersioner(major=2).to_wire()
        {'scheme': 'Latest', 'major': 2}
    """

    scheme: str = D.LATEST_VERSIONER.tag
    major: int | ArmExpression | None = None


class SourceVersioner(WireModel):
    """Version scheme ``Source``: the version number of the source image.

    Example:
        >>> SourceVersioner().to_wire()
        {'scheme': 'Source'}
    """

    scheme: str = D.SOURCE_VERSIONER.tag


class UnknownVersioner(WireModel):
    """A version scheme this library does not model, read from the service; ``validate`` refuses it."""

    scheme: str


def _scheme(value: Any) -> str:
    if isinstance(value, LatestVersioner | SourceVersioner):
        return value.scheme.lower()
    raw = None
    if isinstance(value, dict):
        raw = next((v for k, v in value.items() if isinstance(k, str) and k.lower() == "scheme"), None)
    known = {m.key for m in D.VERSIONERS.members}
    return raw.lower() if isinstance(raw, str) and raw.lower() in known else "unknown"


#: How a gallery image version is numbered; a dict of the wire shape is accepted too.
Versioner = Annotated[
    Annotated[LatestVersioner, Tag(D.LATEST_VERSIONER.key)]
    | Annotated[SourceVersioner, Tag(D.SOURCE_VERSIONER.key)]
    | Annotated[UnknownVersioner, Tag("unknown")],
    Discriminator(_scheme),
    LazyFamily(_scheme),
]


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

    _type_spellings: ClassVar[tuple[str, ...]] = D.MANAGED_IMAGE_DISTRIBUTOR.tags
    type: str = D.MANAGED_IMAGE_DISTRIBUTOR.tag
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

    _type_spellings: ClassVar[tuple[str, ...]] = D.SHARED_IMAGE_DISTRIBUTOR.tags
    type: str = D.SHARED_IMAGE_DISTRIBUTOR.tag
    gallery_image_id: str
    run_output_name: str
    replication_regions: Seq[str] | ArmExpression | None = None
    artifact_tags: Map[str, str] | None = None
    #: Keep this version out of "latest" (2020-02-14 and later).
    exclude_from_latest: bool | ArmExpression | None = None
    #: ``Standard_LRS``, ``Standard_ZRS`` or (2022-07-01 and later) ``Premium_LRS``.
    storage_account_type: str | None = None
    #: Regions with replica counts (2022-07-01 and later); not together with ``replication_regions``.
    target_regions: Seq[TargetRegion] | ArmExpression | None = None
    #: How the version is numbered (2022-07-01 and later).
    versioning: Versioner | None = None
    #: ``Full`` or ``Shallow`` replication (2025-10-01 and later).
    replication_mode: str | None = None


class VhdDistributor(TypedWireModel):
    """Leave the image as a VHD in the staging resource group; copy it out before deleting the template.

    Example:
        >>> VhdDistributor(run_output_name="vhd", tags={"env": "dev"}).to_wire()
        {'type': 'VHD', 'runOutputName': 'vhd', 'tags': {'env': 'dev'}}
    """

    _type_spellings: ClassVar[tuple[str, ...]] = D.VHD_DISTRIBUTOR.tags
    type: str = D.VHD_DISTRIBUTOR.tag
    run_output_name: str
    artifact_tags: Map[str, str] | None = None
    tags: Map[str, str] | None = None
    #: The blob URL to write the VHD to, instead of the staging storage account (2022-07-01 and later).
    uri: str | None = None


class UnknownDistributor(TypedWireModel):
    """A distributor of a type this library does not model, read from the service; ``validate`` refuses it."""

    type: str
    run_output_name: str | None = None
    artifact_tags: Map[str, str] | None = None


DISTRIBUTOR_TYPES = types_of(ManagedImageDistributor, SharedImageDistributor, VhdDistributor)

#: Any distributor; a dict of the wire shape is accepted too.
Distributor = Annotated[
    Annotated[ManagedImageDistributor, Tag(D.MANAGED_IMAGE_DISTRIBUTOR.key)]
    | Annotated[SharedImageDistributor, Tag(D.SHARED_IMAGE_DISTRIBUTOR.key)]
    | Annotated[VhdDistributor, Tag(D.VHD_DISTRIBUTOR.key)]
    | Annotated[UnknownDistributor, Tag("unknown")],
    Discriminator(tagger(DISTRIBUTOR_TYPES)),
    LazyFamily(tagger(DISTRIBUTOR_TYPES)),
]
