"""Document form (``{"type", "apiVersion", "location", ..., "properties": {...}}``) -> ImageTemplate.

Kept apart from the model so the flattening rules sit in one small place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .._fields import FAMILIES

if TYPE_CHECKING:
    from ._template import ImageTemplate

# Top-level keys of an ARM resource that the service fills in: read, never written back.
SERVICE_TOP_LEVEL = frozenset({"etag", "resourcegroup", "managedby", "kind", "plan", "sku"})
#: Top-level keys of the document form that are model fields (lower case -> wire name).
TOP_LEVEL_FIELDS = {
    "location": "location",
    "tags": "tags",
    "identity": "identity",
    "dependson": "dependsOn",
    "id": "id",
    "name": "name",
    "systemdata": "systemData",
}
# Tags the discriminated unions put in pydantic's error locations (the declared type tags, lower case);
# not part of the JSON path.
_UNION_TAGS = frozenset({m.key for family in FAMILIES for m in family.members} | {"unknown"})
# Labels pydantic puts in a location for the member of a union that failed ("int", "tuple[...]", ...).
_TYPE_LABELS = frozenset({"int", "str", "bool", "float", "list", "dict", "tuple", "none", "is-instance"})
_TOP_LEVEL_LOCS = frozenset({"location", "tags", "identity", "dependsOn", "depends_on", "id", "name"})


def error_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a JSON path of the document form (``properties.customize[0].inline``)."""
    parts = [p for p in loc if not (isinstance(p, str) and p in _UNION_TAGS)]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "[" in part or "-" in part or part in _TYPE_LABELS:  # a union member's label, not a key
            continue
        else:
            path += f".{part}" if path else part
    if parts and parts[0] not in _TOP_LEVEL_LOCS:
        path = f"properties.{path}"
    return path


def raise_for_validation_error(exc: ValidationError, source: str | None = None) -> None:
    """Re-raise a pydantic error of the template model as TemplateValidationError, one problem per place."""
    from .._codes import MISSING_FIELD, WRONG_VALUE_TYPE
    from .._errors import TemplateValidationError
    from .._problems import Problem
    from ._construct import wire_problems
    from ._template import ImageTemplate

    problems: list[Problem] = []
    for wire, missing, message in wire_problems(ImageTemplate, exc):
        top = wire.split(".", 1)[0].split("[", 1)[0]
        path = wire if top in _TOP_LEVEL_LOCS else (f"properties.{wire}" if wire else "properties")
        problems.append(Problem(path, MISSING_FIELD if missing else WRONG_VALUE_TYPE, message, "error"))
    raise TemplateValidationError(problems, source=source) from None


def template_from_document(cls: type[ImageTemplate], data: Any) -> ImageTemplate:
    """Flatten ``properties`` into the model's fields; keep unknown resource keys for to_arm()."""
    from .._codes import NOT_A_TEMPLATE
    from .._errors import TemplateValidationError
    from .._problems import Problem

    if not isinstance(data, dict):
        raise TemplateValidationError(
            [Problem("", NOT_A_TEMPLATE, f"a template is a JSON object, not {type(data).__name__}", "error")]
        )
    flat: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    api_version: str | None = None
    properties: Any = None
    for key, value in data.items():
        lower = key.lower()
        if lower == "properties":
            properties = value
        elif lower == "apiversion":
            api_version = value if isinstance(value, str) else None
        elif lower == "type" or lower in SERVICE_TOP_LEVEL:
            continue
        elif lower in TOP_LEVEL_FIELDS:
            flat[TOP_LEVEL_FIELDS[lower]] = value
        else:
            extra[key] = value
    if not isinstance(properties, dict):
        raise TemplateValidationError(
            [Problem("properties", NOT_A_TEMPLATE, "the template has no properties object", "error")]
        )
    flat.update(properties)
    # JSON null means "not given": the field's default (an optional list such as customize stays empty).
    flat = {key: value for key, value in flat.items() if value is not None}
    try:
        template = cls.model_validate(flat)
    except ValidationError as exc:
        raise_for_validation_error(exc)
        raise  # pragma: no cover - raise_for_validation_error always raises
    template._resource_extra = extra
    template._api_version = api_version
    return template
