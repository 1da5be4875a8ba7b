"""Deployment templates of every shape ARM accepts: resources as a list or an object (languageVersion 2.0),
imageTemplates resources in nested deployments, copy loops; --resource-name picks one, --all checks all."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from linux_template import linux_properties

from azimagebuilder import TemplateValidationError, load_template, validate
from azimagebuilder.cli import main

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
TYPE = "Microsoft.VirtualMachineImages/imageTemplates"


def image_template(name: str, location: str = "westus2", **extra: Any) -> dict[str, Any]:
    """An imageTemplates resource as deployment templates write it."""
    return {
        "type": TYPE,
        "apiVersion": "2019-05-01-preview",
        "name": name,
        "location": location,
        "properties": linux_properties(),
        **extra,
    }


def nested(name: str, *resources: dict[str, Any], inner: bool = False, **params: Any) -> dict[str, Any]:
    """A Microsoft.Resources/deployments resource with an inline template."""
    template: dict[str, Any] = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": list(resources)}
    properties: dict[str, Any] = {"mode": "Incremental", "template": template}
    if inner:
        properties["expressionEvaluationOptions"] = {"scope": "inner"}
        template["parameters"] = {key: {"type": "string"} for key in params}
        properties["parameters"] = {key: {"value": value} for key, value in params.items()}
    return {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": name,
        "properties": properties,
    }


def test_language_version_2_resources_keyed_by_symbolic_name() -> None:
    deployment = {
        "$schema": SCHEMA,
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "parameters": {"name": {"type": "string", "defaultValue": "avm-image"}},
        "resources": {
            "identity": {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "name": "id"},
            "imageTemplate": image_template("[parameters('name')]", location="eastus"),
        },
    }
    report = validate(deployment)
    assert report.errors == []
    template = load_template(deployment)
    assert template.location == "eastus"
    assert load_template(deployment, resource_name="avm-image").location == "eastus"


def test_a_symbolic_resources_object_without_language_version_is_still_a_deployment() -> None:
    deployment = {"$schema": SCHEMA, "resources": {"img": image_template("one")}}
    assert validate(deployment).errors == []


def test_an_image_template_in_a_nested_deployment_is_found() -> None:
    deployment = {
        "$schema": SCHEMA,
        "resources": [
            {"type": "Microsoft.Storage/storageAccounts", "name": "sa"},
            nested("inner", image_template("nested-one", location="northeurope")),
        ],
    }
    assert load_template(deployment).location == "northeurope"


def test_nested_deployments_evaluate_in_the_outer_scope_by_default() -> None:
    deployment = {
        "$schema": SCHEMA,
        "parameters": {"region": {"type": "string", "defaultValue": "westeurope"}},
        "resources": [nested("inner", image_template("n", location="[parameters('region')]"))],
    }
    assert load_template(deployment).location == "westeurope"


def test_nested_deployments_with_inner_scope_get_the_values_passed_to_them() -> None:
    inner = nested(
        "inner",
        image_template("n", location="[parameters('where')]"),
        inner=True,
        where="[toLower(parameters('region'))]",
    )
    deployment = {
        "$schema": SCHEMA,
        "parameters": {"region": {"type": "string"}},
        "resources": [inner],
    }
    assert load_template(deployment, parameters={"region": "EastUS2"}).location == "eastus2"
    report = validate(deployment)  # no value for region: the inner parameter stays an expression
    assert [p.path for p in report.warnings if p.code == "arm-expression"] == ["location"]


def test_deployments_nested_two_deep() -> None:
    deployment = {
        "$schema": SCHEMA,
        "resources": [nested("outer", nested("inner", image_template("deep", location="westus")))],
    }
    assert load_template(deployment).location == "westus"


def test_a_copy_loop_is_checked_as_its_first_instance_with_a_warning() -> None:
    resource = image_template("[concat('img-', copyIndex())]", copy={"name": "loop", "count": 3})
    resource["properties"]["distribute"][0]["runOutputName"] = "[concat('vhd', copyIndex(1))]"
    deployment = {"$schema": SCHEMA, "resources": [resource]}
    report = validate(deployment)
    assert report.errors == []
    loops = [p for p in report.warnings if p.code == "copy-loop"]
    assert len(loops) == 1
    assert "count 3" in loops[0].message
    assert "copyIndex() = 0" in loops[0].message
    with pytest.warns(UserWarning, match="copy-loop"):
        template = load_template(deployment, resource_name="img-0")
    assert template.distribute[0].run_output_name == "vhd1"


THREE = {
    "$schema": SCHEMA,
    "contentVersion": "1.0.0.0",
    "parameters": {"prefix": {"type": "string", "defaultValue": "aib"}},
    "resources": [
        image_template("[concat(parameters('prefix'), '-linux')]"),
        image_template("bad", location="mars"),
        nested("images", image_template("nested-win", location="eastus")),
    ],
}


def test_several_templates_need_a_name_and_the_error_lists_them() -> None:
    with pytest.raises(TemplateValidationError) as info:
        load_template(THREE)
    (error,) = info.value.errors
    assert error.code == "ambiguous-resource"
    assert "'aib-linux', 'bad', 'nested-win'" in error.message
    assert "resource_name=" in error.message


@pytest.mark.parametrize("name", ["aib-linux", "[concat(parameters('prefix'), '-linux')]", "NESTED-WIN"])
def test_resource_name_matches_the_name_as_written_or_as_evaluated(name: str) -> None:
    assert validate(THREE, resource_name=name).ok


def test_validate_all_reports_every_image_template_nested_included(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "three.json"
    file.write_text(json.dumps(THREE), encoding="utf-8")
    status = main(["validate", "--all", "--format", "json", str(file)])
    results = json.loads(capsys.readouterr().out)
    assert status == 3  # "bad" is in mars
    assert [r["file"] for r in results] == [f"{file} [aib-linux]", f"{file} [bad]", f"{file} [nested-win]"]
    assert [bool(r["errors"]) for r in results] == [False, True, False]
    assert {p["code"] for p in results[1]["errors"]} == {"location-not-in-preview"}


def test_the_command_line_says_resource_name_and_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "three.json"
    file.write_text(json.dumps(THREE), encoding="utf-8")
    assert main(["validate", str(file)]) == 3
    out = capsys.readouterr().out
    assert "say which with --resource-name, or check them all with --all [ambiguous-resource]" in out
    assert main(["validate", str(file), "--resource-name", "nested-win"]) == 0
    assert capsys.readouterr().out == f"{file} [nested-win]: OK\n"


def test_resource_name_and_all_together_are_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "x.json", "--all", "--resource-name", "a"])
    assert info.value.code == 2


def test_all_on_a_bare_template_checks_it_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "bare.json"
    bare = copy.deepcopy(image_template("x"))
    file.write_text(json.dumps(bare), encoding="utf-8")
    assert main(["validate", "--all", str(file)]) == 0
    assert capsys.readouterr().out == f"{file}: OK\n"


def test_a_deployment_without_any_image_template_says_where_it_looked() -> None:
    deployment = {"$schema": SCHEMA, "resources": {"sa": {"type": "Microsoft.Storage/storageAccounts"}}}
    report = validate(deployment)
    assert [p.code for p in report.errors] == ["no-image-template"]
    assert "nested Microsoft.Resources/deployments" in report.errors[0].message


def test_an_existing_resource_is_a_reference_not_a_template_to_check() -> None:
    existing = {"type": TYPE, "apiVersion": "2022-07-01", "name": "elsewhere", "existing": True}
    deployment = {
        "$schema": SCHEMA,
        "languageVersion": "2.0",
        "resources": {"old": existing, "new": image_template("new")},
    }
    assert validate(deployment).errors == []  # one template to check: no ambiguous-resource
    only_existing = {"$schema": SCHEMA, "languageVersion": "2.0", "resources": {"old": existing}}
    assert [p.code for p in validate(only_existing).errors] == ["no-image-template"]


def test_a_linked_template_is_named_when_nothing_else_is_found() -> None:
    linked = {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "images",
        "properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.com/image.json"}},
    }
    report = validate({"$schema": SCHEMA, "resources": [linked]})
    (error,) = report.errors
    assert error.code == "no-image-template"
    assert "resources[0] link their template (templateLink), which is not fetched" in error.message
