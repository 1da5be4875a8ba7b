"""Every JSON example of the template document, made concrete, built in Python and loaded from JSON.

Each example lives in tests/golden/document/<name>.json as ``to_arm()`` writes it. Where the document
spells something differently from what is written back (``imageVersionID``, region display names), the
document's spelling is in <name>.document.json and must load to the same template.

To rewrite the golden files after a deliberate change: AZIMAGEBUILDER_UPDATE_GOLDEN=1 pytest tests/models
(then review the diff).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azimagebuilder import (
    FileCustomizer,
    ImageTemplate,
    ManagedImageDistributor,
    ManagedImageSource,
    PlatformImageSource,
    PowerShellCustomizer,
    RunOutput,
    SharedImageDistributor,
    SharedImageVersionSource,
    ShellCustomizer,
    UserAssignedIdentity,
    VhdDistributor,
    VmProfile,
    VnetConfig,
    WindowsRestartCustomizer,
    WindowsUpdateCustomizer,
    load_template,
    validate,
)
from azimagebuilder.models import ProvisioningState

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "document"
UPDATE = os.environ.get("AZIMAGEBUILDER_UPDATE_GOLDEN") == "1"

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
RG = f"{SUB}/resourceGroups/aibImages"
IDENTITY_ID = f"{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aibBuiUserId"
IMAGE_ID = f"{RG}/providers/Microsoft.Compute/images/ubuntuBase"
GALLERY_IMAGE_ID = f"{RG}/providers/Microsoft.Compute/galleries/aibSig/images/ubuntu1804"
VERSION_ID = f"{GALLERY_IMAGE_ID}/versions/0.24105.52755"
SCRIPT = "https://raw.githubusercontent.com/danielsollondon/azvmimagebuilder/master/quickquickstarts/customizeScript.sh"
SCRIPT_SHA = "2c6ff6902a4a52deee69e8db26d0036a53388651008aaf31795bb20dabd21fd8"
PS_SCRIPT = "https://raw.githubusercontent.com/danielsollondon/azvmimagebuilder/master/testPsScript.ps1"
PS_SHA = "ade4c5214c3c675e92c66e2d067a870c5b81b9844b3de3cc72c49ff36425fc93"
FILE_URI = (
    "https://raw.githubusercontent.com/danielsollondon/azvmimagebuilder/master/quickquickstarts/"
    "exampleArtifacts/buildArtifacts/index.html"
)

UBUNTU = PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest")
WINDOWS = PlatformImageSource(
    publisher="MicrosoftWindowsServer", offer="WindowsServer", sku="2019-Datacenter", version="latest"
)
HELLO = ShellCustomizer(name="hello", inline=["echo hello"])
VHD = VhdDistributor(run_output_name="ubuntuVhd")


def linux(**fields: Any) -> ImageTemplate:
    """A Linux template around one example of the document."""
    values: dict[str, Any] = {
        "location": "westus2",
        "source": UBUNTU,
        "customize": [HELLO],
        "distribute": [VHD],
    }
    values.update(fields)
    return ImageTemplate(**values)


def windows(**fields: Any) -> ImageTemplate:
    values: dict[str, Any] = {
        "location": "westus2",
        "build_timeout_in_minutes": 100,
        "source": WINDOWS,
        "distribute": [VhdDistributor(run_output_name="windowsVhd")],
    }
    values.update(fields)
    return ImageTemplate(**values)


def basic_format() -> ImageTemplate:
    """'This is the basic template format': every top-level section filled in."""
    return ImageTemplate(
        location="westus2",
        tags={"imagebuilderTemplate": "ubuntu1804", "userIdentity": "enabled"},
        identity=UserAssignedIdentity.from_id(IDENTITY_ID),
        depends_on=[],
        build_timeout_in_minutes=80,
        vm_profile=VmProfile(
            vm_size="Standard_D1_v2",
            os_disk_size_gb=100,
            vnet_config=VnetConfig(name="aibVnet", subnet_name="aibSubnet", resource_group_name="aibVnetRg"),
        ),
        source=UBUNTU,
        customize=[
            ShellCustomizer(name="RunScriptFromSource", script_uri=SCRIPT, sha256_checksum=SCRIPT_SHA)
        ],
        distribute=[
            ManagedImageDistributor(
                image_id=IMAGE_ID.replace("ubuntuBase", "ubuntuCustom"),
                location="westus2",
                run_output_name="ubuntuCustom",
                artifact_tags={"source": "azVmImageBuilder", "baseosimg": "ubuntu1804"},
            )
        ],
    )


EXAMPLES: dict[str, Callable[[], ImageTemplate]] = {
    "basic-format": basic_format,
    "location": lambda: linux(location="westus2"),
    "vm-profile-vm-size": lambda: linux(vm_profile=VmProfile(vm_size="Standard_D1_v2")),
    "vm-profile-os-disk-size": lambda: linux(vm_profile=VmProfile(os_disk_size_gb=100)),
    "vm-profile-vnet-config": lambda: linux(
        vm_profile=VmProfile(
            vnet_config=VnetConfig(name="aibVnet", subnet_name="aibSubnet", resource_group_name="aibVnetRg")
        )
    ),
    "depends-on": lambda: linux(depends_on=[]),
    "tags": lambda: linux(tags={"imagebuilderTemplate": "ubuntu1804", "userIdentity": "enabled"}),
    "identity": lambda: linux(identity=UserAssignedIdentity.from_id(IDENTITY_ID)),
    "source-platform-image": lambda: linux(source=UBUNTU),
    "source-managed-image": lambda: linux(source=ManagedImageSource(image_id=IMAGE_ID)),
    "source-shared-image-version": lambda: linux(
        source=SharedImageVersionSource(image_version_id=VERSION_ID)
    ),
    "build-timeout": lambda: linux(build_timeout_in_minutes=240),
    "customize": lambda: linux(
        customize=[
            ShellCustomizer(name="RunScriptFromSource", script_uri=SCRIPT, sha256_checksum=SCRIPT_SHA),
            ShellCustomizer(name="CheckSumCompare", inline=["sleep 5", "echo done > /tmp/done.txt"]),
        ]
    ),
    "customize-shell": lambda: linux(
        customize=[
            ShellCustomizer(name="RunScriptFromSource", script_uri=SCRIPT, sha256_checksum=SCRIPT_SHA),
            ShellCustomizer(name="setupBuildPath", inline=["sudo mkdir /buildArtifacts"]),
        ]
    ),
    "customize-windows-restart": lambda: windows(
        customize=[
            WindowsRestartCustomizer(
                restart_command="shutdown /r /f /t 0",
                restart_check_command=(
                    "echo Azure-Image-Builder-Restarted-the-VM  > "
                    "c:\\buildArtifacts\\azureImageBuilderRestart.txt"
                ),
                restart_timeout="5m",
            )
        ]
    ),
    "customize-powershell": lambda: windows(
        customize=[
            PowerShellCustomizer(
                name="CreateBuildPath", script_uri=PS_SCRIPT, run_elevated=False, sha256_checksum=PS_SHA
            ),
            PowerShellCustomizer(
                name="settingUpMgmtAgtPath",
                inline=[
                    "mkdir c:\\buildActions",
                    "echo Azure-Image-Builder-Was-Here > c:\\buildActions\\out.txt",
                ],
                valid_exit_codes=[0, 3010],
                run_elevated=True,
            ),
        ]
    ),
    "customize-file": lambda: linux(
        customize=[
            FileCustomizer(
                name="downloadBuildArtifacts",
                source_uri=FILE_URI,
                destination="/tmp/index.html",
                sha256_checksum="d9715d72889fb1a0463d06ce9e89d1d2bd33b2c5e5362a736db6f5a25e601a58",
            )
        ]
    ),
    "customize-windows-update": lambda: windows(
        customize=[
            WindowsUpdateCustomizer(
                search_criteria="IsInstalled=0",
                filters=["exclude:$_.Title -like '*Preview*'", "include:$true"],
                update_limit=20,
            )
        ]
    ),
    "distribute-managed-image": lambda: linux(
        distribute=[
            ManagedImageDistributor(
                type="managedImage",
                image_id=IMAGE_ID.replace("ubuntuBase", "ubuntuCustom"),
                location="westus2",
                run_output_name="ubuntuCustom",
                artifact_tags={"source": "azVmImageBuilder", "baseosimg": "ubuntu1804"},
            )
        ]
    ),
    "distribute-shared-image": lambda: linux(
        distribute=[
            SharedImageDistributor(
                gallery_image_id=GALLERY_IMAGE_ID,
                run_output_name="ubuntuSig",
                artifact_tags={"source": "azVmImageBuilder", "baseosimg": "ubuntu1804"},
                replication_regions=["westus2", "eastus"],
            )
        ]
    ),
    "distribute-vhd": lambda: linux(
        distribute=[VhdDistributor(run_output_name="ubuntuVhd", tags={"source": "azVmImageBuilder"})]
    ),
}


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def test_every_example_has_a_golden_file() -> None:
    names = {p.name.split(".")[0] for p in GOLDEN.glob("*.json")} - {"run-output"}
    assert names == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_built_in_python_matches_the_golden_file(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    written = EXAMPLES[name]().to_arm()
    if UPDATE:
        _write(path, written)
    assert written == _read(path)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_loaded_from_json_is_the_python_one_and_round_trips(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    golden = _read(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a golden example loads without any warning
        loaded = load_template(path)
    assert loaded == EXAMPLES[name]()
    assert loaded.to_arm() == golden
    report = validate(golden)
    assert report.errors == []
    assert report.warnings == []


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.document.json")), ids=lambda p: p.name)
def test_the_documents_own_spelling_loads_to_the_same_template(path: Path) -> None:
    name = path.name.split(".")[0]
    document = _read(path)
    loaded = load_template(document)
    assert loaded == EXAMPLES[name]()
    assert loaded.to_arm() == _read(GOLDEN / f"{name}.json")
    assert loaded.to_arm() != document  # this file exists because the spelling is normalised


def test_the_documents_run_output_answer() -> None:
    """The `az resource show .../runOutputs/<name>` output the document shows."""
    answer = _read(GOLDEN / "run-output.json")
    expected = RunOutput(
        name="rhel77",
        id=(
            "/subscriptions/xxxxxx/resourcegroups/rheltest/providers/Microsoft.VirtualMachineImages/"
            "imageTemplates/ImageTemplateLinuxRHEL77/runOutputs/rhel77"
        ),
        artifact_id=(
            "/subscriptions/xxxxxx/resourceGroups/aibDevOpsImg/providers/Microsoft.Compute/galleries/devOpsSIG/"
            "images/rhel/versions/0.24105.52755"
        ),
        provisioning_state="Succeeded",
    )
    parsed = RunOutput.from_arm(answer)
    assert parsed.name == expected.name
    assert parsed.id == expected.id
    assert parsed.artifact_id == expected.artifact_id
    assert parsed.provisioning_state is ProvisioningState.SUCCEEDED
    assert parsed.artifact_uri is None
    written = parsed.to_arm()
    assert written["properties"] == answer["properties"]
    assert {k: answer[k] for k in ("id", "name", "type")} == {k: written[k] for k in ("id", "name", "type")}
