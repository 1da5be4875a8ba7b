"""The JSON Schema of a template in the document form, for editors (``azimagebuilder schema``).

Built from the field declarations (``_fields.py``), for one api-version or for all of them: the fields a
version knows, their enum values, ranges and required-ness at that version, one ``oneOf`` per family told
apart by its type tag. Fields the service fills in are left out. An ARM expression (``"[parameters('x')]"``)
is accepted wherever a number, a boolean, a list or an enum value is.
"""

from __future__ import annotations

from typing import Any

from .. import _fields as D
from .._constants import KNOWN_API_VERSIONS, RESOURCE_TYPE

_ARM = {"$ref": "#/$defs/ArmExpression"}


def template_json_schema(api_version: str | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an Image Builder template as the document writes it.

    With ``api_version``, only what that version knows (and from 2024-02-01, when the service refuses
    unknown fields, no other field); without, every field of every version.

    Example:
        >>> schema = template_json_schema()
        >>> schema["required"], sorted(schema["properties"]["properties"]["required"])
        (['location', 'properties'], ['distribute', 'source'])
        >>> "autoRun" in template_json_schema("2023-07-01")["properties"]["properties"]["properties"]
        False
    """
    if api_version is not None and api_version not in KNOWN_API_VERSIONS:
        raise ValueError(f"api-version {api_version!r} is not one of {', '.join(KNOWN_API_VERSIONS)}")
    builder = _Builder(api_version)
    top = builder.object(D.TEMPLATE, inline=True)
    top["properties"]["type"] = {
        "type": "string",
        "enum": [RESOURCE_TYPE],
        "description": "The resource type.",
    }
    versions = [api_version] if api_version else list(KNOWN_API_VERSIONS)
    top["properties"]["apiVersion"] = {"type": "string", "enum": versions}
    top["properties"]["properties"] = builder.object(D.PROPERTIES, inline=True)
    which = f"at api-version {api_version}" if api_version else "at any api-version"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Azure VM Image Builder template",
        "description": f"{RESOURCE_TYPE}, as the template document writes it, {which}.",
        **top,
        "$defs": builder.defs,
    }


class _Builder:
    def __init__(self, api_version: str | None) -> None:
        self.api_version = api_version
        self.defs: dict[str, Any] = {
            "ArmExpression": {
                "type": "string",
                "pattern": r"^\s*\[(?!\[).*\]\s*$",
                "description": "An ARM template expression, evaluated by Azure Resource Manager.",
            }
        }

    def known(self, item: D.Field | D.Shape) -> bool:
        return self.api_version is None or item.known_at(self.api_version)

    def required(self, field: D.Field) -> bool:
        if self.api_version is None:  # every version: what all of them require
            return field.required and field.since is None and field.until is None
        return field.required_at(self.api_version)

    def object(self, shape: D.Shape, *, inline: bool = False) -> dict[str, Any]:
        fields = [f for f in shape.fields if self.known(f) and not f.read_only]
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {f.wire: self.field(f) for f in fields},
        }
        required = [f.wire for f in fields if self.required(f)]
        if required:
            schema["required"] = required
        if self.api_version is not None and D.is_strict(self.api_version) and shape is not D.TEMPLATE:
            schema["additionalProperties"] = False  # the service refuses unknown fields from 2024-02-01
        if inline:
            return schema
        self.defs.setdefault(shape.name, schema)
        return {"$ref": f"#/$defs/{shape.name}"}

    def family(self, family: D.Family) -> dict[str, Any]:
        name = family.name.title().replace(" ", "")
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: families do not nest in themselves, but keep the name
            members = [m for m in family.members if self.known(m) and m is not D.ISO_SOURCE]
            refs = []
            for member in members:
                ref = self.object(member)
                definition = self.defs[member.name]
                definition["properties"][family.discriminator] = {
                    "type": "string",
                    "enum": list(member.tags),
                    "description": "The type name.",
                }
                refs.append(ref)
            self.defs[name] = {"oneOf": refs, "description": f"A {family.name}, told apart by its type."}
        return {"$ref": f"#/$defs/{name}"}

    def field(self, field: D.Field) -> dict[str, Any]:
        schema = self.kind(field)
        notes = [field.doc] if field.doc else []
        if field.since:
            notes.append(f"api-version {field.since} and later")
        if field.until:
            notes.append(f"before api-version {field.until}")
        if notes:
            schema = {**schema, "description": "; ".join(notes)}
        return schema

    def kind(self, field: D.Field) -> dict[str, Any]:
        kind = field.kind
        if kind == "str":
            if field.enum:
                values = list(field.enum_at(self.api_version) if self.api_version else field.enum)
                return {"anyOf": [{"type": "string", "enum": values}, _ARM]}
            return {"type": "string"}
        if kind == "int":
            number: dict[str, Any] = {"type": "integer"}
            if field.minimum is not None:
                number["minimum"] = field.minimum
            if field.maximum is not None:
                number["maximum"] = field.maximum
            return {"anyOf": [number, _ARM]}
        if kind == "bool":
            return {"anyOf": [{"type": "boolean"}, _ARM]}
        if kind in ("strlist", "intlist"):
            item = {"type": "string"} if kind == "strlist" else {"anyOf": [{"type": "integer"}, _ARM]}
            return {"anyOf": [{"type": "array", "items": item}, _ARM]}
        if kind == "strmap":
            return {"type": "object", "additionalProperties": {"type": "string"}}
        nested = field.of
        if nested is None:
            return {}
        ref = self.family(nested) if isinstance(nested, D.Family) else self.object(nested)
        if kind == "object":
            return ref
        if kind == "objlist":
            return {"anyOf": [{"type": "array", "items": {"anyOf": [ref, _ARM]}}, _ARM]}
        return {"type": "object", "additionalProperties": ref}  # objmap
