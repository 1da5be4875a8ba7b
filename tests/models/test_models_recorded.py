"""The models against what the real service sent and received (../shared/reference/azure-cli-recordings).

Every PUT body the Azure CLI sent validates without a problem at its api-version, and every template and
run output the service answered reads with ``from_arm``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from azimagebuilder import ImageTemplate, RunOutput, validate


def _text(body: Any) -> str | None:
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, str) and body.startswith(("b'", 'b"')):
        body = ast.literal_eval(body)
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return body if isinstance(body, str) and body.strip().startswith("{") else None


def _interactions(shared_reference: Path) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((shared_reference / "azure-cli-recordings").glob("*.yaml")):
        version = path.name.split("__")[0]
        for interaction in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            found.append((version, interaction))
    return found


@pytest.mark.needs_shared
def test_every_recorded_put_body_validates_cleanly(shared_reference: Path) -> None:
    bodies = 0
    for version, interaction in _interactions(shared_reference):
        request = interaction["request"]
        text = _text(request.get("body"))
        if request["method"] != "PUT" or "/imageTemplates/" not in request["uri"] or text is None:
            continue
        report = validate(json.loads(text), api_version=version)
        assert report.errors == []
        assert report.warnings == []
        bodies += 1
    assert bodies >= 5


@pytest.mark.needs_shared
def test_every_recorded_answer_reads_with_from_arm(shared_reference: Path) -> None:
    templates = outputs = named = 0
    for _, interaction in _interactions(shared_reference):
        text = _text(interaction["response"].get("body"))
        if text is None:
            continue
        body = json.loads(text)
        items = body.get("value") if isinstance(body.get("value"), list) else [body]
        for item in items:
            kind = str(item.get("type", "")).lower()
            if kind == "microsoft.virtualmachineimages/imagetemplates":
                template = ImageTemplate.from_arm(item)
                assert template.location
                assert template.distribute
                assert set(template.to_resource_body()) >= {"location", "properties"}
                templates += 1
                named += template.name is not None and template.provisioning_state is not None
            elif kind == "microsoft.virtualmachineimages/imagetemplates/runoutputs":
                output = RunOutput.from_arm(item)
                assert output.artifact_id or output.artifact_uri
                outputs += 1
    assert templates >= 5
    assert named >= 5  # GET answers carry the read-only name and provisioningState
    assert outputs >= 1
