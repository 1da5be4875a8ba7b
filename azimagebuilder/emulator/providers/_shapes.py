"""The wire shapes of image templates: how the service echoes, fills in and compares template bodies.

Pure functions (no state, no I/O) used by the Image Builder provider: ``normalise`` gives the stored form of
a PUT body with the service's fill-ins, ``canonical`` what makes two PUT bodies the same template, and
``library_problems`` the library's own checks minus what the real service tolerated.

Example:
    >>> body = {"source": {"type": "PlatformImage"}, "distribute": [{"type": "VHD", "runOutputName": "v"}]}
    >>> normalise(body, "2019-05-01-preview")["distribute"]
    [{'artifactTags': {}, 'runOutputName': 'v', 'type': 'VHD'}]
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from ..._fields import TEMPLATE, Family, Shape

__all__ = [
    "RUN_OUTPUT_TYPE",
    "TRIGGER_TYPE",
    "TYPE",
    "at_least",
    "canonical",
    "library_problems",
    "minimal_problems",
    "normalise",
    "resolved_version",
    "salt",
    "sorted_keys",
    "stable_uuid",
    "template_id",
]

TYPE = "Microsoft.VirtualMachineImages/imageTemplates"
RUN_OUTPUT_TYPE = "Microsoft.VirtualMachineImages/imageTemplates/runOutputs"
TRIGGER_TYPE = "Microsoft.VirtualMachineImages/imageTemplates/triggers"


def version_key(api_version: str) -> str:
    """The date part of an api-version, for comparing versions."""
    return api_version[:10]


def at_least(api_version: str, floor: str) -> bool:
    """Whether ``api_version`` is ``floor`` or newer."""
    return version_key(api_version) >= floor


def salt(*parts: str) -> int:
    """A stable number from strings (for digits that must not change between answers)."""
    return int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:8], 16)


def stable_uuid(*parts: str) -> str:
    """A stable GUID from strings."""
    return str(uuid.UUID(hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]))


def template_id(record: Mapping[str, Any]) -> str:
    """The template's resource id, with ``resourcegroups`` in lower case as the service writes it."""
    # The service answers with "resourcegroups" in lower case (every recorded GET shows it).
    return (
        f"/subscriptions/{record['subscription']}/resourcegroups/{record['resourceGroup']}"
        f"/providers/{TYPE}/{record['name']}"
    )


