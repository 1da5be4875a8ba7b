"""A small valid template in the document's form, fresh for each test."""

from __future__ import annotations

import copy
from typing import Any

import pytest

_DOC: dict[str, Any] = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2019-05-01-preview",
    "location": "westus2",
    "properties": {
        "source": {
            "type": "PlatformImage",
            "publisher": "Canonical",
            "offer": "UbuntuServer",
            "sku": "18.04-LTS",
            "version": "latest",
        },
        "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
        "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
    },
}


@pytest.fixture
def doc() -> dict[str, Any]:
    """A valid Linux template (document form)."""
    return copy.deepcopy(_DOC)
