"""The base of every template model: frozen, camelCase on the wire, unknown fields kept.

Why one base: the wire mapping (camelCase JSON <-> snake_case Python) must live in one place, and every
model must accept the wire shape (a plain dict) wherever a model is expected.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .._expressions import is_arm_expression

__all__ = ["ArmExpression", "Map", "Seq", "TypedWireModel", "WireModel", "is_arm_expression"]


def _require_expression(value: str) -> str:
    if not is_arm_expression(value):
        raise ValueError("expected an ARM template expression such as \"[parameters('name')]\"")
    return value


#: A string holding an ARM template expression, accepted where a number, boolean or list is expected so
#: deployment templates load; its value is only known when Azure Resource Manager evaluates it.
ArmExpression = Annotated[str, AfterValidator(_require_expression)]

_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")

#: A list field: any sequence is accepted (a list, a tuple, ...; a lone string is refused) and stored as a
#: tuple, so a model stays immutable and hashable while callers (and type checkers) may pass a list.
#: Declare list fields as ``Seq[str]``, ``Seq[Customizer]``, never ``tuple[...]`` or ``list[...]``.
Seq = Annotated[Sequence[_T], AfterValidator(tuple)]

#: A mapping field: any mapping is accepted and stored as a plain ``dict`` copy (typed read-only).
#: Declare mapping fields as ``Map[str, str]``, never ``dict[...]``.
Map = Annotated[Mapping[_K, _V], AfterValidator(dict)]


class WireModel(BaseModel):
    """Frozen pydantic model with camelCase aliases, unknown fields kept, and a short ``repr``.

    Example:
        >>> from azimagebuilder.models import VnetConfig
        >>> VnetConfig.model_validate({"Name": "vnet", "subnetName": "default"}).name
        'vnet'
    """

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        populate_by_name=True,
        alias_generator=to_camel,
        validate_default=False,
        ser_json_inf_nan="constants",
        # Schemas are built on first use, so importing the package (or validating a dict) stays cheap.
        defer_build=True,
    )

    #: Fields left out of to_wire(): values only the service fills in.
    _read_only: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _match_names_case_insensitively(cls, data: Any) -> Any:
        # The service matches property names case-insensitively (``imageVersionID``, ``sourceURI`` in the
        # document and in real templates), so a dict is accepted the same way.
        if not isinstance(data, dict):
            return data
        known = _names_by_lower(cls)
        out: dict[str, Any] = {}
        for key, value in data.items():
            canonical = known.get(key.lower(), key) if isinstance(key, str) else key
            if key in known.values() or canonical not in out:
                out[canonical] = value
        return out

    def to_wire(self) -> dict[str, Any]:
        """The JSON form of this value (camelCase, ``None`` left out, read-only fields left out).

        Example:
            >>> from azimagebuilder.models import VhdDistributor
            >>> VhdDistributor(run_output_name="vhd").to_wire()
            {'type': 'VHD', 'runOutputName': 'vhd'}
        """
        data: dict[str, Any] = self.model_dump(
            by_alias=True, exclude_none=True, mode="json", exclude=set(self._read_only)
        )
        return data

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # Short repr: only the fields that hold something, like the Azure SDK models.
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None or value == () or (name == "type" and value == info.default):
                continue
            yield name, value
        yield from (self.model_extra or {}).items()


class TypedWireModel(WireModel):
    """A member of a polymorphic family (source, customizer, distributor) told apart by ``type``.

    The type name matches case-insensitively, as the service does; the spellings the template document or
    the REST API use are kept as written, anything else is written the REST API's way.
    """

    #: Accepted spellings of ``type``, the REST API's first.
    _type_spellings: ClassVar[tuple[str, ...]] = ()

    type: str

    @field_validator("type")
    @classmethod
    def _check_type(cls, value: str) -> str:
        if not cls._type_spellings or value in cls._type_spellings:  # no spellings: any type (Unknown*)
            return value
        for spelling in cls._type_spellings:
            if value.lower() == spelling.lower():
                return cls._type_spellings[0]
        raise ValueError(f"type must be {cls._type_spellings[0]!r} for {cls.__name__}, not {value!r}")


_NAME_CACHE: dict[type[BaseModel], dict[str, str]] = {}


def _names_by_lower(cls: type[BaseModel]) -> dict[str, str]:
    names = _NAME_CACHE.get(cls)
    if names is None:
        names = {}
        for field_name, info in cls.model_fields.items():
            alias = info.alias or field_name
            names[field_name.lower()] = alias
            names[alias.lower()] = alias
        _NAME_CACHE[cls] = names
    return names
