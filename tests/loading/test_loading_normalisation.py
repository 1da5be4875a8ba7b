"""What load_template changes (documented normalisations) and what it keeps as written."""

from __future__ import annotations

from typing import Any

import pytest

from azimagebuilder import TemplateValidationError, load_template
from azimagebuilder import _codes as C
from azimagebuilder.loading import TemplateWarning


def test_region_display_names_are_written_as_short_names(doc: dict[str, Any]) -> None:
    doc["location"] = "West US 2"
    doc["properties"]["distribute"].append(
        {
            "type": "SharedImage",
            "galleryImageId": "/subscriptions/0/resourceGroups/rg/providers/"
            "Microsoft.Compute/galleries/g/images/d",
            "runOutputName": "sig",
            "replicationRegions": ["North Europe", "westus"],
        }
    )
    written = load_template(doc).to_arm()
    assert written["location"] == "westus2"
    assert written["properties"]["distribute"][1]["replicationRegions"] == ["northeurope", "westus"]


def test_type_names_the_document_or_the_api_spell_are_kept(doc: dict[str, Any]) -> None:
    doc["properties"]["distribute"] = [
        {
            "type": "managedImage",
            "imageId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/a",
            "location": "westus2",
            "runOutputName": "a",
        },
        {
            "type": "ManagedImage",
            "imageId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/b",
            "location": "westus2",
            "runOutputName": "b",
        },
    ]
    assert load_template(doc).to_arm() == doc


def test_other_type_name_spellings_are_written_the_api_way(doc: dict[str, Any]) -> None:
    doc["type"] = "microsoft.virtualmachineimages/IMAGETEMPLATES"
    doc["properties"]["customize"][0]["type"] = "SHELL"
    doc["properties"]["distribute"][0]["type"] = "vhd"
    doc["properties"]["source"]["type"] = "platformimage"
    with pytest.warns(TemplateWarning, match=C.WRONG_CASE) as caught:  # refused from 2024-02-01 on
        written = load_template(doc).to_arm()
    paths = {p.path for w in caught for p in getattr(w.message, "warnings", [])}
    assert {
        "properties.customize[0].type",
        "properties.distribute[0].type",
        "properties.source.type",
    } <= paths
    assert written["type"] == "Microsoft.VirtualMachineImages/imageTemplates"
    assert written["properties"]["customize"][0]["type"] == "Shell"
    assert written["properties"]["distribute"][0]["type"] == "VHD"
    assert written["properties"]["source"]["type"] == "PlatformImage"


def test_property_names_are_matched_case_insensitively_and_written_canonically(doc: dict[str, Any]) -> None:
    doc["Location"] = doc.pop("location")
    doc["properties"]["customize"][0] = {"Type": "Shell", "NAME": "s", "scriptURI": "https://e.com/s.sh"}
    with pytest.warns(TemplateWarning, match="did you mean|write 'scriptUri'"):  # an error from 2024-02-01
        template = load_template(doc)
    assert template.location == "westus2"
    assert template.to_arm()["properties"]["customize"][0] == {
        "type": "Shell",
        "name": "s",
        "scriptUri": "https://e.com/s.sh",
    }


def test_the_incomplete_resource_type_loads_with_a_warning(doc: dict[str, Any]) -> None:
    doc["type"] = "Microsoft.VirtualMachineImages"
    with pytest.warns(TemplateWarning, match=C.RESOURCE_TYPE_INCOMPLETE):
        template = load_template(doc)
    assert template.to_arm()["type"] == "Microsoft.VirtualMachineImages/imageTemplates"


def test_unknown_fields_are_kept_through_a_round_trip_with_a_suggestion(doc: dict[str, Any]) -> None:
    doc["properties"]["distribute"][0]["aritfactTags"] = {"a": "b"}
    doc["properties"]["vmprofil"] = {"vmSize": "x"}
    doc["comments"] = "built nightly"
    with pytest.warns(TemplateWarning) as caught:
        template = load_template(doc)
    assert template.to_arm() == doc
    messages = str(caught[0].message)
    assert "did you mean `artifactTags`?" in messages
    assert "did you mean `vmProfile`?" in messages


def test_arm_expressions_load_with_a_warning_and_are_kept(doc: dict[str, Any]) -> None:
    doc["apiVersion"] = "[parameters('api-version')]"
    doc["location"] = "[parameters('location')]"
    doc["properties"]["buildTimeoutInMinutes"] = "[parameters('timeout')]"
    doc["properties"]["vmProfile"] = {"osDiskSizeGB": "[parameters('disk')]"}
    doc["properties"]["customize"] = [
        {
            "type": "PowerShell",
            "name": "p",
            "inline": "[variables('commands')]",
            "runElevated": "[parameters('e')]",
        }
    ]
    with pytest.warns(TemplateWarning, match=C.ARM_EXPRESSION):
        template = load_template(doc)
    assert template.build_timeout_in_minutes == "[parameters('timeout')]"
    written = template.to_arm()
    assert written == doc


def test_placeholders_refuse_the_template_naming_the_field(doc: dict[str, Any]) -> None:
    doc["location"] = "<region>"
    doc["properties"]["distribute"][0]["runOutputName"] = "<runOutputName>"
    with pytest.raises(TemplateValidationError) as info:
        load_template(doc)
    assert [(p.path, p.code) for p in info.value.errors] == [
        ("location", C.PLACEHOLDER),
        ("properties.distribute[0].runOutputName", C.PLACEHOLDER),
    ]
    assert "`location` still holds the placeholder '<region>'" in info.value.errors[0].message


def test_a_placeholder_in_an_identity_id_names_the_map_not_a_piece_of_the_id(doc: dict[str, Any]) -> None:
    identity = (
        "/subscriptions/<subscriptionId>/resourcegroups/rg/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/aib"
    )
    doc["identity"] = {"type": "UserAssigned", "userAssignedIdentities": {identity: {}}}
    with pytest.raises(TemplateValidationError) as info:
        load_template(doc)
    [problem] = info.value.errors
    assert problem.path == f"identity.userAssignedIdentities['{identity}']"
    assert problem.message.startswith(
        "a key of `userAssignedIdentities` still holds the placeholder '<subscriptionId>'"
    )


def test_errors_carry_the_warnings_too(doc: dict[str, Any]) -> None:
    doc["properties"]["distribute"][0]["aritfactTags"] = {}
    doc["properties"]["distribute"][0]["runOutputName"] = ""
    with pytest.raises(TemplateValidationError) as info:
        load_template(doc)
    assert [p.code for p in info.value.errors] == [C.MISSING_FIELD]
    assert [p.code for p in info.value.warnings] == [C.UNKNOWN_FIELD]


def test_json_null_means_not_given(doc: dict[str, Any]) -> None:
    doc["properties"]["customize"] = None
    doc["tags"] = None
    template = load_template(doc)
    assert template.customize == ()
    assert template.tags is None
    assert "customize" not in template.to_arm()["properties"]
    assert "tags" not in template.to_arm()
