"""An ARM expression in any position (string, object, list, a whole section) is a warning naming it, and
the rest of the template is checked around it; load_template says plainly why it cannot hold one."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from azimagebuilder import TemplateValidationError, load_template, validate

EXPR = "[variables('stands-for-it')]"

POSITIONS = [
    ("tags",),
    ("identity",),
    ("properties",),
    ("properties", "source"),
    ("properties", "customize"),
    ("properties", "customize", 0),
    ("properties", "distribute"),
    ("properties", "distribute", 0),
    ("properties", "distribute", 0, "artifactTags"),
    ("properties", "vmProfile"),
    ("properties", "buildTimeoutInMinutes"),
    ("properties", "customize", 0, "inline"),
]


def _put(doc: dict[str, Any], keys: tuple[Any, ...], value: Any) -> str:
    target: Any = doc
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    path = ""
    for key in keys:
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else key)
    return path


@pytest.mark.parametrize("keys", POSITIONS, ids=lambda k: ".".join(map(str, k)))
def test_an_expression_anywhere_is_one_warning_naming_it(doc: dict[str, Any], keys: tuple[Any, ...]) -> None:
    path = _put(doc, keys, EXPR)
    report = validate(doc)
    assert report.errors == []
    assert [(p.path, p.code) for p in report.warnings] == [(path, "arm-expression")]
    assert EXPR in report.warnings[0].message


def test_the_rest_is_checked_around_an_expression(doc: dict[str, Any]) -> None:
    doc["tags"] = "[parameters('tags')]"
    doc["properties"]["customize"].append("[variables('more')]")
    doc["properties"]["customize"].append({"type": "Shell", "name": "broken", "inline": "echo no list"})
    doc["properties"]["distribute"].insert(0, "[variables('dist')]")
    report = validate(doc)
    assert [(p.path, p.code) for p in report.errors] == [
        ("properties.customize[2].inline", "wrong-value-type")
    ]
    assert {p.path for p in report.warnings if p.code == "arm-expression"} == {
        "tags",
        "properties.customize[1]",
        "properties.distribute[0]",
    }


def test_a_whole_properties_expression_asks_for_nothing_inside_it(doc: dict[str, Any]) -> None:
    doc["properties"] = "[shallowMerge(createArray(variables('base'), parameters('extra')))]"
    report = validate(doc)
    assert report.errors == []  # no "source is required": the expression may hold it


@pytest.mark.parametrize(
    "keys", [("tags",), ("properties",), ("properties", "distribute", 0, "artifactTags"), ("identity",)]
)
def test_load_template_explains_it_needs_the_value(doc: dict[str, Any], keys: tuple[Any, ...]) -> None:
    path = _put(doc, keys, EXPR)
    with pytest.raises(TemplateValidationError) as info:
        load_template(doc)
    (error,) = info.value.errors
    assert (error.path, error.code) == (path, "arm-expression")
    assert EXPR in error.message
    assert "parameters=" in error.message


def test_load_template_with_the_value_given_holds_it(doc: dict[str, Any]) -> None:
    deployment = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {"tags": {"type": "object"}},
        "resources": [{**copy.deepcopy(doc), "name": "t", "tags": "[parameters('tags')]"}],
    }
    assert load_template(deployment, parameters={"tags": {"a": "b"}}).tags == {"a": "b"}
