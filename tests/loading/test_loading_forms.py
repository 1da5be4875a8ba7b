"""load_template: every input form, and nothing but TemplateValidationError escapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import ImageTemplate, TemplateValidationError, load_template
from azimagebuilder import _codes as C
from azimagebuilder.loading import TemplateWarning


def test_a_dict_loads_and_round_trips(doc: dict[str, Any]) -> None:
    template = load_template(doc)
    assert isinstance(template, ImageTemplate)
    assert template.to_arm() == doc


def test_json_text_and_a_path_load_the_same(doc: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert load_template(json.dumps(doc)) == load_template(path) == load_template(str(path))


def test_a_bare_template_without_type_and_api_version_loads(doc: dict[str, Any]) -> None:
    del doc["type"], doc["apiVersion"]
    assert load_template(doc).to_arm()["type"] == "Microsoft.VirtualMachineImages/imageTemplates"


def test_a_resource_body_loads(doc: dict[str, Any]) -> None:
    body = {"location": doc["location"], "properties": doc["properties"], "tags": {"a": "b"}}
    assert load_template(body).to_resource_body() == body


IDENTITY_ID = (
    "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i"
)


def test_the_api_version_written_is_kept(doc: dict[str, Any]) -> None:
    doc["apiVersion"] = "2022-02-14"
    doc["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY_ID: {}}}
    template = load_template(doc)
    assert template.api_version == "2022-02-14"
    assert template.to_arm() == doc


def _deployment(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {},
        "resources": list(resources),
    }


def test_a_deployment_template_yields_its_image_template_resource(doc: dict[str, Any]) -> None:
    resource = {"name": "tmpl", **doc}
    storage = {"type": "Microsoft.Storage/storageAccounts", "name": "sa", "apiVersion": "2021-01-01"}
    template = load_template(_deployment(storage, resource))
    assert template.location == "westus2"


def test_several_image_templates_need_resource_name(doc: dict[str, Any]) -> None:
    one = {"name": "one", **doc}
    two = {**doc, "name": "two", "location": "eastus"}
    with pytest.raises(TemplateValidationError) as info:
        load_template(_deployment(one, two))
    assert info.value.errors[0].code == C.AMBIGUOUS_RESOURCE
    assert "'one'" in info.value.errors[0].message
    assert "'two'" in info.value.errors[0].message
    assert load_template(_deployment(one, two), resource_name="two").location == "eastus"
    with pytest.raises(TemplateValidationError) as missing:
        load_template(_deployment(one, two), resource_name="three")
    assert missing.value.errors[0].code == C.RESOURCE_NOT_FOUND


def test_a_deployment_without_an_image_template_is_refused() -> None:
    with pytest.raises(TemplateValidationError) as info:
        load_template(_deployment({"type": "Microsoft.Storage/storageAccounts", "name": "sa"}))
    assert info.value.errors[0].code == C.NO_IMAGE_TEMPLATE


def test_comments_and_trailing_commas_load_with_a_warning(doc: dict[str, Any]) -> None:
    text = json.dumps(doc, indent=2).replace('"westus2",', '"westus2", // the region\n')
    text = text.replace('"vhd"\n', '"vhd", /* trailing */\n')
    with pytest.warns(TemplateWarning, match="comments or trailing commas") as caught:
        template = load_template(text)
    assert template.to_arm() == doc
    assert caught[0].message.warnings[0].code == C.LENIENT_JSON  # type: ignore[union-attr]


def test_slashes_inside_strings_are_not_comments(doc: dict[str, Any]) -> None:
    doc["properties"]["customize"][0]["inline"] = ["echo 'a // b, ]' /* c */"]
    text = json.dumps(doc) + "\n"
    with pytest.warns(TemplateWarning):
        template = load_template(text.replace("]}]", "],}]"))
    assert template.customize[0].inline == ("echo 'a // b, ]' /* c */",)


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("{not json", C.INVALID_JSON),
        ('{"location": "westus2",,}', C.INVALID_JSON),
        ("[1, 2]", C.NOT_A_TEMPLATE),
        (b"\xff\xfe{", C.INVALID_JSON),
        (42, C.NOT_A_TEMPLATE),
        ("/no/such/file.json", C.UNREADABLE),
        ({"location": "westus2"}, C.MISSING_FIELD),
    ],
)
def test_unusable_input_raises_template_validation_error_only(source: Any, code: str) -> None:
    with pytest.raises(TemplateValidationError) as info:
        load_template(source)
    assert code in {p.code for p in info.value.errors}
    assert isinstance(info.value, ValueError)


def test_a_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(TemplateValidationError) as info:
        load_template(tmp_path)
    assert info.value.errors[0].code == C.UNREADABLE


def test_the_error_message_lists_every_problem_with_its_path(doc: dict[str, Any]) -> None:
    doc["properties"]["customize"][0]["inline"] = "echo hello"
    doc["properties"]["distribute"][0]["runOutputName"] = "bad name!"
    with pytest.raises(TemplateValidationError) as info:
        load_template(doc)
    text = str(info.value)
    assert "properties.customize[0].inline" in text
    assert "properties.distribute[0].runOutputName" in text
    assert "2 problem(s)" in text


def test_the_error_pickles_with_its_problems_and_has_a_json_form(doc: dict[str, Any]) -> None:
    import pickle

    doc["properties"]["distribute"][0]["runOutputName"] = "bad name"
    doc["properties"]["distribute"][0]["aritfactTags"] = {}
    with pytest.raises(TemplateValidationError) as info:
        load_template(json.dumps(doc))
    error = info.value
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is TemplateValidationError
    assert copy.errors == error.errors
    assert copy.warnings == error.warnings
    assert str(copy) == str(error)
    assert error.to_dict() == {
        "errors": [p.to_dict() for p in error.errors],
        "warnings": [p.to_dict() for p in error.warnings],
    }
    assert error.to_dict()["errors"][0]["code"] == C.RUN_OUTPUT_NAME_INVALID


@pytest.mark.needs_shared
def test_every_real_template_loads_or_raises_template_validation_error(shared_reference: Path) -> None:
    import warnings

    files = sorted((shared_reference / "real-templates").glob("*/*.json"))
    assert files
    loaded = 0
    refusals: list[TemplateValidationError] = []
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                template = load_template(path)
            except TemplateValidationError as exc:
                refusals.append(exc)
                continue
        loaded += 1
        assert isinstance(template, ImageTemplate)
    refused = len(refusals)
    for error in refusals:
        assert error.errors
        assert error.source is not None
        assert error.source in map(str, files)
    # Most real templates keep the document's <placeholders>; the ARM deployment templates load.
    assert loaded >= 3
    assert refused >= 20


def test_child_resources_of_an_image_template_are_not_taken_for_it(doc: dict[str, Any]) -> None:
    trigger = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates/triggers",
        "name": "tmpl/source",
        "properties": {"kind": "SourceImage"},
    }
    template = load_template(_deployment(trigger, {"name": "tmpl", **doc}))
    assert template.location == "westus2"
    with pytest.raises(TemplateValidationError) as info:
        load_template(_deployment(trigger))
    assert info.value.errors[0].code == C.NO_IMAGE_TEMPLATE
