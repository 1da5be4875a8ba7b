"""Property tests: whatever is thrown at load_template, only TemplateValidationError comes out, and a
template that loads is valid and loads again to itself."""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from azimagebuilder import ImageTemplate, TemplateValidationError, load_template, validate

SUB = "/subscriptions/0/resourceGroups/rg/providers"
BASE: dict[str, Any] = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2019-05-01-preview",
    "location": "westus2",
    "tags": {"a": "b"},
    "identity": {
        "type": "UserAssigned",
        "userAssignedIdentities": {f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/i": {}},
    },
    "dependsOn": [],
    "properties": {
        "buildTimeoutInMinutes": 80,
        "vmProfile": {"vmSize": "Standard_D2_v2", "osDiskSizeGB": 64},
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "UbuntuServer",
            "sku": "18.04-LTS",
            "version": "latest",
        },
        "customize": [
            {"type": "Shell", "name": "a", "inline": ["echo a"]},
            {"type": "PowerShell", "name": "b", "scriptUri": "https://e.com/b.ps1", "validExitCodes": [0]},
            {"type": "File", "name": "c", "sourceUri": "https://e.com/c", "destination": "/tmp/c"},
        ],
        "distribute": [
            {"type": "VHD", "runOutputName": "vhd", "artifactTags": {"x": "y"}},
            {
                "type": "SharedImage",
                "galleryImageId": f"{SUB}/Microsoft.Compute/galleries/g/images/d",
                "runOutputName": "sig",
                "replicationRegions": ["westus2"],
            },
            {
                "type": "ManagedImage",
                "imageId": f"{SUB}/Microsoft.Compute/images/i",
                "location": "westus2",
                "runOutputName": "img",
            },
        ],
    },
}

# Without the "explain" phase: with filterwarnings=error, the explanation of a failing example trips a
# DeprecationWarning (mypy_extensions.TypedDict) inside pytest's reporting and the failure is lost.
PHASES = [phase for phase in Phase if phase is not Phase.explain]
SETTINGS = settings(
    phases=PHASES,
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
interesting_strings = st.sampled_from(
    [
        "",
        "<region>",
        "[parameters('x')]",
        "West US 2",
        "shell",
        "SHELL",
        "ISO",
        "http://e.com/x",
        "false",
        "5m",
        "/tmp/x",
        "a" * 70,
        "{name}",
    ]
)
values = json_values | interesting_strings


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@st.composite
def mutated_templates(draw: st.DrawFn) -> Any:
    doc: Any = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        action = draw(st.sampled_from(["replace", "delete", "rename", "recase"]))
        if action == "replace":
            parent[key] = draw(values)
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, dict):
            new_key = draw(st.text(max_size=10)) if action == "rename" else str(key).swapcase()
            parent[new_key] = parent.pop(key)
    return doc


def _load_quietly(source: Any) -> ImageTemplate | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return load_template(source)
        except TemplateValidationError as exc:
            refused = exc
    assert refused.errors
    for problem in refused.errors:
        assert problem.code
        assert problem.message
    if all(p.code == "arm-expression" for p in refused.errors):
        # validate() checks around an ARM expression where an object or list belongs; an ImageTemplate
        # needs its value (issue 12), so only this refusal may differ from validate()'s verdict.
        return _HELD_BACK
    return None


_HELD_BACK: Any = object()


def test_the_base_template_is_valid() -> None:
    assert validate(BASE).ok
    assert load_template(BASE).to_arm() == BASE


@SETTINGS
@given(mutated_templates())
def test_mutated_templates_load_or_raise_template_validation_error(doc: Any) -> None:
    report = validate(doc)
    template = _load_quietly(doc)
    if template is _HELD_BACK:
        assert report.ok
        assert "arm-expression" in {p.code for p in report.warnings}
        return
    assert (template is not None) == report.ok
    if template is not None:
        written = template.to_arm()
        json.dumps(written)  # JSON-serialisable
        assert validate(written).ok
        again = _load_quietly(written)
        assert again == template


@SETTINGS
@given(json_values)
def test_any_json_value_loads_or_raises_template_validation_error(value: Any) -> None:
    report = validate(value)
    assert (_load_quietly(value) is not None) == report.ok
    assert (_load_quietly(json.dumps(value)) is not None) == report.ok


@settings(max_examples=80, deadline=None, database=None, phases=PHASES)
@given(st.text(max_size=60))
def test_any_text_loads_or_raises_template_validation_error(text: str) -> None:
    if text.lstrip()[:1] not in ("{", "["):
        text = "{" + text  # otherwise it would be read as a path
    report = validate(text)
    assert (_load_quietly(text) is not None) == report.ok


@settings(max_examples=80, deadline=None, database=None, phases=PHASES)
@given(st.sampled_from([",", "//", "/*", "*/", '"', "\\", "]", "}", "\n"]), st.integers(0, 2000))
def test_damaged_json_text_loads_or_raises_template_validation_error(piece: str, at: int) -> None:
    text = json.dumps(BASE, indent=1)
    at %= len(text)
    damaged = text[:at] + piece + text[at:]
    report = validate(damaged)
    template = _load_quietly(damaged)
    assert (template is not None) == report.ok
    if template is not None and piece == "\n":
        assert template.to_arm() == BASE  # a newline between tokens changes nothing
