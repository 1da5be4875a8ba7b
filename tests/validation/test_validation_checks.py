"""Every rule of the template document: each case breaks a valid template in one way and expects exactly
the problems that break should cause (code, path and severity), nothing more."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from azimagebuilder import _codes as C
from azimagebuilder import validate

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_DELETE = object()
SUB = "/subscriptions/0000/resourceGroups/rg/providers"
IMAGE_ID = f"{SUB}/Microsoft.Compute/images/img"
GALLERY_IMAGE_ID = f"{SUB}/Microsoft.Compute/galleries/g/images/def"
VERSION_ID = f"{GALLERY_IMAGE_ID}/versions/1.0.0"
IDENTITY_ID = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/aib"
SUBNET_ID = f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/default"
IDENTITY = {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY_ID: {}}}


def put(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set (or delete, with _DELETE) the value at a JSON path such as ``properties.customize[0].name``."""
    steps: list[str | int] = [m.group(1) if m.group(1) else int(m.group(2)) for m in _STEP.finditer(path)]
    target: Any = doc
    for step in steps[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[steps[-1]]
    elif isinstance(target, list) and steps[-1] == len(target):
        target.append(value)
    else:
        target[steps[-1]] = value


Edit = Callable[[dict[str, Any]], None]


def edits(*changes: tuple[str, Any]) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        for path, value in changes:
            put(doc, path, value)

    return apply


E, W = "error", "warning"
CU = "properties.customize"
DI = "properties.distribute"

# (id, base template, edit, api_version, expected [(severity, code, path)])
CASES: list[tuple[str, str, Edit, str, list[tuple[str, str, str]]]] = [
    # type and apiVersion
    ("wrong-type", "linux", edits(("type", "Microsoft.Compute/images")), "", [(E, C.RESOURCE_TYPE, "type")]),
    (
        "type-without-imageTemplates",
        "linux",
        edits(("type", "Microsoft.VirtualMachineImages")),
        "",
        [(W, C.RESOURCE_TYPE_INCOMPLETE, "type")],
    ),
    ("type-lower-case", "linux", edits(("type", "microsoft.virtualmachineimages/imagetemplates")), "", []),
    (
        "unknown-api",
        "linux",
        edits(("apiVersion", "2019-13-01")),
        "",
        [(E, C.API_VERSION_UNKNOWN, "apiVersion")],
    ),
    # location
    ("no-location", "linux", edits(("location", _DELETE)), "", [(E, C.MISSING_FIELD, "location")]),
    ("display-name", "linux", edits(("location", "West US 2")), "", []),
    (
        "region-outside-preview",
        "linux",
        edits(("location", "southcentralus")),
        "",
        [(E, C.LOCATION_NOT_IN_PREVIEW, "location")],
    ),
    (
        "any-region-after-preview",
        "linux",
        edits(("location", "southcentralus"), ("apiVersion", "2020-02-14"), ("identity", IDENTITY)),
        "",
        [],
    ),
    ("not-a-region", "linux", edits(("location", "west-us!")), "", [(E, C.LOCATION_INVALID, "location")]),
    # identity
    ("identity-ok", "linux", edits(("identity", IDENTITY)), "", []),
    (
        "identity-system-assigned",
        "linux",
        edits(("identity", {"type": "SystemAssigned", "userAssignedIdentities": {IDENTITY_ID: {}}})),
        "",
        [(E, C.IDENTITY_TYPE, "identity.type")],
    ),
    (
        "identity-two",
        "linux",
        edits(
            (
                "identity",
                {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY_ID: {}, IDENTITY_ID + "2": {}}},
            )
        ),
        "",
        [(E, C.IDENTITY_COUNT, "identity.userAssignedIdentities")],
    ),
    (
        "identity-none",
        "linux",
        edits(("identity", {"type": "UserAssigned", "userAssignedIdentities": {}})),
        "",
        [(E, C.IDENTITY_COUNT, "identity.userAssignedIdentities")],
    ),
    (
        "identity-bad-id",
        "linux",
        edits(("identity", {"type": "UserAssigned", "userAssignedIdentities": {"aib": {}}})),
        "",
        [(E, C.RESOURCE_ID_MALFORMED, "identity.userAssignedIdentities['aib']")],
    ),
    (
        "identity-required-at-2020",
        "linux",
        edits(("apiVersion", "2020-02-14")),
        "",
        [(E, C.IDENTITY_REQUIRED, "identity")],
    ),
    # source
    (
        "no-source",
        "linux",
        edits(("properties.source", _DELETE)),
        "",
        [(E, C.MISSING_FIELD, "properties.source")],
    ),
    (
        "source-type-unknown",
        "linux",
        edits(("properties.source.type", "Marketplace")),
        "",
        [(E, C.SOURCE_TYPE_UNKNOWN, "properties.source.type")],
    ),
    (
        "iso-source",
        "linux",
        edits(
            (
                "properties.source",
                {"type": "ISO", "sourceUri": "https://e.com/rhel.iso", "sha256Checksum": "a" * 64},
            )
        ),
        "",
        [(E, C.ISO_SOURCE_DEPRECATED, "properties.source.type")],
    ),
    (
        "platform-no-sku",
        "linux",
        edits(("properties.source.sku", _DELETE)),
        "",
        [(E, C.MISSING_FIELD, "properties.source.sku")],
    ),
    (
        "managed-image-source",
        "linux",
        edits(("properties.source", {"type": "ManagedImage", "imageId": IMAGE_ID})),
        "",
        [],
    ),
    (
        "managed-image-source-bad-id",
        "linux",
        edits(("properties.source", {"type": "ManagedImage", "imageId": VERSION_ID})),
        "",
        [(E, C.RESOURCE_ID_MALFORMED, "properties.source.imageId")],
    ),
    (
        "sig-source-document-spelling",
        "linux",
        edits(("properties.source", {"type": "SharedImageVersion", "imageVersionID": VERSION_ID})),
        "",
        [],
    ),
    (
        "sig-source-bad-id",
        "linux",
        edits(("properties.source", {"type": "SharedImageVersion", "imageVersionId": GALLERY_IMAGE_ID})),
        "",
        [(E, C.RESOURCE_ID_MALFORMED, "properties.source.imageVersionId")],
    ),
    (
        "sig-source-no-id",
        "linux",
        edits(("properties.source", {"type": "SharedImageVersion"})),
        "",
        [(E, C.MISSING_FIELD, "properties.source.imageVersionId")],
    ),
    # buildTimeoutInMinutes
    ("timeout-0", "linux", edits(("properties.buildTimeoutInMinutes", 0)), "", []),
    ("timeout-960", "linux", edits(("properties.buildTimeoutInMinutes", 960)), "", []),
    (
        "timeout-961",
        "linux",
        edits(("properties.buildTimeoutInMinutes", 961)),
        "",
        [(E, C.BUILD_TIMEOUT_RANGE, "properties.buildTimeoutInMinutes")],
    ),
    (
        "timeout-negative",
        "linux",
        edits(("properties.buildTimeoutInMinutes", -1)),
        "",
        [(E, C.BUILD_TIMEOUT_RANGE, "properties.buildTimeoutInMinutes")],
    ),
    (
        "timeout-string",
        "linux",
        edits(("properties.buildTimeoutInMinutes", "80")),
        "",
        [(E, C.WRONG_VALUE_TYPE, "properties.buildTimeoutInMinutes")],
    ),
    ("timeout-short-linux", "linux", edits(("properties.buildTimeoutInMinutes", 30)), "", []),
    (
        "timeout-short-windows",
        "windows",
        edits(("properties.buildTimeoutInMinutes", 30)),
        "",
        [(W, C.BUILD_TIMEOUT_SHORT_FOR_WINDOWS, "properties.buildTimeoutInMinutes")],
    ),
    ("timeout-default-windows", "windows", edits(("properties.buildTimeoutInMinutes", 0)), "", []),
    # customizers
    (
        "duplicate-names",
        "linux",
        edits((f"{CU}[1]", {"type": "Shell", "name": "hello", "inline": ["echo 2"]})),
        "",
        [(W, C.CUSTOMIZER_NAME_DUPLICATE, f"{CU}[1].name")],  # service-tolerated: a warning
    ),
    (
        "shell-both",
        "linux",
        edits((f"{CU}[0].scriptUri", "https://e.com/s.sh")),
        "",
        [(E, C.SCRIPT_SOURCE, f"{CU}[0]")],
    ),
    ("shell-neither", "linux", edits((f"{CU}[0].inline", _DELETE)), "", [(E, C.SCRIPT_SOURCE, f"{CU}[0]")]),
    (
        "inline-string",
        "linux",
        edits((f"{CU}[0].inline", "echo hello")),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{CU}[0].inline")],
    ),
    (
        "inline-number",
        "linux",
        edits((f"{CU}[0].inline", ["echo", 3])),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{CU}[0].inline[1]")],
    ),
    (
        "inline-redirect-is-not-a-placeholder",
        "linux",
        edits((f"{CU}[0].inline", ["cat <in >out", "echo <b>x</b>"])),
        "",
        [],
    ),
    (
        "sha256-bad",
        "linux",
        edits(
            (
                f"{CU}[0]",
                {"type": "Shell", "name": "s", "scriptUri": "https://e.com/s.sh", "sha256Checksum": "abc"},
            )
        ),
        "",
        [(E, C.SHA256_INVALID, f"{CU}[0].sha256Checksum")],
    ),
    (
        "sha256-ok",
        "linux",
        edits(
            (
                f"{CU}[0]",
                {
                    "type": "Shell",
                    "name": "s",
                    "scriptUri": "https://e.com/s.sh",
                    "sha256Checksum": "aB" * 32,
                },
            )
        ),
        "",
        [],
    ),
    (
        "script-http",
        "linux",
        edits((f"{CU}[0]", {"type": "Shell", "name": "s", "scriptUri": "http://e.com/s.sh"})),
        "",
        [(W, C.URL_NOT_HTTPS, f"{CU}[0].scriptUri")],
    ),
    (
        "script-not-url",
        "linux",
        edits((f"{CU}[0]", {"type": "Shell", "name": "s", "scriptUri": "./s.sh"})),
        "",
        [(E, C.URL_INVALID, f"{CU}[0].scriptUri")],
    ),
    (
        "customizer-type-unknown",
        "linux",
        edits((f"{CU}[0].type", "Bash")),
        "",
        [(E, C.CUSTOMIZER_TYPE_UNKNOWN, f"{CU}[0].type")],
    ),
    (
        "customizer-type-lower-case",
        "linux",
        edits((f"{CU}[0].type", "shell")),
        "",
        [(W, C.WRONG_CASE, f"{CU}[0].type")],
    ),
    (
        "customizer-no-type",
        "linux",
        edits((f"{CU}[0].type", _DELETE)),
        "",
        [(E, C.MISSING_FIELD, f"{CU}[0].type")],
    ),
    (
        "customizer-not-object",
        "linux",
        edits((f"{CU}[0]", "echo")),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{CU}[0]")],
    ),
    ("customize-not-list", "linux", edits((CU, {})), "", [(E, C.WRONG_VALUE_TYPE, CU)]),
    (
        "exit-codes-not-list",
        "windows",
        edits((f"{CU}[0].validExitCodes", 0)),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{CU}[0].validExitCodes")],
    ),
    (
        "exit-codes-strings",
        "windows",
        edits((f"{CU}[0].validExitCodes", [0, "3010"])),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{CU}[0].validExitCodes[1]")],
    ),
    ("exit-codes-ok", "windows", edits((f"{CU}[0].validExitCodes", [0, 3010])), "", []),
    (
        "run-elevated-string",
        "windows",
        edits((f"{CU}[0].runElevated", "false")),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{CU}[0].runElevated")],
    ),
    (
        "restart-timeout-words",
        "windows",
        edits((f"{CU}[1].restartTimeout", "5 minutes")),
        "",
        [(E, C.RESTART_TIMEOUT_INVALID, f"{CU}[1].restartTimeout")],
    ),
    ("restart-timeout-compound", "windows", edits((f"{CU}[1].restartTimeout", "1h30m")), "", []),
    (
        "update-limit-string",
        "windows",
        edits((f"{CU}[2].updateLimit", "20")),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{CU}[2].updateLimit")],
    ),
    (
        "filters-string",
        "windows",
        edits((f"{CU}[2].filters", "include:$true")),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{CU}[2].filters")],
    ),
    (
        "file-linux-tmp",
        "linux",
        edits(
            (
                f"{CU}[1]",
                {"type": "File", "name": "f", "sourceUri": "https://e.com/a", "destination": "/tmp/a"},
            )
        ),
        "",
        [],
    ),
    (
        "file-linux-outside-tmp",
        "linux",
        edits(
            (
                f"{CU}[1]",
                {"type": "File", "name": "f", "sourceUri": "https://e.com/a", "destination": "/etc/a"},
            )
        ),
        "",
        [(E, C.FILE_DESTINATION_OUTSIDE_TMP, f"{CU}[1].destination")],
    ),
    (
        "file-windows-any-path",
        "windows",
        edits(
            (
                f"{CU}[3]",
                {"type": "File", "name": "f", "sourceUri": "https://e.com/a", "destination": "c:\\a"},
            )
        ),
        "",
        [],
    ),
    (
        "file-no-source",
        "linux",
        edits((f"{CU}[1]", {"type": "File", "name": "f", "destination": "/tmp/a"})),
        "",
        [(E, C.MISSING_FIELD, f"{CU}[1].sourceUri")],
    ),
    (
        "file-no-destination",
        "linux",
        edits((f"{CU}[1]", {"type": "File", "name": "f", "sourceUri": "https://e.com/a"})),
        "",
        [(E, C.MISSING_FIELD, f"{CU}[1].destination")],
    ),
    (
        "windows-restart-on-linux",
        "linux",
        edits((f"{CU}[1]", {"type": "WindowsRestart"})),
        "",
        [(E, C.CUSTOMIZER_OS_MISMATCH, f"{CU}[1].type")],
    ),
    (
        "windows-update-on-linux",
        "linux",
        edits((f"{CU}[1]", {"type": "WindowsUpdate"})),
        "",
        [(E, C.CUSTOMIZER_OS_MISMATCH, f"{CU}[1].type")],
    ),
    (
        "shell-on-windows",
        "windows",
        edits((f"{CU}[3]", {"type": "Shell", "name": "sh", "inline": ["ls"]})),
        "",
        [(E, C.CUSTOMIZER_OS_MISMATCH, f"{CU}[3].type")],
    ),
    (
        "powershell-on-linux",
        "linux",
        edits((f"{CU}[1]", {"type": "PowerShell", "name": "p", "inline": ["dir"]})),
        "",
        [],
    ),
    (
        "os-unknown-for-managed-image",
        "linux",
        edits(
            ("properties.source", {"type": "ManagedImage", "imageId": IMAGE_ID}),
            (f"{CU}[1]", {"type": "WindowsRestart"}),
        ),
        "",
        [],
    ),
    # distributors
    ("no-distribute", "linux", edits((DI, _DELETE)), "", [(E, C.MISSING_FIELD, DI)]),
    ("empty-distribute", "linux", edits((DI, [])), "", [(E, C.DISTRIBUTE_EMPTY, DI)]),
    (
        "no-run-output-name",
        "linux",
        edits((f"{DI}[0].runOutputName", _DELETE)),
        "",
        [(E, C.MISSING_FIELD, f"{DI}[0].runOutputName")],
    ),
    (
        "run-output-name-space",
        "linux",
        edits((f"{DI}[0].runOutputName", "my vhd")),
        "",
        [(E, C.RUN_OUTPUT_NAME_INVALID, f"{DI}[0].runOutputName")],
    ),
    (
        "run-output-name-65",
        "linux",
        edits((f"{DI}[0].runOutputName", "a" * 65)),
        "",
        [(E, C.RUN_OUTPUT_NAME_INVALID, f"{DI}[0].runOutputName")],
    ),
    ("run-output-name-64", "linux", edits((f"{DI}[0].runOutputName", "a-_." * 16)), "", []),
    (
        "run-output-name-duplicate",
        "linux",
        edits((f"{DI}[1]", {"type": "VHD", "runOutputName": "vhd"})),
        "",
        [(E, C.RUN_OUTPUT_NAME_DUPLICATE, f"{DI}[1].runOutputName")],
    ),
    (
        "distributor-type-unknown",
        "linux",
        edits((f"{DI}[0].type", "Blob")),
        "",
        [(E, C.DISTRIBUTOR_TYPE_UNKNOWN, f"{DI}[0].type")],
    ),
    (
        "artifact-tags-number",
        "linux",
        edits((f"{DI}[0].artifactTags", {"n": 1})),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{DI}[0].artifactTags.n")],
    ),
    ("vhd-tags", "linux", edits((f"{DI}[0].tags", {"n": "1"})), "", []),
    (
        "managed-image-ok",
        "linux",
        edits(
            (
                f"{DI}[0]",
                {"type": "managedImage", "imageId": IMAGE_ID, "location": "West US", "runOutputName": "m"},
            )
        ),
        "",
        [],
    ),
    (
        "managed-image-missing",
        "linux",
        edits((f"{DI}[0]", {"type": "ManagedImage", "runOutputName": "m"})),
        "",
        [(E, C.MISSING_FIELD, f"{DI}[0].imageId"), (E, C.MISSING_FIELD, f"{DI}[0].location")],
    ),
    (
        "managed-image-bad-id",
        "linux",
        edits(
            (
                f"{DI}[0]",
                {"type": "ManagedImage", "imageId": "img", "location": "westus", "runOutputName": "m"},
            )
        ),
        "",
        [(E, C.RESOURCE_ID_MALFORMED, f"{DI}[0].imageId")],
    ),
    (
        "managed-image-outside-preview",
        "linux",
        edits(
            (
                f"{DI}[0]",
                {"type": "ManagedImage", "imageId": IMAGE_ID, "location": "centralus", "runOutputName": "m"},
            )
        ),
        "",
        [(W, C.DISTRIBUTOR_LOCATION_NOT_IN_PREVIEW, f"{DI}[0].location")],  # service-tolerated: a warning
    ),
    (
        "shared-image-ok",
        "linux",
        edits(
            (
                f"{DI}[0]",
                {
                    "type": "sharedImage",
                    "galleryImageId": GALLERY_IMAGE_ID,
                    "runOutputName": "s",
                    "replicationRegions": ["West US 2", "centralus"],
                },
            )
        ),
        "",
        [],
    ),
    (
        "shared-image-missing",
        "linux",
        edits((f"{DI}[0]", {"type": "SharedImage", "runOutputName": "s"})),
        "",
        [
            (E, C.MISSING_FIELD, f"{DI}[0].galleryImageId"),
            (E, C.MISSING_FIELD, f"{DI}[0].replicationRegions"),
        ],
    ),
    (
        "shared-image-regions-string",
        "linux",
        edits(
            (
                f"{DI}[0]",
                {
                    "type": "SharedImage",
                    "galleryImageId": GALLERY_IMAGE_ID,
                    "runOutputName": "s",
                    "replicationRegions": "westus",
                },
            )
        ),
        "",
        [(E, C.WRONG_VALUE_TYPE, f"{DI}[0].replicationRegions")],
    ),
    (
        "shared-image-bad-id",
        "linux",
        edits(
            (
                f"{DI}[0]",
                {
                    "type": "SharedImage",
                    "galleryImageId": VERSION_ID,
                    "runOutputName": "s",
                    "replicationRegions": ["westus"],
                },
            )
        ),
        "",
        [(E, C.RESOURCE_ID_MALFORMED, f"{DI}[0].galleryImageId")],
    ),
    # vmProfile
    (
        "vm-profile-ok",
        "linux",
        edits(("properties.vmProfile", {"vmSize": "Standard_D2_v2", "osDiskSizeGB": 0})),
        "",
        [],
    ),
    (
        "os-disk-negative",
        "linux",
        edits(("properties.vmProfile", {"osDiskSizeGB": -5})),
        "",
        [(E, C.VALUE_OUT_OF_RANGE, "properties.vmProfile.osDiskSizeGB")],
    ),
    (
        "os-disk-string",
        "linux",
        edits(("properties.vmProfile", {"osDiskSizeGB": "100"})),
        "",
        [(E, C.WRONG_VALUE_TYPE, "properties.vmProfile.osDiskSizeGB")],
    ),
    (
        "vnet-ok",
        "linux",
        edits(
            (
                "properties.vmProfile",
                {"vnetConfig": {"name": "v", "subnetName": "s", "resourceGroupName": "rg"}},
            )
        ),
        "",
        [],
    ),
    (
        "vnet-missing",
        "linux",
        edits(("properties.vmProfile", {"vnetConfig": {"name": "v"}})),
        "",
        [
            (E, C.MISSING_FIELD, "properties.vmProfile.vnetConfig.subnetName"),
            (E, C.MISSING_FIELD, "properties.vmProfile.vnetConfig.resourceGroupName"),
        ],
    ),
    (
        "vnet-subnet-id-at-2020",
        "linux",
        edits(
            ("apiVersion", "2020-02-14"),
            ("identity", IDENTITY),
            ("properties.vmProfile", {"vnetConfig": {"subnetId": SUBNET_ID}}),
        ),
        "",
        [],
    ),
    (
        "vnet-old-form-at-2020",
        "linux",
        edits(
            ("apiVersion", "2020-02-14"),
            ("identity", IDENTITY),
            (
                "properties.vmProfile",
                {"vnetConfig": {"name": "v", "subnetName": "s", "resourceGroupName": "rg"}},
            ),
        ),
        "",
        [
            (W, C.FIELD_REMOVED_IN_API_VERSION, "properties.vmProfile.vnetConfig.name"),
            (W, C.FIELD_REMOVED_IN_API_VERSION, "properties.vmProfile.vnetConfig.subnetName"),
            (W, C.FIELD_REMOVED_IN_API_VERSION, "properties.vmProfile.vnetConfig.resourceGroupName"),
            (E, C.MISSING_FIELD, "properties.vmProfile.vnetConfig.subnetId"),
        ],
    ),
    (
        "subnet-id-at-preview",
        "linux",
        edits(("properties.vmProfile", {"vnetConfig": {"subnetId": SUBNET_ID}})),
        "",
        [
            (W, C.FIELD_NEWER_THAN_API_VERSION, "properties.vmProfile.vnetConfig.subnetId"),
            (E, C.MISSING_FIELD, "properties.vmProfile.vnetConfig.name"),
            (E, C.MISSING_FIELD, "properties.vmProfile.vnetConfig.subnetName"),
            (E, C.MISSING_FIELD, "properties.vmProfile.vnetConfig.resourceGroupName"),
        ],
    ),
    # placeholders
    ("placeholder-location", "linux", edits(("location", "<region>")), "", [(E, C.PLACEHOLDER, "location")]),
    (
        "placeholder-tag-key",
        "linux",
        edits(("tags", {"<name": "<value>"})),
        "",
        [(E, C.PLACEHOLDER, "tags.<name"), (E, C.PLACEHOLDER, "tags.<name")],
    ),
    (
        "placeholder-curly-in-id",
        "linux",
        edits(
            (
                "properties.source",
                {"type": "ManagedImage", "imageId": f"{SUB}/Microsoft.Compute/images/{{imageName}}"},
            )
        ),
        "",
        [(E, C.PLACEHOLDER, "properties.source.imageId")],
    ),
    (
        "placeholder-inline",
        "linux",
        edits((f"{CU}[0].inline", ["<command to run inline>"])),
        "",
        [(E, C.PLACEHOLDER, f"{CU}[0].inline[0]")],
    ),
    (
        "placeholder-bool",
        "windows",
        edits((f"{CU}[0].runElevated", "<true or false>")),
        "",
        [(E, C.PLACEHOLDER, f"{CU}[0].runElevated")],
    ),
    (
        "placeholder-identity",
        "linux",
        edits(("identity", {"type": "UserAssigned", "userAssignedIdentities": {"<imgBuilderId>": {}}})),
        "",
        [(E, C.PLACEHOLDER, "identity.userAssignedIdentities['<imgBuilderId>']")],
    ),
    # ARM expressions
    (
        "expression-timeout",
        "linux",
        edits(("properties.buildTimeoutInMinutes", "[parameters('timeout')]")),
        "",
        [(W, C.ARM_EXPRESSION, "properties.buildTimeoutInMinutes")],
    ),
    (
        "expression-location",
        "linux",
        edits(("location", "[resourceGroup().location]")),
        "",
        [(W, C.ARM_EXPRESSION, "location")],
    ),
    (
        "expression-api-version",
        "linux",
        edits(("apiVersion", "[parameters('api-version')]")),
        "",
        [(W, C.ARM_EXPRESSION, "apiVersion"), (W, C.API_VERSION_ASSUMED, "apiVersion")],
    ),
    ("escaped-bracket-is-a-literal", "linux", edits((f"{CU}[0].inline", ["[[ -f /x ] && echo y"])), "", []),
    (
        "expression-for-an-object",
        "linux",
        edits(("tags", "[variables('tags')]")),
        "",
        [(W, C.ARM_EXPRESSION, "tags")],  # ARM evaluates it at deployment (issue 12)
    ),
    # unknown and misspelled fields, names matched case-insensitively
    (
        "misspelled-field",
        "linux",
        edits((f"{DI}[0].aritfactTags", {"a": "b"})),
        "",
        [(W, C.UNKNOWN_FIELD, f"{DI}[0].aritfactTags")],
    ),
    (
        "script-instead-of-scriptUri",
        "linux",
        edits((f"{CU}[0]", {"type": "Shell", "name": "s", "script": "https://e.com/s.sh", "inline": ["x"]})),
        "",
        [(W, C.UNKNOWN_FIELD, f"{CU}[0].script")],
    ),
    (
        "case-of-names",
        "linux",
        edits((f"{CU}[0]", {"TYPE": "shell", "Name": "s", "ScriptURI": "https://e.com/s"})),
        "",
        [
            (W, C.WRONG_CASE, f"{CU}[0].type"),
            (W, C.WRONG_CASE, f"{CU}[0].type"),
            (W, C.WRONG_CASE, f"{CU}[0].name"),
            (W, C.WRONG_CASE, f"{CU}[0].scriptUri"),
        ],
    ),
    (
        "newer-field",
        "linux",
        edits(("properties.source.planInfo", {"planName": "p", "planProduct": "p", "planPublisher": "p"})),
        "",
        [(W, C.FIELD_NEWER_THAN_API_VERSION, "properties.source.planInfo")],
    ),
    (
        "newer-field-at-its-version",
        "linux",
        edits(
            ("apiVersion", "2020-02-14"),
            ("identity", IDENTITY),
            ("properties.source.planInfo", {"planName": "p", "planProduct": "p", "planPublisher": "p"}),
        ),
        "",
        [],
    ),
    # other shapes
    ("tags-number", "linux", edits(("tags", {"a": 1})), "", [(E, C.WRONG_VALUE_TYPE, "tags.a")]),
    ("depends-on-string", "linux", edits(("dependsOn", "x")), "", [(E, C.WRONG_VALUE_TYPE, "dependsOn")]),
    (
        "no-properties",
        "linux",
        edits(("properties", _DELETE)),
        "",
        [(E, C.MISSING_FIELD, "properties.source"), (E, C.MISSING_FIELD, "properties.distribute")],
    ),
    (
        "properties-not-object",
        "linux",
        edits(("properties", [])),
        "",
        [(E, C.WRONG_VALUE_TYPE, "properties")],
    ),
    (
        "properties-null",
        "linux",
        edits(("properties", None)),
        "",
        [(E, C.MISSING_FIELD, "properties.source"), (E, C.MISSING_FIELD, "properties.distribute")],
    ),
    ("customize-null", "linux", edits((CU, None)), "", []),
]


@pytest.mark.parametrize(
    ("base", "edit", "api_version", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_rule(
    base: str,
    edit: Edit,
    api_version: str,
    expected: list[tuple[str, str, str]],
    doc: dict[str, Any],
    windows_doc: dict[str, Any],
) -> None:
    template = doc if base == "linux" else windows_doc
    assert validate(template).ok
    assert not validate(template).warnings
    edit(template)
    report = validate(template, api_version=api_version) if api_version else validate(template)
    found = [(E, p.code, p.path) for p in report.errors] + [(W, p.code, p.path) for p in report.warnings]
    assert sorted(found) == sorted(expected)
    for problem in report.errors + report.warnings:
        assert len(problem.message) > 20  # says what to do, not just a code
