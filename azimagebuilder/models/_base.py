"""The base of every template model: frozen, camelCase on the wire, unknown fields kept.

Why one base: the wire mapping (camelCase JSON <-> snake_case Python) must live in one place, and every
model must accept the wire shape (a plain dict) wherever a model is expected.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic._internal._model_construction import ModelMetaclass
from pydantic.alias_generators import to_camel

from .._expressions import is_arm_expression
from .._fields import Shape, wire_names

__all__ = ["ArmExpression", "Map", "Seq", "TypedWireModel", "WireModel", "is_arm_expression", "wire_name"]


def read_only(shape: Shape) -> frozenset[str]:
    """The Python names of a shape's read-only fields (left out of ``to_wire()``)."""
    return frozenset(f.python for f in shape.fields if f.read_only)


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


# The validators below are Python functions, not the builtins ``tuple`` and ``dict``: pydantic reads each
# validator's signature when it builds a schema, and a builtin's costs about 1 ms (parsed from its text
# signature), once per field, on the first template made (docs/performance.md, "## Import time").
def _to_tuple(value: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _to_dict(value: Mapping[Any, Any]) -> dict[Any, Any]:
    return dict(value)


#: A list field: any sequence is accepted (a list, a tuple, ...; a lone string is refused) and stored as a
#: tuple, so a model stays immutable and hashable while callers (and type checkers) may pass a list.
#: Declare list fields as ``Seq[str]``, ``Seq[Customizer]``, never ``tuple[...]`` or ``list[...]``.
Seq = Annotated[Sequence[_T], AfterValidator(_to_tuple)]

#: A mapping field: any mapping is accepted and stored as a plain ``dict`` copy (typed read-only).
#: Declare mapping fields as ``Map[str, str]``, never ``dict[...]``.
Map = Annotated[Mapping[_K, _V], AfterValidator(_to_dict)]


#: The wire name of every declared field, by Python name, from the field declarations (``_fields.py``), so
#: each is written once; irregular ones (``osDiskSizeGB``, ``sizeGB``, ``inVMValidations``, ``validate`` for
#: ``validation``) included. Declare irregular names there, never with ``Field(alias=...)``: type checkers
#: (pyright, mypy) take an explicit alias as the keyword to write, so ``VmProfile(os_disk_size_gb=...)``
#: would stop type-checking (tests/models/test_construction.py checks). Looking a name up here also costs
#: less than ``to_camel`` (regular expressions), which the alias generator would run for every field.
WIRE_NAMES: dict[str, str] = wire_names()


def wire_name(field_name: str) -> str:
    """The wire name of a snake_case field: ``vm_profile`` -> ``vmProfile``, ``os_disk_size_gb`` ->
    ``osDiskSizeGB`` (irregular ones as declared in ``_fields.py``).

    Example:
        >>> wire_name("os_disk_size_gb"), wire_name("run_output_name")
        ('osDiskSizeGB', 'runOutputName')
    """
    return WIRE_NAMES.get(field_name) or to_camel(field_name)


if TYPE_CHECKING:
    # Type checkers see pydantic's own metaclass: its dataclass_transform gives them the typed keywords.
    _WireModelMeta = ModelMetaclass
else:

    class _WireModelMeta(ModelMetaclass):
        # A data descriptor on the metaclass wins over the ``__signature__`` pydantic sets on each class (and
        # sets again when a deferred schema is built): inspect.signature(), help() and Jupyter show the
        # snake_case fields from import on, computed on first look, so importing costs nothing more.
        @property
        def __signature__(cls) -> inspect.Signature:
            cached = cls.__dict__.get("_wire_signature")
            if cached is None:
                from ._construct import signature

                cached = signature(cls)  # type: ignore[arg-type]
                type.__setattr__(cls, "_wire_signature", cached)
            return cached

        @__signature__.setter
        def __signature__(cls, value: Any) -> None:
            pass  # pydantic's own (camelCase aliases) is not used


class WireModel(BaseModel, metaclass=_WireModelMeta):
    """Frozen pydantic model with camelCase aliases, unknown fields kept, and a short ``repr``.

    Built in Python, a model takes its snake_case field names as keywords (the camelCase wire names work
    too); any other keyword raises ``TypeError`` with "did you mean", and a value of the wrong shape raises
    :class:`~azimagebuilder.TemplateValidationError` naming the Python path. Fields this library does not
    model go in ``extra={"wireName": value}``. Dicts of the wire shape (``model_validate``, nested dicts,
    ``from_arm``) keep unknown fields as they are.

    Example:
        >>> from azimagebuilder.models import VnetConfig
        >>> VnetConfig.model_validate({"Name": "vnet", "subnetName": "default"}).name
        'vnet'
        >>> VnetConfig(nmae="vnet")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        TypeError: VnetConfig() got an unexpected keyword argument 'nmae'; did you mean `name`? ...
    """

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        populate_by_name=True,
        alias_generator=wire_name,
        validate_default=False,
        ser_json_inf_nan="constants",
        # Schemas are built on first use, so importing the package (or validating a dict) stays cheap.
        defer_build=True,
    )

    #: Fields left out of to_wire(): values only the service fills in.
    _read_only: ClassVar[frozenset[str]] = frozenset()

    if TYPE_CHECKING:
        #: Fields this library does not model, written to the wire as given (``model_extra``).
        extra: Mapping[str, Any] | None = None
    else:

        @property
        def extra(self) -> Mapping[str, Any]:
            """Fields this library does not model, as given (read-only view of ``model_extra``)."""
            return MappingProxyType(dict(self.model_extra or {}))

        # Hidden from type checkers (this else-branch): an __init__ they can see would replace the typed
        # keywords they synthesize from the fields (dataclass_transform) with this (**data: Any).
        def __init__(self, /, **data: Any) -> None:
            from ._construct import check_extra, check_keywords, raise_readable

            extra = data.pop("extra", None)
            check_keywords(type(self), data)
            if extra is not None:
                data.update(check_extra(type(self), extra))
            try:
                self.__pydantic_validator__.validate_python(data, self_instance=self)
            except ValidationError as exc:
                raise_readable(type(self), exc)

        # The JSON side (model_validate, nested dicts, from_arm) does not go through __init__.
        __init__.__pydantic_base_init__ = True

        def __setattr__(self, name: str, value: Any) -> None:
            if name.startswith("_"):  # private state (ImageTemplate's api version, resource keys)
                super().__setattr__(name, value)
                return
            cls = type(self).__name__
            hint = f"{cls.lower()}.model_copy(update={{{name!r}: ...}})"
            raise AttributeError(f"{cls} is immutable: write {hint} for a changed copy")

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

    @model_serializer(mode="wrap")
    def _keep_null_extras(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        # ``exclude_none`` leaves out the declared fields nobody gave; an unknown field that the document
        # set to ``null`` is the author's data, so it survives the round trip as written.
        data = handler(self)
        if info.exclude_none and self.model_extra and isinstance(data, dict):
            for key, value in self.model_extra.items():
                if value is None:
                    data[key] = None
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
