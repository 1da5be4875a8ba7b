"""The official SDK, azure-mgmt-imagebuilder 2.0.0 (api-version 2025-10-01), as an independent client of the
emulator: every operation it has, and every field of a 2025-10-01 template, kept as sent.

Nothing here uses azimagebuilder's client, so the emulator cannot pass by sharing its mistakes. A call that
errors fails the test; so does a field the emulator drops or changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import azure.mgmt.imagebuilder as sdk
import pytest
from azure.mgmt.imagebuilder import models

RG = "rg-sdk"
API_VERSION = "2025-10-01"


def _ids(sub: str) -> dict[str, str]:
    group = f"/subscriptions/{sub}/resourceGroups/{RG}/providers"
    return {
        "identity": f"{group}/Microsoft.ManagedIdentity/userAssignedIdentities/aib",
        "other_identity": f"{group}/Microsoft.ManagedIdentity/userAssignedIdentities/aib-2",
        "subnets": f"{group}/Microsoft.Network/virtualNetworks/vnet/subnets",
        "gallery_image": f"{group}/Microsoft.Compute/galleries/gallery/images/ubuntu",
        "image": f"{group}/Microsoft.Compute/images/img",
        "staging": f"/subscriptions/{sub}/resourceGroups/aib-staging",
    }


def every_field_template(sub: str) -> dict[str, Any]:
    """A 2025-10-01 template that sets every field the spec lets a PUT set."""
    ids = _ids(sub)
    return {
        "location": "westus2",
        "tags": {"env": "conformance"},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {ids["identity"]: {}}},
        "properties": {
            "source": {
                "type": "PlatformImage",
                "publisher": "Canonical",
                "offer": "0001-com-ubuntu-server-jammy",
                "sku": "22_04-lts-gen2",
                "version": "latest",
                "planInfo": {"planName": "plan", "planProduct": "product", "planPublisher": "publisher"},
            },
            "customize": [
                {
                    "type": "Shell",
                    "name": "script",
                    "scriptUri": "https://example.com/setup.sh",
                    "sha256Checksum": "ab" * 32,
                },
                {"type": "Shell", "name": "inline", "inline": ["echo hello"]},
                {
                    "type": "File",
                    "name": "file",
                    "sourceUri": "https://example.com/motd",
                    "destination": "/tmp/motd",
                },
            ],
            "validate": {
                "continueDistributeOnFailure": True,
                "sourceValidationOnly": False,
                "inVMValidations": [
                    {"type": "Shell", "name": "check", "inline": ["test -f /tmp/motd"]},
                    {
                        "type": "File",
                        "name": "validator",
                        "sourceUri": "https://example.com/check.sh",
                        "destination": "/tmp/check.sh",
                    },
                ],
            },
            "optimize": {"vmBoot": {"state": "Enabled"}},
            "errorHandling": {"onCustomizerError": "abort", "onValidationError": "cleanup"},
            "autoRun": {"state": "Disabled"},
            "managedResourceTags": {"owner": "images"},
            "stagingResourceGroup": ids["staging"],
            "buildTimeoutInMinutes": 90,
            "vmProfile": {
                "vmSize": "Standard_D2s_v3",
                "osDiskSizeGB": 64,
                "userAssignedIdentities": [ids["identity"]],
                "vnetConfig": {
                    "subnetId": f"{ids['subnets']}/build",
                    "containerInstanceSubnetId": f"{ids['subnets']}/aci",
                    "proxyVmSize": "Standard_A1_v2",
                },
            },
            "additionalDataDisks": [{"sizeGB": 32}],
            "distribute": [
                {
                    "type": "SharedImage",
                    "runOutputName": "sig",
                    "galleryImageId": ids["gallery_image"],
                    "targetRegions": [
                        {"name": "westus2", "replicaCount": 1, "storageAccountType": "Standard_LRS"}
                    ],
                    "versioning": {"scheme": "Latest", "major": 2},
                    "excludeFromLatest": False,
                    "replicationMode": "Full",
                    "artifactTags": {"source": "conformance"},
                },
                {
                    "type": "ManagedImage",
                    "runOutputName": "img",
                    "imageId": ids["image"],
                    "location": "westus2",
                },
                {
                    "type": "VHD",
                    "runOutputName": "vhd",
                    "uri": "https://account.blob.core.windows.net/vhds/out.vhd",
                },
            ],
        },
    }


def gallery_source_template(sub: str) -> dict[str, Any]:
    """A template a SourceImage trigger can watch (its source is a gallery image)."""
    ids = _ids(sub)
    return {
        "location": "westus2",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {ids["identity"]: {}}},
        "properties": {
            "source": {
                "type": "SharedImageVersion",
                "imageVersionId": ids["gallery_image"] + "/versions/latest",
            },
            "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
        },
    }


def missing(sent: Any, got: Any, path: str = "") -> list[str]:
    """Paths where ``got`` lacks or changed what ``sent`` had (extra keys in ``got`` are fine)."""
    if isinstance(sent, dict):
        if not isinstance(got, dict):
            return [path or "<root>"]
        out: list[str] = []
        for key, value in sent.items():
            sub = f"{path}.{key}" if path else key
            if key not in got:
                out.append(sub)
            else:
                out += missing(value, got[key], sub)
        return out
    if isinstance(sent, list):
        if not isinstance(got, list) or len(got) != len(sent):
            return [path]
        return [
            p for i, (s, g) in enumerate(zip(sent, got, strict=True)) for p in missing(s, g, f"{path}[{i}]")
        ]
    if isinstance(sent, str) and isinstance(got, str) and path.endswith(".location"):
        return [] if sent.replace(" ", "").lower() == got.replace(" ", "").lower() else [path]
    return [] if sent == got else [path]


@pytest.fixture
def emu(emulator_factory: Callable[..., Any]) -> Any:
    # Builds long enough to cancel; creation, deletion and the cancel itself quick.
    return emulator_factory(build_duration=30, create_duration=0.2, delete_duration=0.2)


@pytest.fixture
def client(emu: Any) -> Any:
    with sdk.ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        polling_interval=0.05,
    ) as sdk_client:
        assert sdk_client._config.api_version == API_VERSION
        yield sdk_client


def test_create_with_every_field_get_and_list(emu: Any, client: Any) -> None:
    templates = client.virtual_machine_image_templates
    body = every_field_template(emu.subscription_id)
    created = templates.begin_create_or_update(RG, "every-field", body).result()
    assert created.properties.provisioning_state == "Succeeded"
    got = templates.get(RG, "every-field").as_dict()
    assert missing(body, got) == []
    assert got["properties"]["exactStagingResourceGroup"] == body["properties"]["stagingResourceGroup"]
    assert [t.name for t in templates.list()] == ["every-field"]
    assert [t.name for t in templates.list_by_resource_group(RG)] == ["every-field"]
    assert list(templates.list_by_resource_group("another-group")) == []


@pytest.mark.parametrize(
    "patch",
    [
        {"tags": {"team": "images"}},
        {"identity": "other"},
        {"properties": {"distribute": [{"type": "VHD", "runOutputName": "only-vhd"}]}},
        {"properties": {"vmProfile": {"vmSize": "Standard_D4s_v3", "osDiskSizeGB": 128}}},
    ],
    ids=["tags", "identity", "distribute", "vmProfile"],
)
def test_update_each_patchable_field(emu: Any, client: Any, patch: dict[str, Any]) -> None:
    templates = client.virtual_machine_image_templates
    body = every_field_template(emu.subscription_id)
    templates.begin_create_or_update(RG, "patched", body).result()
    if patch.get("identity") == "other":
        other = _ids(emu.subscription_id)["other_identity"]
        patch = {"identity": {"type": "UserAssigned", "userAssignedIdentities": {other: {}}}}
    answer = templates.begin_update(RG, "patched", patch).result()
    got = templates.get(RG, "patched").as_dict()
    expected = {k: v for k, v in patch.items() if k != "identity"}
    assert missing(expected, answer.as_dict()) == []
    assert missing(expected, got) == []
    if "identity" in patch:
        assert list(got["identity"]["userAssignedIdentities"]) == list(
            patch["identity"]["userAssignedIdentities"]
        )
    # what the PATCH did not name is untouched
    untouched = {k: v for k, v in body["properties"].items() if k not in patch.get("properties", {})}
    untouched["vmProfile"] = {
        **body["properties"]["vmProfile"],
        **patch.get("properties", {}).get("vmProfile", {}),
    }
    assert missing({"properties": untouched}, got) == []


def test_update_of_a_field_no_version_patches_is_refused(emu: Any, client: Any) -> None:
    from azure.core.exceptions import HttpResponseError

    templates = client.virtual_machine_image_templates
    templates.begin_create_or_update(RG, "fixed", every_field_template(emu.subscription_id)).result()
    with pytest.raises(HttpResponseError) as caught:
        templates.begin_update(RG, "fixed", {"properties": {"buildTimeoutInMinutes": 5}}).result()
    assert caught.value.status_code == 400
    assert "buildTimeoutInMinutes" in str(caught.value)
    assert templates.get(RG, "fixed").properties.build_timeout_in_minutes == 90


def test_run_cancel_run_outputs_and_delete(emu: Any, client: Any) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    templates = client.virtual_machine_image_templates
    templates.begin_create_or_update(RG, "run", every_field_template(emu.subscription_id)).result()
    templates.begin_run(RG, "run")  # the build takes 30 s: cancel it
    templates.begin_cancel(RG, "run").result()
    status = templates.get(RG, "run").properties.last_run_status
    assert status.run_state == "Canceled"
    assert list(templates.list_run_outputs(RG, "run")) == []
    templates.begin_delete(RG, "run").result()

    with pytest.raises(ResourceNotFoundError):
        templates.get(RG, "run")


def test_a_finished_run_and_its_outputs(emulator_factory: Callable[..., Any]) -> None:
    emu = emulator_factory(build_duration=0.6)
    with sdk.ImageBuilderClient(
        emu.credential,
        emu.subscription_id,
        base_url=emu.base_url,
        connection_verify=emu.ca_cert,
        polling_interval=0.05,
    ) as client:
        templates = client.virtual_machine_image_templates
        body = every_field_template(emu.subscription_id)
        templates.begin_create_or_update(RG, "built", body).result()
        assert templates.begin_run(RG, "built").result() is None
        status = templates.get(RG, "built").properties.last_run_status
        assert status.run_state == "Succeeded"
        outputs = {o.name: o for o in templates.list_run_outputs(RG, "built")}
        assert set(outputs) == {"sig", "img", "vhd"}
        assert outputs["vhd"].artifact_uri == body["properties"]["distribute"][2]["uri"]
        one = templates.get_run_output(RG, "built", "img")
        assert one.artifact_id == body["properties"]["distribute"][1]["imageId"]


def test_the_four_trigger_calls(emu: Any, client: Any) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    client.virtual_machine_image_templates.begin_create_or_update(
        RG, "watched", gallery_source_template(emu.subscription_id)
    ).result()
    trigger = models.Trigger(properties=models.SourceImageTriggerProperties())
    created = client.triggers.begin_create_or_update(RG, "watched", "source", trigger).result()
    assert created.properties.kind == "SourceImage"
    assert created.properties.provisioning_state == "Succeeded"
    got = client.triggers.get(RG, "watched", "source")
    assert got.name == "source"
    assert got.properties.status.code == "Healthy"
    assert [t.name for t in client.triggers.list_by_image_template(RG, "watched")] == ["source"]
    client.triggers.begin_delete(RG, "watched", "source").result()
    with pytest.raises(ResourceNotFoundError):
        client.triggers.get(RG, "watched", "source")
    assert list(client.triggers.list_by_image_template(RG, "watched")) == []


def test_operations_list(client: Any) -> None:
    names = {op.name for op in client.operations.list()}
    expected = {
        "Microsoft.VirtualMachineImages/imageTemplates/read",
        "Microsoft.VirtualMachineImages/imageTemplates/write",
        "Microsoft.VirtualMachineImages/imageTemplates/delete",
        "Microsoft.VirtualMachineImages/imageTemplates/run/action",
        "Microsoft.VirtualMachineImages/imageTemplates/cancel/action",
        "Microsoft.VirtualMachineImages/imageTemplates/runOutputs/read",
        "Microsoft.VirtualMachineImages/imageTemplates/triggers/read",
        "Microsoft.VirtualMachineImages/imageTemplates/triggers/write",
        "Microsoft.VirtualMachineImages/imageTemplates/triggers/delete",
        "Microsoft.VirtualMachineImages/locations/operations/read",
    }
    assert expected <= names
