"""The Linux template the tests share: the template document's Ubuntu example, one Shell step, one VHD.

``linux_properties()`` is its ``properties`` (a fresh copy each call), ``linux_body(**outer)`` the PUT body
with ``location`` and whatever else a test adds (``identity``, ``tags``), in the order given.
"""

from __future__ import annotations

import copy
from typing import Any

LINUX_PROPERTIES: dict[str, Any] = {
    "source": {
        "type": "PlatformImage",
        "publisher": "Canonical",
        "offer": "UbuntuServer",
        "sku": "18.04-LTS",
        "version": "latest",
    },
    "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
    "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
}


def linux_properties() -> dict[str, Any]:
    """A fresh copy of the template's ``properties``."""
    return copy.deepcopy(LINUX_PROPERTIES)


def linux_body(location: str = "westus2", **outer: Any) -> dict[str, Any]:
    """The resource body: ``location``, then ``outer`` (``identity=``, ``tags=``), then ``properties``."""
    return {"location": location, **outer, "properties": linux_properties()}
