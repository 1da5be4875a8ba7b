"""The models: wire names, round trips, the service's read-only answers."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from azimagebuilder import (
    FileCustomizer,
    ImageTemplate,
    LastRunStatus,
    ManagedImageDistributor,
    ManagedImageSource,
    PlatformImageSource,
    PowerShellCustomizer,
    ProvisioningError,
    RunOutput,
    SharedImageDistributor,
    SharedImageVersionSource,
    ShellCustomizer,
    TemplateValidationError,
    UserAssignedIdentity,
    VhdDistributor,
    VmProfile,
    VnetConfig,
    WindowsRestartCustomizer,
    WindowsUpdateCustomizer,
    validate,
)
from azimagebuilder.models import (
    ProvisioningState,
    RunState,
    RunSubState,
    UnknownCustomizer,
    UnknownDistributor,
    UnknownSource,
)

SUB = "/subscriptions/0000/resourceGroups/rg/providers"
IDENTITY_ID = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/aib"


def ubuntu() -> PlatformImageSource:
    return PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest")


def test_to_arm_writes_the_document_form_with_camel_case_names() -> None:
    template = ImageTemplate(
        location="westus2",
        tags={"team": "images"},
        identity=UserAssignedIdentity.from_id(IDENTITY_ID),
        depends_on=[],
        build_timeout_in_minutes=80,
        vm_profile=VmProfile(vm_size="Standard_D2_v2", os_disk_size_gb=64),
        source=ubuntu(),
        customize=[ShellCustomizer(name="s", script_uri="https://example.com/s.sh")],
        distribute=[VhdDistributor(run_output_name="vhd", artifact_tags={"a": "b"})],
    )
    assert template.to_arm() == {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2019-05-01-preview",
        "location": "westus2",
        "tags": {"team": "images"},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY_ID: {}}},
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
            "customize": [{"type": "Shell", "name": "s", "scriptUri": "https://example.com/s.sh"}],
            "distribute": [{"type": "VHD", "runOutputName": "vhd", "artifactTags": {"a": "b"}}],
        },
    }


def test_a_deployment_resource_keeps_its_name_through_load_and_to_arm(doc: dict[str, Any]) -> None:
    from azimagebuilder import load_template

    resource = {**doc, "name": "ubuntu-template"}
    written = load_template(resource).to_arm()
    assert written == resource
    assert list(written)[:4] == ["type", "apiVersion", "name", "location"]
    assert "name" not in load_template(resource).to_resource_body()


def test_to_arm_takes_an_api_version() -> None:
    template = ImageTemplate(
        location="westus2", source=ubuntu(), distribute=[VhdDistributor(run_output_name="v")]
    )
    assert template.to_arm(api_version="2020-02-14")["apiVersion"] == "2020-02-14"


def test_to_resource_body_is_the_put_body() -> None:
    template = ImageTemplate(
        location="westus2",
        tags={"a": "b"},
        identity={"type": "UserAssigned", "userAssignedIdentities": {IDENTITY_ID: {}}},
        depends_on=["x"],
        source=ubuntu(),
        distribute=[VhdDistributor(run_output_name="v")],
    )
    body = template.to_resource_body()
    assert set(body) == {"location", "tags", "identity", "properties"}
    assert body["properties"]["distribute"] == [{"type": "VHD", "runOutputName": "v"}]
    assert "customize" not in body["properties"]


def test_dicts_of_the_wire_shape_are_accepted_wherever_a_model_is() -> None:
    template = ImageTemplate(
        location="westus2",
        source={"type": "ManagedImage", "imageId": f"{SUB}/Microsoft.Compute/images/base"},
        customize=[
            {
                "type": "PowerShell",
                "name": "p",
                "inline": ["dir"],
                "runElevated": True,
                "validExitCodes": [0, 3010],
            },
            {"type": "WindowsRestart", "restartTimeout": "10m"},
            {"type": "File", "name": "f", "sourceUri": "https://e.com/a", "destination": "c:\\a"},
            {"type": "WindowsUpdate", "searchCriteria": "IsInstalled=0", "filters": ["include:$true"]},
            {"type": "shell", "name": "lower-case type", "inline": ["true"]},
        ],
        distribute=[
            {"type": "SharedImage", "galleryImageId": "g", "runOutputName": "s", "replicationRegions": ["a"]},
            {"type": "managedImage", "imageId": "i", "location": "westus", "runOutputName": "m"},
        ],
        vm_profile={"vmSize": "Standard_D2_v2", "vnetConfig": {"name": "v", "subnetName": "s"}},
    )
    assert isinstance(template.source, ManagedImageSource)
    kinds = [type(c) for c in template.customize]
    assert kinds == [
        PowerShellCustomizer,
        WindowsRestartCustomizer,
        FileCustomizer,
        WindowsUpdateCustomizer,
        ShellCustomizer,
    ]
    assert template.customize[0].valid_exit_codes == (0, 3010)
    assert template.customize[4].type == "Shell"  # unknown spellings are written the REST API's way
    assert isinstance(template.distribute[0], SharedImageDistributor)
    assert isinstance(template.distribute[1], ManagedImageDistributor)
    assert template.distribute[1].type == "managedImage"  # the document's spelling is kept as written
    assert template.vm_profile is not None
    assert template.vm_profile.vnet_config == VnetConfig(name="v", subnet_name="s")


def test_models_are_frozen() -> None:
    source = ubuntu()
    with pytest.raises(AttributeError, match=r"immutable.*model_copy\(update=\{'sku': \.\.\.\}\)"):
        source.sku = "20.04"  # type: ignore[misc]


def test_unknown_fields_are_kept_and_written_back() -> None:
    distributor = VhdDistributor.model_validate({"runOutputName": "v", "aritfactTags": {"a": "b"}})
    assert distributor.model_extra == {"aritfactTags": {"a": "b"}}
    assert distributor.to_wire() == {"type": "VHD", "runOutputName": "v", "aritfactTags": {"a": "b"}}


def test_an_unknown_field_set_to_null_survives_the_round_trip_at_any_depth() -> None:
    # Found by the loader's property test: exclude_none dropped the author's {"": null} in vmProfile.
    distributor = VhdDistributor.model_validate({"runOutputName": "v", "futureField": None})
    assert distributor.to_wire() == {"type": "VHD", "runOutputName": "v", "futureField": None}
    template = ImageTemplate.from_arm(
        {
            "location": "westus2",
            "properties": {
                "source": ubuntu().to_wire(),
                "distribute": [distributor.to_wire()],
                "vmProfile": {"vmSize": "Standard_D2s_v3", "futureKnob": None},
            },
        }
    )
    written = template.to_arm()
    assert written["properties"]["vmProfile"] == {"vmSize": "Standard_D2s_v3", "futureKnob": None}
    assert written["properties"]["distribute"][0]["futureField"] is None
    assert ImageTemplate.from_arm(written) == template
    # Declared fields nobody gave stay out, as before.
    assert "osDiskSizeGB" not in written["properties"]["vmProfile"]


def test_property_names_match_case_insensitively() -> None:
    source = SharedImageVersionSource.model_validate({"type": "SharedImageVersion", "imageVersionID": "x"})
    assert source.image_version_id == "x"
    assert source.to_wire() == {"type": "SharedImageVersion", "imageVersionId": "x"}


def test_a_wrong_type_name_is_refused_by_the_model() -> None:
    with pytest.raises(TemplateValidationError, match="type must be 'Shell'"):
        ShellCustomizer(type="File", name="x")


def test_repr_is_short() -> None:
    assert repr(ShellCustomizer(name="hello", inline=["echo hi"])) == (
        "ShellCustomizer(name='hello', inline=('echo hi',))"
    )
    assert repr(VhdDistributor(run_output_name="v")) == "VhdDistributor(run_output_name='v')"


def test_from_arm_reads_the_services_get_answer() -> None:
    answer = {
        "id": "/subscriptions/0000/resourcegroups/rg/providers/Microsoft.VirtualMachineImages/"
        "imageTemplates/t1",
        "name": "t1",
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "location": "westus2",
        "tags": {},
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": {IDENTITY_ID: {"principalId": "p", "clientId": "c"}},
        },
        "systemData": {"createdBy": "someone"},
        "properties": {
            "source": {
                "type": "PlatformImage",
                "publisher": "Canonical",
                "offer": "UbuntuServer",
                "sku": "18.04-LTS",
                "version": "latest (16.04.202004290)",
            },
            "customize": [
                {"type": "Shell", "name": "s", "scriptUri": "https://e.com/s.sh", "sha256Checksum": "a" * 64}
            ],
            "distribute": [{"type": "VHD", "runOutputName": "v", "artifactTags": {}}],
            "buildTimeoutInMinutes": 0,
            "provisioningState": "Succeeded",
            "provisioningError": {"provisioningErrorCode": "BadSourceType", "message": "no"},
            "lastRunStatus": {
                "startTime": "2020-09-08T04:29:55.838053665Z",
                "endTime": "0001-01-01T00:00:00Z",
                "runState": "Running",
                "runSubState": "Queued",
                "message": "",
            },
        },
    }
    template = ImageTemplate.from_arm(answer)
    assert template.name == "t1"
    assert template.id is not None
    assert template.id.endswith("/t1")
    assert template.provisioning_state is ProvisioningState.SUCCEEDED
    assert template.provisioning_error == ProvisioningError(
        provisioning_error_code="BadSourceType", message="no"
    )
    status = template.last_run_status
    assert status is not None
    assert status.start_time == datetime(2020, 9, 8, 4, 29, 55, 838053, tzinfo=timezone.utc)
    assert status.end_time is None
    assert status.run_state == RunState.RUNNING
    assert status.run_sub_state is RunSubState.QUEUED
    assert status.is_running
    written = template.to_arm()
    # Read-only answers are not written back, identity values are sent as {}; the name is the resource's
    # in a deployment template, so the document form keeps it (a PUT body does not: the URL names it).
    assert "provisioningState" not in written["properties"]
    assert "lastRunStatus" not in written["properties"]
    assert "id" not in written
    assert written["name"] == "t1"
    assert "systemData" not in written
    assert written["identity"]["userAssignedIdentities"] == {IDENTITY_ID: {}}
    assert set(template.to_resource_body()) == {"location", "tags", "identity", "properties"}


def test_last_run_status_keeps_unknown_states_as_strings() -> None:
    status = LastRunStatus.model_validate(
        {"runState": "SomethingNew", "runSubState": "optimizing", "endTime": "2020-09-08T05:00:00.5+02:00"}
    )
    assert status.run_state == "SomethingNew"
    assert status.run_sub_state is RunSubState.OPTIMIZING
    assert status.end_time == datetime(2020, 9, 8, 3, 0, 0, 500000, tzinfo=timezone.utc)
    assert not status.is_running


def test_open_enums_compare_case_insensitively() -> None:
    assert RunState("PARTIALLYSUCCEEDED") is RunState.PARTIALLY_SUCCEEDED
    assert RunState.SUCCEEDED == "succeeded"
    assert RunState.SUCCEEDED != "failed"
    assert {RunState.FAILED: 1}[RunState("failed")] == 1


def test_run_output_from_arm_flattens_properties() -> None:
    vhd = RunOutput.from_arm(
        {
            "name": "vhd",
            "id": "/subscriptions/0000/resourcegroups/rg/providers/Microsoft.VirtualMachineImages/"
            "imageTemplates/t/runOutputs/vhd",
            "type": "Microsoft.VirtualMachineImages/imageTemplates/runOutputs",
            "properties": {
                "artifactUri": "https://acct.blob.core.windows.net/vhds/t.vhd",
                "provisioningState": "Succeeded",
            },
        }
    )
    assert vhd.name == "vhd"
    assert vhd.artifact_uri == "https://acct.blob.core.windows.net/vhds/t.vhd"
    assert vhd.artifact_id is None
    assert vhd.provisioning_state is ProvisioningState.SUCCEEDED
    assert vhd.to_arm()["properties"] == {
        "artifactUri": "https://acct.blob.core.windows.net/vhds/t.vhd",
        "provisioningState": "Succeeded",
    }


def test_source_defaults_and_types() -> None:
    assert ubuntu().type == "PlatformImage"
    assert PlatformImageSource(publisher="p", offer="o", sku="s").version == "latest"
    assert SharedImageVersionSource(image_version_id="x").to_wire() == {
        "type": "SharedImageVersion",
        "imageVersionId": "x",
    }


def test_from_arm_reads_types_this_library_does_not_model_and_validate_refuses_them() -> None:
    # An old template with an ISO source, or a newer service's types, must not break listing templates.
    template = ImageTemplate.from_arm(
        {
            "location": "westus",
            "identity": {"type": "None"},
            "properties": {
                "source": {"type": "ISO", "sourceUri": "https://e.com/rhel.iso", "sha256Checksum": "a" * 64},
                "customize": [{"type": "FutureStep", "name": "x", "depth": 3}],
                "distribute": [{"type": "Blob", "runOutputName": "b"}],
            },
        }
    )
    assert isinstance(template.source, UnknownSource)
    assert isinstance(template.customize[0], UnknownCustomizer)
    assert isinstance(template.distribute[0], UnknownDistributor)
    assert template.to_arm()["properties"]["customize"] == [{"type": "FutureStep", "name": "x", "depth": 3}]
    assert template.identity is not None
    assert template.identity.resource_ids == []
    codes = [p.code for p in validate(template).errors]
    assert codes == [
        "identity-type",
        "identity-count",
        "iso-source-deprecated",
        "customizer-type-unknown",
        "distributor-type-unknown",
    ]


def test_from_arm_turns_shape_errors_into_template_validation_error_with_json_paths() -> None:
    with pytest.raises(TemplateValidationError) as info:
        ImageTemplate.from_arm(
            {
                "location": "westus2",
                "tags": {"a": 1},
                "properties": {
                    "buildTimeoutInMinutes": "abc",
                    "source": {"type": "PlatformImage"},
                    "distribute": [{"type": "VHD"}],
                },
            }
        )
    found = sorted((p.path, p.code) for p in info.value.errors)
    assert found == [
        ("properties.buildTimeoutInMinutes", "wrong-value-type"),
        ("properties.distribute[0].runOutputName", "missing-field"),
        ("tags.a", "wrong-value-type"),
    ]
    with pytest.raises(TemplateValidationError, match="JSON object"):
        ImageTemplate.from_arm([])  # type: ignore[arg-type]
    with pytest.raises(TemplateValidationError, match="no properties"):
        ImageTemplate.from_arm({"location": "westus2"})
