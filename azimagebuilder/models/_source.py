"""Where a build starts: a Marketplace image, a managed image or a Shared Image Gallery version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import Discriminator, Field, Tag

from .. import _fields as D
from ._base import TypedWireModel, WireModel, read_only

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails, InitErrorDetails


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


class LazyFamily:
    """Validates a family (a discriminated union) through its chosen member only.

    pydantic builds a discriminated union's schema with every member's, so the first template built
    every source, customizer, validator, distributor and versioner. Placed last in the union's
    ``Annotated`` metadata, this validates with the member the tag names (its schema built on first
    use); the errors are the member's, under the tag, as pydantic's union gives them. Serialization is
    the member's own.
    """

    def __init__(self, discriminator: Any) -> None:
        self.discriminator = discriminator

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from typing import get_args

        from pydantic import ValidationError
        from pydantic_core import PydanticKnownError, core_schema

        members: dict[str, Any] = {}
        for member in get_args(source):
            cls, *meta = get_args(member)
            members.update({m.tag: cls for m in meta if isinstance(m, Tag)})
        self._source = source
        discriminator = self.discriminator
        name = f"{discriminator.__name__}()"

        def validate(value: Any) -> Any:
            tag = discriminator(value)
            if tag is None:
                raise PydanticKnownError("union_tag_not_found", {"discriminator": name})
            cls = members[tag]
            try:
                return cls.__pydantic_validator__.validate_python(value)
            except ValidationError as exc:
                errors = [_under(tag, e) for e in exc.errors(include_url=False)]
                raise ValidationError.from_exception_data(exc.title, errors) from None

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.simple_ser_schema("any")
        )

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        # pydantic's JSON Schema (``model_json_schema()``): the union's, as without this class; the whole
        # union's schema is built only here. (``azimagebuilder schema`` does not use it: models/_schema.py.)
        from pydantic import TypeAdapter

        return handler(TypeAdapter(Annotated[self._source, Discriminator(self.discriminator)]).core_schema)


_KNOWN_ERROR_TYPES: set[str] = set()


def _under(tag: str, error: ErrorDetails) -> InitErrorDetails:
    """A member's error, located under its tag (as pydantic's discriminated union reports it)."""
    from pydantic_core import PydanticCustomError

    if not _KNOWN_ERROR_TYPES:
        from typing import get_args

        from pydantic_core.core_schema import ErrorType

        _KNOWN_ERROR_TYPES.update(get_args(ErrorType))
    kind: Any = error["type"]
    if kind not in _KNOWN_ERROR_TYPES:  # raised in Python (pydantic's own, ``sequence_str``): as it was
        kind = PydanticCustomError(kind, error["msg"], error.get("ctx"))
    out: InitErrorDetails = {"type": kind, "loc": (tag, *error["loc"]), "input": error["input"]}
    if "ctx" in error:
        out["ctx"] = error["ctx"]
    return out


#: Any source; a dict of the wire shape is accepted too.
Source = Annotated[
    Annotated[PlatformImageSource, Tag(D.PLATFORM_IMAGE_SOURCE.key)]
    | Annotated[ManagedImageSource, Tag(D.MANAGED_IMAGE_SOURCE.key)]
    | Annotated[SharedImageVersionSource, Tag(D.SHARED_IMAGE_VERSION_SOURCE.key)]
    | Annotated[UnknownSource, Tag("unknown")],
    Discriminator(tagger(SOURCE_TYPES)),
    Field(description="The image the build starts from."),
    LazyFamily(tagger(SOURCE_TYPES)),
]
