"""What the command-line tests share: ids in the emulator's subscription and one current template."""

from __future__ import annotations

import copy
from typing import Any

SUB = "00000000-0000-0000-0000-000000000000"
IDENTITY = (
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ib"
)
IMAGE = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/img"

_TEMPLATE: dict[str, Any] = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2024-02-01",
    "location": "westus2",
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {IDENTITY: {}}},
    "properties": {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "0001-com-ubuntu-server-jammy",
            "sku": "22_04-lts-gen2",
            "version": "latest",
        },
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    },
}


def current_template(*, managed_image: bool = False) -> dict[str, Any]:
    """A fresh copy of a valid 2024-02-01 Ubuntu template with a VHD output (and a managed image first)."""
    doc = copy.deepcopy(_TEMPLATE)
    if managed_image:
        doc["properties"]["distribute"].insert(
            0, {"type": "ManagedImage", "imageId": IMAGE, "location": "westus2", "runOutputName": "image"}
        )
    return doc
