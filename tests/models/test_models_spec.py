"""The field declarations (azimagebuilder/_fields.py) against the service's own REST specs.

For every api-version whose swagger is in ../shared/reference (2019-05-01-preview, 2020-02-14 ... 2025-10-01),
every field of every template object the spec has is declared, known at that version (``since``/``until``),
with the spec's enum values, required-ness and read-only-ness; and every declared field a version knows is
in that version's spec (unless its ``note`` says where else it comes from). Type tags too: every
discriminator value of a family in the spec is a declared member known at that version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import _fields as D

# api-version -> the swagger file, relative to ../shared/reference
SWAGGERS = {
    "2019-05-01-preview": "rest-api-2019-05-01-preview/imagebuilder.json",
    "2020-02-14": "swagger-by-version/2020-02-14.json",
    "2021-10-01": "swagger-by-version/2021-10-01.json",
    "2022-02-14": "swagger-by-version/2022-02-14.json",
    "2022-07-01": "swagger-by-version/2022-07-01.json",
    "2023-07-01": "swagger-by-version/2023-07-01.json",
    "2024-02-01": "rest-api-2024-02-01/imagebuilder.json",
    "2025-10-01": "swagger-by-version/2025-10-01.json",
}

pytestmark = pytest.mark.needs_shared


def _load(shared_reference: Path, version: str) -> dict[str, Any]:
    path = shared_reference / SWAGGERS[version]
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _deref(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        return _deref(doc, doc["definitions"][ref.rsplit("/", 1)[-1]])
    return schema


def _definition(doc: dict[str, Any], swagger: str) -> dict[str, Any] | None:
    """The schema of a definition or of an inline object's dotted path, local allOf bases merged in."""
    name, *inline = swagger.split(".")
    schema = doc["definitions"].get(name)
    if schema is None:
        return None
    schema = _merged(doc, schema)
    for part in inline:
        prop = schema.get("properties", {}).get(part)
        if prop is None:
            return None
        schema = _merged(doc, _deref(doc, prop))
    return schema


def _merged(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required: list[str] = []
    for base in schema.get("allOf", []):
        ref = base.get("$ref", "")
        if ref.startswith("#/definitions/"):
            parent = _merged(doc, doc["definitions"][ref.rsplit("/", 1)[-1]])
            props.update(parent.get("properties", {}))
            required += parent.get("required", [])
    props.update(schema.get("properties", {}))
    required += schema.get("required", [])
    return {**schema, "properties": props, "required": required}


def _reported_shapes() -> set[str]:
    """Shapes the service fills in (behind a read-only field): their enums are open (models/_enums.py)."""
    return {f.of.name for s in D.shapes() for f in s.fields if f.read_only and isinstance(f.of, D.Shape)}


def _shapes_with_swagger() -> list[D.Shape]:
    return [s for s in D.shapes() if s.swagger is not None]


def _spec_kind(doc: dict[str, Any], prop: dict[str, Any]) -> str:
    prop = _deref(doc, prop)
    kind = prop.get("type")
    if kind == "array":
        item = _deref(doc, prop.get("items", {}))
        return {"string": "strlist", "integer": "intlist"}.get(item.get("type", ""), "objlist")
    if kind == "object" or "properties" in prop or "discriminator" in prop:
        values = prop.get("additionalProperties")
        if isinstance(values, dict):
            return "strmap" if _deref(doc, values).get("type") == "string" else "objmap"
        return "object"
    return {"string": "str", "integer": "int", "boolean": "bool"}.get(str(kind), "any")


@pytest.mark.parametrize("version", list(SWAGGERS))
def test_every_spec_field_is_declared_and_known_at_its_version(shared_reference: Path, version: str) -> None:
    doc = _load(shared_reference, version)
    wrong: list[str] = []
    for shape in _shapes_with_swagger():
        assert shape.swagger is not None
        schema = _definition(doc, shape.swagger)
        if schema is None:
            if shape.known_at(version) and not shape.note:
                wrong.append(f"{shape.name}: declared known at {version}, the spec has no {shape.swagger}")
            continue
        if not shape.known_at(version):
            wrong.append(
                f"{shape.name}: the spec has {shape.swagger} at {version}, declared since {shape.since}"
            )
        for wire, prop in schema["properties"].items():
            declared = shape.lookup(wire)
            where = f"{shape.name}.{wire} at {version}"
            if declared is None or declared.wire != wire:
                wrong.append(f"{where}: not declared")
                continue
            if not declared.known_at(version):
                wrong.append(f"{where}: in the spec, declared since {declared.since} until {declared.until}")
            resolved = _deref(doc, prop)
            if shape is D.TEMPLATE:  # ARM resource keys: common-types, not this spec
                continue
            if resolved.get("readOnly", prop.get("readOnly", False)) != declared.read_only:
                wrong.append(f"{where}: read-only is {not declared.read_only} in the spec")
            enum = resolved.get("enum")
            # What the service reports (states, error codes) are open enums in models/_enums.py.
            reported = declared.read_only or shape.name in _reported_shapes()
            if enum is not None and not reported and set(enum) != set(declared.enum_at(version)):
                wrong.append(
                    f"{where}: enum {sorted(enum)} in the spec, declared {declared.enum_at(version)}"
                )
            if wire in schema["required"] and not declared.required_at(version):
                wrong.append(f"{where}: required in the spec")
            kind = _spec_kind(doc, prop)
            if kind != "any" and declared.kind != "any" and kind != declared.kind:
                wrong.append(f"{where}: {kind} in the spec, declared {declared.kind}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("version", list(SWAGGERS))
def test_every_declared_field_is_in_the_spec_of_each_version_that_knows_it(
    shared_reference: Path, version: str
) -> None:
    doc = _load(shared_reference, version)
    wrong: list[str] = []
    for shape in _shapes_with_swagger():
        assert shape.swagger is not None
        schema = _definition(doc, shape.swagger)
        if schema is None or shape is D.TEMPLATE:  # the template's ARM keys come from common-types
            continue
        for declared in shape.fields:
            if declared.known_at(version) and not declared.note and declared.wire not in schema["properties"]:
                wrong.append(f"{shape.name}.{declared.wire}: declared known at {version}, not in its spec")
            if declared.note and declared.wire in schema["properties"] and not declared.known_at(version):
                wrong.append(f"{shape.name}.{declared.wire}: in the spec at {version}, declared unknown")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("version", list(SWAGGERS))
def test_every_type_tag_of_the_spec_is_a_declared_member(shared_reference: Path, version: str) -> None:
    doc = _load(shared_reference, version)
    wrong: list[str] = []
    for family in D.FAMILIES:
        assert family.swagger is not None
        spec_tags: dict[str, str] = {}
        for name, schema in doc["definitions"].items():
            bases = [b.get("$ref", "").rsplit("/", 1)[-1] for b in schema.get("allOf", [])]
            if family.swagger in bases:
                spec_tags[schema.get("x-ms-discriminator-value", name)] = name
        for tag, name in spec_tags.items():
            member = family.member(tag)
            if member is None or member.tag != tag:
                wrong.append(f"{family.name} {tag!r} ({name}) at {version}: not declared")
            elif not member.known_at(version):
                wrong.append(f"{family.name} {tag!r} at {version}: declared since {member.since}")
            elif member.swagger != name:
                wrong.append(f"{family.name} {tag!r}: declared as {member.swagger}, the spec says {name}")
        for member in family.members_at(version):
            if spec_tags and member.tag not in spec_tags and not member.note:
                wrong.append(f"{family.name} {member.tag!r}: declared known at {version}, not in the spec")
    assert not wrong, "\n".join(wrong)