def sorted_keys(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping with its keys sorted, as the service writes nested objects."""
    return {k: obj[k] for k in sorted(obj)}


def normalise(properties: Mapping[str, Any], api_version: str) -> dict[str, Any]:
    """The stored ``properties`` of a PUT body, with what the service fills in (as recorded)."""
    props: dict[str, Any] = {}
    source = properties.get("source")
    props["source"] = sorted_keys(source) if isinstance(source, Mapping) else source
    customize = properties.get("customize")
    if customize:
        items = []
        for customizer in customize:
            if not isinstance(customizer, Mapping):
                items.append(customizer)
                continue
            item = dict(customizer)
            kind = str(item.get("type", "")).lower()
            if kind == "powershell":
                item.setdefault("runElevated", False)
            if kind == "windowsrestart":
                item.setdefault("restartCommand", "")
            items.append(sorted_keys(item))
        props["customize"] = items
    distribute = []
    for dist in properties.get("distribute") or []:
        if isinstance(dist, Mapping):
            item = dict(dist)
            item.setdefault("artifactTags", {})
            distribute.append(sorted_keys(item))
        else:
            distribute.append(dist)
    props["distribute"] = distribute
    props["buildTimeoutInMinutes"] = properties.get("buildTimeoutInMinutes") or 0
    if "vmProfile" in properties and isinstance(properties["vmProfile"], Mapping):
        vm_profile: dict[str, Any] = {"vmSize": properties["vmProfile"].get("vmSize") or ""}
        if at_least(api_version, "2020-02-14"):
            vm_profile["osDiskSizeGB"] = properties["vmProfile"].get("osDiskSizeGB") or 0
        for key, value in properties["vmProfile"].items():
            vm_profile.setdefault(key, value)
        props["vmProfile"] = vm_profile
    read_only = {"provisioningState", "provisioningError", "lastRunStatus", "exactStagingResourceGroup"}
    for key, value in properties.items():
        if key not in props and key not in read_only and key not in ("customize", "vmProfile"):
            props[key] = value
    return props


def resolved_version(source: Mapping[str, Any]) -> str:
    """What ``version: latest`` of a platform image resolves to (a plausible, stable number)."""
    sku = str(source.get("sku", ""))
    m = re.match(r"^(\d+)[._-]?(\d+)?", sku)
    prefix = f"{m.group(1)}.{m.group(2) or '0'}" if m else "1.0"
    return f"{prefix}.202004290"


def canonical(body: Mapping[str, Any]) -> dict[str, Any]:
    """What makes two PUT bodies the same template (case of location and filled-in defaults ignored)."""
    properties = dict(body.get("properties") or {})
    for key in ("provisioningState", "provisioningError", "lastRunStatus"):
        properties.pop(key, None)
    if not properties.get("buildTimeoutInMinutes"):
        properties.pop("buildTimeoutInMinutes", None)
    if not properties.get("customize"):
        properties.pop("customize", None)
    distribute = []
    for dist in properties.get("distribute") or []:
        if isinstance(dist, Mapping):
            dist = {k: v for k, v in dist.items() if not (k == "artifactTags" and not v)}
        distribute.append(dist)
    properties["distribute"] = distribute
    customize = []
    for customizer in properties.get("customize") or []:
        if isinstance(customizer, Mapping):
            customizer = {k: v for k, v in customizer.items() if k != "sha256Checksum" or v}
            if (
                str(customizer.get("type", "")).lower() == "powershell"
                and customizer.get("runElevated") is False
            ):
                customizer.pop("runElevated")
        customize.append(customizer)
    if customize:
        properties["customize"] = customize
    identity = body.get("identity")
    if isinstance(identity, Mapping) and isinstance(identity.get("userAssignedIdentities"), Mapping):
        identity = {
            **identity,
            "userAssignedIdentities": {k.lower(): {} for k in identity["userAssignedIdentities"]},
        }
    canonical = {
        "location": str(body.get("location", "")).replace(" ", "").lower(),
        "identity": identity,
        "properties": properties,
        "tags": dict(body.get("tags") or {}),
    }
    result: dict[str, Any] = json.loads(json.dumps(canonical, sort_keys=True))
    return result


def library_problems(body: dict[str, Any], api_version: str) -> list[dict[str, Any]]:
    """The library's own template checks, minus the rules the real service was seen to tolerate."""
    try:
        from ..._codes import SERVICE_TOLERATED_CODES
        from ...validation import validate
    except ImportError:  # validation not available: the minimal structural checks below only
        return minimal_problems(body)
    try:
        report = validate(body, api_version=api_version)
    except (TypeError, ValueError, KeyError):
        try:
            report = validate(body)
        except Exception:  # the library could not even read it: the structural checks say why
            return minimal_problems(body)
    problems = []
    for problem in report.errors:
        if problem.code in SERVICE_TOLERATED_CODES:
            continue
        problems.append(
            {"code": str(problem.code), "target": str(problem.path or ""), "message": str(problem.message)}
        )
    return problems


def minimal_problems(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    properties = body.get("properties") or {}
    source = properties.get("source")
    if not isinstance(source, Mapping) or not source.get("type"):
        problems.append(
            {
                "code": "SourceRequired",
                "target": "properties.source",
                "message": "a source with a type is required",
            }
        )
    distribute = properties.get("distribute")
    if not isinstance(distribute, list) or not distribute:
        problems.append(
            {
                "code": "DistributeRequired",
                "target": "properties.distribute",
                "message": "at least one distributor is required",
            }
        )
    else:
        for index, dist in enumerate(distribute):
            if not isinstance(dist, Mapping) or not dist.get("runOutputName"):
                problems.append(
                    {
                        "code": "RunOutputNameRequired",
                        "target": f"properties.distribute[{index}].runOutputName",
                        "message": "every distributor needs a runOutputName",
                    }
                )
    return problems


# ---------------------------------------------------------------------------------------------------
# The service's strict reading from 2024-02-01 on: a wrongly cased field, or one the request's api-version
# does not know, is refused. The fields are the library's declarations (``azimagebuilder._fields``, each
# with the api-versions that know it), read as the service reads a PUT body.

#: Keys of a deployment template's resource that never reach the service (ARM's deployment engine reads
#: them): in a PUT body they are unknown fields. ``name``, ``id``, ``type`` and ``systemData`` are the
#: read-only members that a GET-then-PUT client sends back, which the service ignores.
_DEPLOYMENT_ONLY = frozenset({"apiVersion", "dependsOn", "comments", "condition", "copy", "scope"})


def strict_field_problems(body: Mapping[str, Any], api_version: str) -> list[tuple[str, str, str | None]]:
    """``(path, written name, the spec's name or None)`` for each wrongly cased or unknown field.

    What the service reports (``lastRunStatus``, ``provisioningError``, ...) is not looked into, and an
    unknown type tag is left to the type check.

    Example:
        >>> strict_field_problems({"location": "x", "properties": {"VMProfile": {}}}, "2024-02-01")
        [('properties.VMProfile', 'VMProfile', 'vmProfile')]
        >>> strict_field_problems({"properties": {"additionalDataDisks": []}}, "2024-02-01")
        [('properties.additionalDataDisks', 'additionalDataDisks', None)]
    """
    found: list[tuple[str, str, str | None]] = []
    _walk_shape(body, TEMPLATE, "", api_version, found)
    return found


def _walk_shape(
    value: Any, shape: Shape, path: str, api_version: str, found: list[tuple[str, str, str | None]]
) -> None:
    if not isinstance(value, Mapping):
        return
    for key, item in value.items():
        sub = f"{path}.{key}" if path else str(key)
        field = shape.lookup(key) if isinstance(key, str) else None
        if field is not None and shape is TEMPLATE and field.wire in _DEPLOYMENT_ONLY:
            field = None
        if field is None or not field.known_at(api_version):
            found.append((sub, str(key), None))
        elif field.wire != key:
            found.append((sub, str(key), field.wire))
        elif not field.read_only and field.of is not None:
            if field.kind == "objlist" and isinstance(item, list):
                for index, element in enumerate(item):
                    _walk_of(element, field.of, f"{sub}[{index}]", api_version, found)
            elif field.kind == "objmap" and isinstance(item, Mapping):
                for name, element in item.items():
                    _walk_of(element, field.of, f"{sub}.{name}", api_version, found)
            elif field.kind == "object":
                _walk_of(item, field.of, sub, api_version, found)


def _walk_of(
    value: Any, of: Shape | Family, path: str, api_version: str, found: list[tuple[str, str, str | None]]
) -> None:
    if isinstance(of, Family):
        member = of.member(str(value.get(of.discriminator, ""))) if isinstance(value, Mapping) else None
        if member is None or not member.known_at(api_version):
            return
        of = member
    _walk_shape(value, of, path, api_version, found)
