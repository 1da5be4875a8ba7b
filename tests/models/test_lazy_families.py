"""The families (sources, customizers, validators, distributors, versioners) validate through the member the
type tag names: building a template builds the schemas of the members it uses only, and nothing else
changes (the errors under the tag, the serialization, pydantic's JSON Schema of every member)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import ValidationError

from azimagebuilder.models import (
    ImageTemplate,
    ManagedImageSource,
    PlatformImageSource,
    SharedImageDistributor,
    ShellCustomizer,
    SourceVersioner,
    VhdDistributor,
)

_PROBE = """
import json
import azimagebuilder.models as m
t = m.ImageTemplate(
    location="westus2",
    source=m.PlatformImageSource(publisher="Canonical", offer="Ubuntu", sku="22_04-lts", version="latest"),
    customize=[m.ShellCustomizer(name="hello", inline=["echo hello"])],
    distribute=[m.VhdDistributor(run_output_name="vhd")],
)

def classes(schema, seen):
    # the model classes whose schemas a core schema holds
    if isinstance(schema, dict):
        if schema.get("type") == "model":
            seen.add(schema["cls"].__name__)
        for value in schema.values():
            classes(value, seen)
    elif isinstance(schema, (list, tuple)):
        for value in schema:
            classes(value, seen)
    return seen

held = classes(m.ImageTemplate.__pydantic_core_schema__, set())
later = m.ImageTemplate.model_validate({
    "location": "westus2",
    "source": {"type": "ManagedImage", "imageId": "/subscriptions/s/resourceGroups/rg/images/i"},
    "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
})
print(json.dumps({"held": sorted(held), "later": type(later.source).__name__,
                  "managed_built": m.ManagedImageSource.__pydantic_complete__}))
"""

MEMBERS_NOT_USED = {
    "ManagedImageSource",
    "SharedImageVersionSource",
    "UnknownSource",
    "PowerShellCustomizer",
    "WindowsRestartCustomizer",
    "FileCustomizer",
    "WindowsUpdateCustomizer",
    "UnknownCustomizer",
    "ShellValidator",
    "PowerShellValidator",
    "FileValidator",
    "UnknownValidator",
    "ManagedImageDistributor",
    "SharedImageDistributor",
    "UnknownDistributor",
    "LatestVersioner",
    "SourceVersioner",
    "UnknownVersioner",
}


def test_a_template_builds_only_the_family_members_it_uses() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    out = json.loads(done.stdout)
    assert "ImageTemplate" in out["held"]
    assert "VmProfile" in out["held"]  # a plain nested model stays in the template's schema
    assert not MEMBERS_NOT_USED & set(out["held"]), out["held"]
    assert out["later"] == "ManagedImageSource"  # a member first met later is built then
    assert out["managed_built"] is True


def _template(**properties: object) -> dict[str, object]:
    body: dict[str, object] = {
        "location": "westus2",
        "source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": "latest"},
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    }
    body.update(properties)
    return body


@pytest.mark.parametrize(
    ("properties", "loc"),
    [
        ({"source": {"type": "PlatformImage", "publisher": 3}}, ("source", "platformimage", "publisher")),
        ({"customize": [{"type": "Shell", "inline": [1]}]}, ("customize", 0, "shell", "inline")),
        (
            {
                "distribute": [
                    {"type": "SharedImage", "runOutputName": "r", "versioning": {"scheme": "Source", "x": 1}}
                ]
            },
            ("distribute", 0, "sharedimage"),
        ),
    ],
)
def test_a_member_error_is_located_under_its_tag(
    properties: dict[str, object], loc: tuple[object, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        ImageTemplate.model_validate(_template(**properties))
    locs = [tuple(e["loc"]) for e in caught.value.errors()]
    assert any(found[: len(loc)] == loc for found in locs), locs


def test_a_value_without_a_tag_is_refused_as_a_union_would() -> None:
    with pytest.raises(ValidationError) as caught:
        ImageTemplate.model_validate(_template(source="ubuntu"))
    (error,) = [e for e in caught.value.errors() if e["loc"] == ("source",)]
    assert error["type"] == "union_tag_not_found"


def test_members_keep_their_class_and_serialize_as_themselves() -> None:
    source = ManagedImageSource(
        image_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"
    )
    gallery = SharedImageDistributor(
        gallery_image_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i",
        run_output_name="sig",
        replication_regions=["westus2"],
        versioning=SourceVersioner(),
    )
    template = ImageTemplate(
        location="westus2",
        source=source,
        customize=[ShellCustomizer(name="hello", inline=["echo hello"])],
        distribute=[gallery, VhdDistributor(run_output_name="vhd")],
    )
    assert template.source is source
    assert template.distribute[0] is gallery
    wire = template.to_wire()["properties"]
    assert wire["source"] == source.to_wire()
    assert wire["distribute"] == [gallery.to_wire(), {"type": "VHD", "runOutputName": "vhd"}]
    assert wire["distribute"][0]["versioning"] == {"scheme": "Source"}
    again = ImageTemplate.model_validate_json(template.model_dump_json(by_alias=True, exclude_none=True))
    assert again == template


def test_pydantic_json_schema_still_lists_every_member() -> None:
    schema = ImageTemplate.model_json_schema()
    refs = [one["$ref"].rsplit("/", 1)[-1] for one in schema["properties"]["source"]["oneOf"]]
    assert refs == ["PlatformImageSource", "ManagedImageSource", "SharedImageVersionSource", "UnknownSource"]
    assert "ShellValidator" in schema["$defs"]
    assert "publisher" in PlatformImageSource.model_json_schema()["properties"]
