"""validate(): the report, the forms it takes, codes, and what the emulator relies on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from azimagebuilder import ImageTemplate, Problem, ValidationReport, load_template, validate
from azimagebuilder import _codes as C
from azimagebuilder.validation import SERVICE_TOLERATED_CODES


def test_valid_templates_have_no_problem(doc: dict[str, Any], windows_doc: dict[str, Any]) -> None:
    for template in (doc, windows_doc):
        report = validate(template)
        assert isinstance(report, ValidationReport)
        assert report.errors == []
        assert report.warnings == []
        assert report.ok


def test_the_put_body_form_validates_cleanly(doc: dict[str, Any]) -> None:
    body = load_template(doc).to_resource_body()
    assert set(body) == {"location", "properties"}
    assert validate(body).ok
    # No apiVersion in a PUT body: checked against the versions it fits, and said so (issue 12).
    assert [p.code for p in validate(body).warnings] == ["api-version-assumed"]
    assert validate(body, api_version="2019-05-01-preview").ok
    assert not validate(body, api_version="2019-05-01-preview").warnings


def test_a_model_a_path_and_text_give_the_same_report(doc: dict[str, Any], tmp_path: Path) -> None:
    doc["properties"]["distribute"][0]["runOutputName"] = "a b"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    from_dict = validate(doc)
    assert validate(path) == validate(json.dumps(doc)) == validate(str(path)) == from_dict
    assert [p.code for p in from_dict.errors] == [C.RUN_OUTPUT_NAME_INVALID]
    model = ImageTemplate.model_validate(
        {"location": "westus2", **doc["properties"]}
    )  # the model itself does not check
    assert validate(model) == from_dict


def test_unreadable_input_is_an_error_in_the_report_not_an_exception(tmp_path: Path) -> None:
    report = validate(tmp_path / "absent.json")
    assert [p.code for p in report.errors] == [C.UNREADABLE]
    assert validate("{oops").errors[0].code == C.INVALID_JSON
    assert validate(3.5).errors[0].code == C.NOT_A_TEMPLATE


def test_problem_fields_and_json_form() -> None:
    problem = Problem("properties.customize[2].name", C.CUSTOMIZER_NAME_DUPLICATE, "dup", "error")
    assert problem.to_dict() == {
        "path": "properties.customize[2].name",
        "code": "customizer-name-duplicate",
        "message": "dup",
    }
    assert str(problem) == "properties.customize[2].name: dup [customizer-name-duplicate]"


def test_codes_are_unique_short_and_kebab_case() -> None:
    names = [n for n in dir(C) if n.isupper() and isinstance(getattr(C, n), str)]
    values = [getattr(C, n) for n in names]
    assert len(values) == len(set(values))
    assert set(values) == C.ALL_CODES
    for value in values:
        assert value == value.lower()
        assert " " not in value
        assert len(value) <= 40


def test_service_tolerated_codes_are_the_two_rules_the_service_accepted() -> None:
    assert isinstance(SERVICE_TOLERATED_CODES, frozenset)
    assert {C.CUSTOMIZER_NAME_DUPLICATE, C.DISTRIBUTOR_LOCATION_NOT_IN_PREVIEW} == SERVICE_TOLERATED_CODES
    assert SERVICE_TOLERATED_CODES <= C.ALL_CODES


def test_a_template_the_service_accepted_has_only_tolerated_warnings(doc: dict[str, Any]) -> None:
    # Seen for real (SERVICE-BEHAVIOUR.md): two Shell customizers named alike, and a managed image
    # distributed to southcentralus at 2019-05-01-preview.
    doc["properties"]["customize"].append({"type": "Shell", "name": "hello", "inline": ["echo again"]})
    doc["properties"]["distribute"].append(
        {
            "type": "ManagedImage",
            "imageId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img",
            "location": "southcentralus",
            "runOutputName": "img",
        }
    )
    report = validate(doc)
    # Warnings, with their codes (issue 12): the service accepts them.
    assert report.ok
    assert {p.code for p in report.warnings} == set(SERVICE_TOLERATED_CODES)
    assert [p.path for p in report.warnings] == [
        "properties.customize[1].name",
        "properties.distribute[1].location",
    ]
    assert all("the service was seen to accept this" in p.message for p in report.warnings)


def test_a_model_is_checked_at_the_version_it_was_loaded_with_unless_told(doc: dict[str, Any]) -> None:
    doc["apiVersion"] = "2020-02-14"
    doc["location"] = "southcentralus"
    identity_id = (
        "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i"
    )
    doc["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {identity_id: {}}}
    template = load_template(doc)
    assert validate(template).ok  # any region at 2020-02-14
    told = validate(template, api_version="2019-05-01-preview")
    assert [p.code for p in told.errors] == [C.LOCATION_NOT_IN_PREVIEW]
    assert [p.code for p in told.warnings] == [C.API_VERSION_DIFFERS]
    # For JSON too the argument (the version it will be sent at) decides, with a warning naming it.
    as_json = validate(doc, api_version="2019-05-01-preview")
    assert [p.code for p in as_json.errors] == [C.LOCATION_NOT_IN_PREVIEW]
    assert "2019-05-01-preview applies" in as_json.warnings[0].message
    assert validate(doc).ok  # without the argument: its own apiVersion


def test_pathologically_deep_input_is_a_problem_not_a_recursion_error(doc: dict[str, Any]) -> None:
    nested: list[Any] = []
    inner = nested
    for _ in range(5000):
        inner.append([])
        inner = inner[0]
    doc["properties"]["extra"] = nested
    report = validate(doc)
    assert [p.code for p in report.errors] == [C.NOT_A_TEMPLATE]
    assert "nested too deeply" in report.errors[0].message
