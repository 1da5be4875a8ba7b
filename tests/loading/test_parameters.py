"""Parameters: placeholders filled, expressions evaluated, parameters files read, typos warned.

The done-when test of issue 12 is here: every example of the template document (tests/golden/document),
written back with the document's placeholders, reports each placeholder; filled in through
``parameters=`` (Python) or ``--set`` / ``--parameters`` (command line) it has no error and loads to the
golden template.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import TemplateValidationError, load_template, validate
from azimagebuilder.cli import main
from azimagebuilder.loading._parameters import parse_assignments, read_parameters

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "document"
EXAMPLES = sorted(p for p in GOLDEN.glob("*.json") if p.name != "run-output.json")

# The concrete values of the golden files, and the placeholders the template document writes for them.
PLACEHOLDERS = {
    "00000000-0000-0000-0000-000000000000": "subscriptionID",
    "aibImages": "rgName",
    "westus2": "region",
    "West US 2": "region",  # the document's display name (location.document.json)
    "aibBuiUserId": "imgBuilderId",
}
VALUES = {
    "subscriptionID": "00000000-0000-0000-0000-000000000000",
    "rgName": "aibImages",
    "region": "westus2",
    "imgBuilderId": "aibBuiUserId",
}


def _with_placeholders(value: Any) -> tuple[Any, list[str]]:
    """The example as the document writes it: each concrete value replaced by its <placeholder>."""
    replaced: list[str] = []

    def walk(item: Any, path: str) -> Any:
        if isinstance(item, str):
            out = item
            for concrete, name in PLACEHOLDERS.items():
                out = out.replace(concrete, f"<{name}>")
            if out != item:
                replaced.append(path)
            return out
        if isinstance(item, list):
            return [walk(x, f"{path}[{i}]") for i, x in enumerate(item)]
        if isinstance(item, dict):
            return {walk(k, path): walk(v, f"{path}.{k}" if path else k) for k, v in item.items()}
        return item

    return walk(value, ""), replaced


def _example(path: Path) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    golden = json.loads(path.read_text(encoding="utf-8"))
    templated, replaced = _with_placeholders(golden)
    assert replaced, f"{path.name} has none of the values the document writes as placeholders"
    return golden, templated, replaced


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_documents_examples_report_every_placeholder_without_parameters(path: Path) -> None:
    _, templated, _ = _example(path)
    report = validate(templated)
    codes = {p.code for p in report.errors}
    assert codes == {"placeholder"}, report.errors
    names = {name for name in PLACEHOLDERS.values() if f"<{name}>" in json.dumps(templated)}
    reported = " ".join(p.message for p in report.errors)
    for name in names:
        assert f"<{name}>" in reported


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_documents_examples_filled_with_parameters_have_no_error(path: Path) -> None:
    golden, templated, _ = _example(path)
    report = validate(templated, parameters=VALUES)
    assert report.errors == []
    assert {p.code for p in report.warnings} <= {"parameter-unused"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parameter-unused: not every example uses every value
        loaded = load_template(templated, parameters=VALUES)
    canonical = load_template(golden) if ".document." in path.name else None
    expected = canonical.to_arm() if canonical is not None else golden
    assert loaded.to_arm() == expected


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_documents_examples_filled_on_the_command_line_have_no_error(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, templated, _ = _example(path)
    file = tmp_path / path.name
    file.write_text(json.dumps(templated), encoding="utf-8")
    params = tmp_path / "params.json"
    params.write_text(
        json.dumps(
            {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
                "contentVersion": "1.0.0.0",
                "parameters": {"subscriptionID": {"value": VALUES["subscriptionID"]}},
            }
        ),
        encoding="utf-8",
    )
    sets = [f"--set={name}={value}" for name, value in VALUES.items() if name != "subscriptionID"]
    status = main(["validate", "--format", "json", str(file), "--parameters", str(params), *sets])
    result = json.loads(capsys.readouterr().out)[0]
    assert result["errors"] == []
    assert status == 0
    status = main(["validate", "--format", "json", str(file)])
    result = json.loads(capsys.readouterr().out)[0]
    assert status == 3  # the template is invalid (the exit-code table of docs/cli.md)
    assert {p["code"] for p in result["errors"]} == {"placeholder"}


def test_a_whole_placeholder_takes_the_value_as_it_is(doc: dict[str, Any]) -> None:
    doc["tags"] = "<tags>"
    doc["properties"]["buildTimeoutInMinutes"] = "<minutes>"
    doc["properties"]["customize"][0]["inline"] = ["echo <greeting> from <region>"]
    template = load_template(
        doc, parameters={"tags": {"team": "a"}, "minutes": 90, "greeting": "hi", "region": "westus2"}
    )
    assert template.tags == {"team": "a"}
    assert template.build_timeout_in_minutes == 90
    assert template.customize[0].to_wire()["inline"] == ["echo hi from westus2"]


def test_placeholder_names_match_case_insensitively(doc: dict[str, Any]) -> None:
    doc["location"] = "<Region>"
    assert load_template(doc, parameters={"region": "eastus"}).location == "eastus"


def test_a_value_that_fills_nothing_is_a_warning_with_a_suggestion(doc: dict[str, Any]) -> None:
    doc["location"] = "<region>"
    report = validate(doc, parameters={"regoin": "westus2"})
    assert [p.code for p in report.errors] == ["placeholder"]
    unused = [p for p in report.warnings if p.code == "parameter-unused"]
    assert len(unused) == 1
    assert "'regoin'" in unused[0].message
    assert "did you mean 'region'" in unused[0].message


DEPLOYMENT: dict[str, Any] = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "imageTemplateName": {"type": "string"},
        "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
        "identityName": {"type": "string", "defaultValue": "aibIdentity"},
        "timeout": {"type": "int", "defaultValue": 60},
        "tags": {"type": "object", "defaultValue": {"team": "images"}},
    },
    "variables": {
        "identityId": "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', "
        "parameters('identityName'))]",
        "imageId": "[resourceId('Microsoft.Compute/images', concat(parameters('imageTemplateName'), "
        "'-img'))]",
    },
    "resources": [
        {
            "type": "Microsoft.VirtualMachineImages/imageTemplates",
            "apiVersion": "2019-05-01-preview",
            "name": "[parameters('imageTemplateName')]",
            "location": "[parameters('location')]",
            "tags": "[parameters('tags')]",
            "identity": {
                "type": "UserAssigned",
                "userAssignedIdentities": {"[variables('identityId')]": {}},
            },
            "properties": {
                "buildTimeoutInMinutes": "[parameters('timeout')]",
                "source": {
                    "type": "PlatformImage",
                    "publisher": "Canonical",
                    "offer": "UbuntuServer",
                    "sku": "18.04-LTS",
                    "version": "latest",
                },
                "distribute": [
                    {
                        "type": "ManagedImage",
                        "imageId": "[variables('imageId')]",
                        "location": "[parameters('location')]",
                        "runOutputName": "[format('{0}-out', parameters('imageTemplateName'))]",
                    }
                ],
            },
        }
    ],
}


def test_a_deployment_template_evaluates_with_parameters_defaults_and_scope() -> None:
    template = load_template(
        DEPLOYMENT,
        parameters={"imageTemplateName": "ubuntu", "location": "westus2", "timeout": "90"},
        subscription_id="sub-1",
        resource_group="images",
    )
    rg = "/subscriptions/sub-1/resourceGroups/images/providers"
    assert template.location == "westus2"
    assert template.tags == {"team": "images"}  # the default
    assert template.build_timeout_in_minutes == 90  # "90" read as the declared int
    assert template.identity is not None
    assert template.identity.to_wire()["userAssignedIdentities"] == {
        f"{rg}/Microsoft.ManagedIdentity/userAssignedIdentities/aibIdentity": {}
    }
    distributor = template.distribute[0].to_wire()
    assert distributor["imageId"] == f"{rg}/Microsoft.Compute/images/ubuntu-img"
    assert distributor["runOutputName"] == "ubuntu-out"


def test_without_values_the_expressions_stay_and_are_reported_as_expressions() -> None:
    report = validate(DEPLOYMENT)
    expressions = {p.path for p in report.warnings if p.code == "arm-expression"}
    assert "location" in expressions  # [parameters('location')]: its default needs resourceGroup()
    assert "properties.distribute[0].runOutputName" in expressions  # imageTemplateName has no value
    assert report.errors == []


def test_parameters_files_in_every_accepted_shape(tmp_path: Path) -> None:
    full = {"$schema": "x", "contentVersion": "1.0.0.0", "parameters": {"a": {"value": 1}}}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(full), encoding="utf-8")
    assert read_parameters(path) == ({"a": 1}, [])
    assert read_parameters(str(path)) == ({"a": 1}, [])
    assert read_parameters(json.dumps(full)) == ({"a": 1}, [])
    assert read_parameters({"parameters": {"a": {"value": 1}}}) == ({"a": 1}, [])
    assert read_parameters({"a": {"value": 1}, "b": 2}) == ({"a": 1, "b": 2}, [])


def test_a_key_vault_reference_is_left_unset_with_a_warning() -> None:
    values, problems = read_parameters(
        {"parameters": {"secret": {"reference": {"keyVault": {"id": "/x"}, "secretName": "s"}}}}
    )
    assert values == {}
    assert [(p.code, p.severity) for p in problems] == [("parameters-invalid", "warning")]
    assert "--set secret=" in problems[0].message


@pytest.mark.parametrize(
    ("source", "words"),
    [("missing.json", "cannot read"), ('{"a": ', "not valid JSON"), ("[1, 2]", "JSON object")],
)
def test_unreadable_parameters_are_errors_naming_the_problem(
    source: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    values, problems = read_parameters(source)
    assert values == {}
    assert [p.code for p in problems] == ["parameters-invalid"]
    assert words in problems[0].message


def test_a_bad_parameters_file_refuses_to_load(doc: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(TemplateValidationError) as info:
        load_template(doc, parameters=tmp_path / "absent.json")
    assert [p.code for p in info.value.errors] == ["parameters-invalid"]


def test_set_assignments_parse_text_and_json() -> None:
    assert parse_assignments(["a=b=c", "n=60", 'l=["x"]', 's="quoted"', "e="]) == {
        "a": "b=c",
        "n": "60",
        "l": ["x"],
        "s": "quoted",
        "e": "",
    }
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_assignments(["novalue"])
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_assignments(["x={broken"])


def test_the_command_line_refuses_bad_set_and_parameters_with_status_2(
    doc: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "t.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["validate", str(file), "--set", "novalue"]) == 2
    assert "--set 'novalue': write NAME=VALUE" in capsys.readouterr().err
    assert main(["validate", str(file), "--parameters", str(tmp_path / "none.json")]) == 2
    err = capsys.readouterr().err
    assert "--parameters" in err
    assert "cannot read" in err


def test_the_command_line_evaluates_with_the_deployment_scope(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "deploy.json"
    file.write_text(json.dumps(DEPLOYMENT), encoding="utf-8")
    argv = [
        "validate",
        "--format",
        "json",
        str(file),
        "--set",
        "imageTemplateName=img",
        "--set=location=eastus",
    ]
    assert main([*argv, "--subscription-id", "s", "--resource-group", "g"]) == 0
    result = json.loads(capsys.readouterr().out)[0]
    assert [p for p in result["warnings"] if p["code"] == "arm-expression"] == []
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)[0]
    assert any(p["code"] == "arm-expression" for p in result["warnings"])


def test_a_malformed_expression_is_an_error(doc: dict[str, Any]) -> None:
    doc["properties"]["customize"][0]["name"] = "[concat('a']"
    report = validate(doc)
    assert [(p.path, p.code) for p in report.errors] == [
        ("properties.customize[0].name", "arm-expression-invalid")
    ]
