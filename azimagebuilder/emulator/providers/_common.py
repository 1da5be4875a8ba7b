"""What the emulator's provider modules share: ARM's region names, times, request bodies and 404s.

Example:
    >>> short_region("West US 2"), display_region("westus2")
    ('westus2', 'West US 2')
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .._router import ArmError, Request

__all__ = ["REGIONS", "body_object", "display_region", "now_iso", "resource_not_found", "short_region"]

REGIONS: dict[str, str] = {
    "eastus": "East US",
    "eastus2": "East US 2",
    "westus": "West US",
    "westus2": "West US 2",
    "westus3": "West US 3",
    "centralus": "Central US",
    "southcentralus": "South Central US",
    "westcentralus": "West Central US",
    "northcentralus": "North Central US",
    "northeurope": "North Europe",
    "westeurope": "West Europe",
    "uksouth": "UK South",
    "japaneast": "Japan East",
    "australiaeast": "Australia East",
}


def short_region(region: str) -> str:
    """``"West US 2"`` -> ``"westus2"`` (ARM's canonical form)."""
    return region.replace(" ", "").lower()


def display_region(region: str) -> str:
    """``"westus2"`` -> ``"West US 2"`` (Compute's form in ``targetRegions``); unknown ones unchanged."""
    return REGIONS.get(short_region(region), region)


def now_iso() -> str:
    """The current time in ARM's ``createdOn`` form."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def resource_not_found(resource_type: str, name: str, group: str) -> ArmError:
    """ARM's ``404 ResourceNotFound`` for a missing resource in an existing group."""
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{resource_type}/{name}' under resource group '{group}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    )


def body_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or ``400 InvalidRequestContent``."""
    body = request.json()
    if not isinstance(body, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be a JSON object.")
    return body
