"""Values every part of the library agrees on: API versions, endpoints, resource type names.

Kept free of imports so any module (the emulator included) can use them cheaply.
"""

from __future__ import annotations

#: The api-version the library speaks unless told otherwise (the template document's version).
DEFAULT_API_VERSION = "2019-05-01-preview"

#: Every api-version of Microsoft.VirtualMachineImages/imageTemplates the library knows, oldest first.
#: 2019-05-01-preview and the older previews were announced for retirement on or after 2021-06-30.
KNOWN_API_VERSIONS: tuple[str, ...] = (
    "2018-02-01-preview",
    "2019-02-01-preview",
    "2019-05-01-preview",
    "2020-02-14",
    "2021-10-01",
    "2022-02-14",
    "2022-07-01",
    "2023-07-01",
    "2024-02-01",
    "2025-10-01",
)

#: Preview api-versions that Azure announced it would remove.
RETIRED_API_VERSIONS: frozenset[str] = frozenset(
    {"2018-02-01-preview", "2019-02-01-preview", "2019-05-01-preview"}
)

#: A current stable api-version to suggest when the service refuses a retired one.
CURRENT_STABLE_API_VERSION = "2024-02-01"

RESOURCE_PROVIDER = "Microsoft.VirtualMachineImages"
RESOURCE_TYPE = "Microsoft.VirtualMachineImages/imageTemplates"
ARM_ENDPOINT = "https://management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"

#: Regions the template document lists for the 2019-05-01-preview: short name -> display name.
PREVIEW_REGIONS: dict[str, str] = {
    "eastus": "East US",
    "eastus2": "East US 2",
    "westcentralus": "West Central US",
    "westus": "West US",
    "westus2": "West US 2",
    "northeurope": "North Europe",
    "westeurope": "West Europe",
}

#: Tag the VHD copy-out puts on a template once a VHD run output is safely copied out:
#: ``<prefix><runOutputName>`` -> destination blob URL (no SAS). ``begin_delete`` looks for it.
VHD_COPIED_TAG_PREFIX = "azimagebuilder.vhdCopied."
