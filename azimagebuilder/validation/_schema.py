"""The template's fields as data: for each kind of object, its fields, their JSON kind and the api-versions
that know them. The checks and the key normalisation both read these tables, so they cannot drift.

Field kinds: ``str``, ``int``, ``bool``, ``strlist``, ``intlist``, ``strmap``, ``object``, ``objlist``,
``any`` (kept and not checked: newer structures such as ``planInfo`` or ``validate``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._constants import KNOWN_API_VERSIONS

PREVIEW = "2019-05-01-preview"
V2020 = "2020-02-14"
V2021 = "2021-10-01"
V2022_02 = "2022-02-14"
V2022_07 = "2022-07-01"
V2023 = "2023-07-01"
V2024 = "2024-02-01"
V2025 = "2025-10-01"


@dataclass(frozen=True)
class FieldSpec:
    """One field: its JSON kind, the first api-version that knows it and the first that no longer does."""

    kind: str
    since: str | None = None
    until: str | None = None
    read_only: bool = False


def version_index(api_version: str) -> int:
    """Position of an api-version in KNOWN_API_VERSIONS (unknown versions count as the newest)."""
    try:
        return KNOWN_API_VERSIONS.index(api_version)
    except ValueError:
        return len(KNOWN_API_VERSIONS)


def is_preview(api_version: str) -> bool:
    """True for 2019-05-01-preview and the older previews (the document's rules on regions)."""
    return version_index(api_version) <= version_index(PREVIEW)


F = FieldSpec

TEMPLATE: dict[str, FieldSpec] = {
    "type": F("str"),
    "apiVersion": F("str"),
    "location": F("str"),
    "tags": F("strmap"),
    "identity": F("object"),
    "dependsOn": F("strlist"),
    "properties": F("object"),
    # ARM resource keys: kept, not checked.
    "name": F("any"),
    "id": F("any", read_only=True),
    "comments": F("any"),
    "condition": F("any"),
    "copy": F("any"),
    "scope": F("any"),
    "systemData": F("any", read_only=True),
}

PROPERTIES: dict[str, FieldSpec] = {
    "source": F("object"),
    "customize": F("objlist"),
    "distribute": F("objlist"),
    "buildTimeoutInMinutes": F("int"),
    "vmProfile": F("object"),
    "provisioningState": F("any", read_only=True),
    "provisioningError": F("any", read_only=True),
    "lastRunStatus": F("any", read_only=True),
    "validate": F("any", since=V2022_02),
    "stagingResourceGroup": F("str", since=V2022_02),
    "exactStagingResourceGroup": F("any", since=V2022_02, read_only=True),
    "optimize": F("any", since=V2022_07),
    "errorHandling": F("any", since=V2023),
    "autoRun": F("any", since=V2024),
    "managedResourceTags": F("strmap", since=V2024),
}

IDENTITY: dict[str, FieldSpec] = {
    "type": F("str"),
    "userAssignedIdentities": F("object"),
    "principalId": F("any", read_only=True),
    "tenantId": F("any", read_only=True),
}

VM_PROFILE: dict[str, FieldSpec] = {
    "vmSize": F("str"),
    "osDiskSizeGB": F("int"),
    "vnetConfig": F("object"),
    "userAssignedIdentities": F("strlist", since=V2021),
}

VNET_CONFIG: dict[str, FieldSpec] = {
    # The document's form (2019-05-01-preview); 2020-02-14 replaced it with subnetId.
    "name": F("str", until=V2020),
    "subnetName": F("str", until=V2020),
    "resourceGroupName": F("str", until=V2020),
    "subnetId": F("str", since=V2020),
    "proxyVmSize": F("str", since=V2021),
    "containerInstanceSubnetId": F("str", since=V2024),
}

SOURCES: dict[str, dict[str, FieldSpec]] = {
    "PlatformImage": {
        "type": F("str"),
        "publisher": F("str"),
        "offer": F("str"),
        "sku": F("str"),
        "version": F("str"),
        "planInfo": F("any", since=V2020),
        "exactVersion": F("any", since=V2021, read_only=True),
    },
    "ManagedImage": {"type": F("str"), "imageId": F("str")},
    "SharedImageVersion": {
        "type": F("str"),
        "imageVersionId": F("str"),
        "exactVersion": F("any", since=V2022_07, read_only=True),
    },
    "ISO": {"type": F("str"), "sourceUri": F("str"), "sha256Checksum": F("str")},
}

_CUSTOMIZER_COMMON: dict[str, FieldSpec] = {"type": F("str"), "name": F("str")}
_SCRIPT: dict[str, FieldSpec] = {"scriptUri": F("str"), "sha256Checksum": F("str"), "inline": F("strlist")}

CUSTOMIZERS: dict[str, dict[str, FieldSpec]] = {
    "Shell": {**_CUSTOMIZER_COMMON, **_SCRIPT},
    "PowerShell": {
        **_CUSTOMIZER_COMMON,
        **_SCRIPT,
        "validExitCodes": F("intlist"),
        "runElevated": F("bool"),
        "runAsSystem": F("bool", since=V2020),
    },
    "WindowsRestart": {
        **_CUSTOMIZER_COMMON,
        "restartCommand": F("str"),
        "restartCheckCommand": F("str"),
        "restartTimeout": F("str"),
    },
    "File": {
        **_CUSTOMIZER_COMMON,
        "sourceUri": F("str"),
        "destination": F("str"),
        "sha256Checksum": F("str"),
    },
    # The document lists WindowsUpdate for the preview; the swagger adds it at 2020-02-14. Document wins.
    "WindowsUpdate": {
        **_CUSTOMIZER_COMMON,
        "searchCriteria": F("str"),
        "filters": F("strlist"),
        "updateLimit": F("int"),
    },
}

_DISTRIBUTOR_COMMON: dict[str, FieldSpec] = {
    "type": F("str"),
    "runOutputName": F("str"),
    "artifactTags": F("strmap"),
}

DISTRIBUTORS: dict[str, dict[str, FieldSpec]] = {
    "ManagedImage": {**_DISTRIBUTOR_COMMON, "imageId": F("str"), "location": F("str")},
    "SharedImage": {
        **_DISTRIBUTOR_COMMON,
        "galleryImageId": F("str"),
        "replicationRegions": F("strlist"),
        "excludeFromLatest": F("bool", since=V2020),
        "storageAccountType": F("str", since=V2020),
        "targetRegions": F("any", since=V2022_07),
        "versioning": F("any", since=V2022_07),
        "replicationMode": F("str", since=V2025),
    },
    "VHD": {**_DISTRIBUTOR_COMMON, "tags": F("strmap"), "uri": F("str", since=V2022_07)},
}

#: Spellings of type names kept as written (the REST API's first, then the template document's).
TYPE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "ManagedImage": ("ManagedImage", "managedImage"),
    "SharedImage": ("SharedImage", "sharedImage"),
}


def spelled(canonical: str, written: str) -> str:
    """The type name to write: ``written`` when it is a known spelling, else the REST API's."""
    return written if written in TYPE_SPELLINGS.get(canonical, (canonical,)) else canonical
