"""Shared test configuration: the reference material and a small valid template used across test folders.

Area-specific fixtures live in each test folder's own conftest.py.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shared reference material sits beside the checkout (../shared); it is absent on a user's clone.
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """Path to ../shared/reference, or skip the test with a message when it is absent."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"../shared/reference is absent ({SHARED_REFERENCE}); these checks need it")
    return SHARED_REFERENCE


LINUX_TEMPLATE_DOC: dict[str, Any] = {
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
    return copy.deepcopy(LINUX_TEMPLATE_DOC)
