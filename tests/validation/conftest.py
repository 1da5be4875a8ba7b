"""A valid Windows template in the document's form, fresh for each test (the Linux one, `doc`, is in
tests/conftest.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

_WINDOWS: dict[str, Any] = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2019-05-01-preview",
    "location": "westus2",
    "properties": {
        "buildTimeoutInMinutes": 100,
        "source": {
            "type": "PlatformImage",
            "publisher": "MicrosoftWindowsServer",
            "offer": "WindowsServer",
            "sku": "2019-Datacenter",
            "version": "latest",
        },
        "customize": [
            {"type": "PowerShell", "name": "ps", "inline": ["mkdir c:\\\\build"], "runElevated": True},
            {"type": "WindowsRestart", "restartTimeout": "5m"},
            {"type": "WindowsUpdate", "searchCriteria": "IsInstalled=0", "filters": ["include:$true"]},
        ],
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    },
}


@pytest.fixture
def windows_doc() -> dict[str, Any]:
    """A valid Windows template (document form)."""
    return copy.deepcopy(_WINDOWS)
