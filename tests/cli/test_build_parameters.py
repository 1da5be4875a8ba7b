"""``azimagebuilder build --parameters/--set``: placeholders and ARM expressions filled in, then built
against the emulator; resourceId() and resourceGroup() take the build's own subscription and group."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder.cli import main
from azimagebuilder.emulator import Emulator

SUB = "00000000-0000-0000-0000-000000000000"

DEPLOYMENT: dict[str, Any] = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"imageName": {"type": "string"}, "identityName": {"type": "string"}},
    "resources": [
        {
            "type": "Microsoft.VirtualMachineImages/imageTemplates",
            "apiVersion": "2024-02-01",
            "name": "[parameters('imageName')]",
            "location": "<region>",
            "identity": {
                "type": "UserAssigned",
                "userAssignedIdentities": {
                    "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', "
                    "parameters('identityName'))]": {}
                },
            },
            "properties": {
                "source": {
                    "type": "PlatformImage",
                    "publisher": "Canonical",
                    "offer": "0001-com-ubuntu-server-jammy",
                    "sku": "22_04-lts-gen2",
                    "version": "latest",
                },
                "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
                "distribute": [
                    {
                        "type": "ManagedImage",
                        "imageId": "[resourceId('Microsoft.Compute/images', parameters('imageName'))]",
                        "location": "<region>",
                        "runOutputName": "[concat(parameters('imageName'), '-image')]",
                    }
                ],
            },
        }
    ],
}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(build_duration=0.2) as emulator:
        yield emulator


@pytest.fixture
def target(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    return ["--emulator", "--base-url", emu.base_url, "--ca-cert", emu.ca_cert, "--subscription", SUB]


def test_build_fills_placeholders_and_evaluates_expressions(
    tmp_path: Path, target: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "deploy.json"
    template.write_text(json.dumps(DEPLOYMENT), encoding="utf-8")
    params = tmp_path / "deploy.parameters.json"
    params.write_text(
        json.dumps({"contentVersion": "1.0.0.0", "parameters": {"imageName": {"value": "ubuntu"}}}),
        encoding="utf-8",
    )
    argv = ["build", str(template), "-g", "rg", "-n", "filled", *target, "--parameters", str(params)]
    status = main([*argv, "--set", "region=westus2", "--set", "identityName=ib", "--output", "json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert out["runState"] == "Succeeded"
    rg = f"/subscriptions/{SUB}/resourceGroups/rg/providers"
    assert out["outputs"] == {"ubuntu-image": {"artifactId": f"{rg}/Microsoft.Compute/images/ubuntu"}}
    assert main(["show", "-g", "rg", "-n", "filled", *target, "--output", "json"]) == 0
    sent = json.loads(capsys.readouterr().out)
    assert sent["location"] == "westus2"
    assert list(sent["identity"]["userAssignedIdentities"]) == [
        f"{rg}/Microsoft.ManagedIdentity/userAssignedIdentities/ib"
    ]
    assert sent["properties"]["distribute"][0]["imageId"] == f"{rg}/Microsoft.Compute/images/ubuntu"
    # As the service answers the GET: its read-only members too.
    assert sent["id"].endswith("/imageTemplates/filled")
    assert sent["properties"]["provisioningState"] == "Succeeded"
    assert sent["properties"]["lastRunStatus"]["runState"] == "Succeeded"


def test_build_without_the_values_is_refused_naming_the_placeholder(
    tmp_path: Path, target: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "deploy.json"
    template.write_text(json.dumps(DEPLOYMENT), encoding="utf-8")
    argv = ["build", str(template), "-g", "rg", "-n", "unfilled", *target, "--set", "imageName=u"]
    assert main([*argv, "--set", "identityName=ib"]) == 3
    assert "'<region>'" in capsys.readouterr().err
