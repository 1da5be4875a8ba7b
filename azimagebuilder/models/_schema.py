"""The JSON Schema of a template in the document form, for editors (``azimagebuilder schema``).

Built from the models, then reshaped: the models are flat (``properties`` flattened), the document is not.
"""

from __future__ import annotations

from typing import Any

from .._constants import KNOWN_API_VERSIONS, RESOURCE_TYPE
from ._base import TypedWireModel
from ._customizer import CUSTOMIZER_TYPES
from ._distributor import DISTRIBUTOR_TYPES
from ._source import SOURCE_TYPES
from ._template import ImageTemplate

_TOP_LEVEL = ("location", "tags", "identity", "dependsOn")
_READ_ONLY = ("id", "name", "provisioningState", "provisioningError", "lastRunStatus")


def template_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an Image Builder template as the document writes it.

    Example:
        >>> schema = template_json_schema()
        >>> schema["required"], sorted(schema["properties"]["properties"]["required"])
        (['location', 'properties'], ['distribute', 'source'])
    """
    flat = ImageTemplate.model_json_schema(by_alias=True, mode="validation")
    props: dict[str, Any] = dict(flat.get("properties", {}))
    for name in _READ_ONLY:
        props.pop(name, None)
    top = {name: props.pop(name) for name in _TOP_LEVEL if name in props}
    required = [name for name in flat.get("required", []) if name in props]
    defs: dict[str, Any] = flat.get("$defs", {})
    # Each member of a family is told apart by its type name: say so, so that oneOf picks one.
    members: list[type[TypedWireModel]] = [*SOURCE_TYPES.values(), *CUSTOMIZER_TYPES.values()]
    members += DISTRIBUTOR_TYPES.values()
    for model in members:
        definition = defs.get(model.__name__)
        if definition is None:
            continue
        definition.setdefault("properties", {})["type"] = {
            "type": "string",
            "enum": list(model._type_spellings),
            "description": "The type name (matched case-insensitively by the service).",
        }
        definition["required"] = ["type", *[r for r in definition.get("required", []) if r != "type"]]
    # Unknown* members exist to read the service's answers; an editor should offer only the real types.
    for name in ("UnknownSource", "UnknownCustomizer", "UnknownDistributor"):
        defs.pop(name, None)
    _drop_unknown_refs(props)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Azure VM Image Builder template",
        "description": "Microsoft.VirtualMachineImages/imageTemplates, as the template document writes it.",
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": [RESOURCE_TYPE], "description": "The resource type."},
            "apiVersion": {"type": "string", "enum": list(KNOWN_API_VERSIONS)},
            **top,
            "properties": {"type": "object", "properties": props, "required": required},
        },
        "required": ["location", "properties"],
        "$defs": defs,
    }
    return schema


def _drop_unknown_refs(node: Any) -> None:
    if isinstance(node, dict):
        for key in ("oneOf", "anyOf"):
            if isinstance(node.get(key), list):
                node[key] = [
                    item
                    for item in node[key]
                    if not (
                        isinstance(item, dict) and str(item.get("$ref", "")).startswith("#/$defs/Unknown")
                    )
                ]
                node.pop("discriminator", None)
        for value in node.values():
            _drop_unknown_refs(value)
    elif isinstance(node, list):
        for value in node:
            _drop_unknown_refs(value)
