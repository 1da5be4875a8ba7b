"""Rewrite a template for a newer api-version (``azimagebuilder upgrade FILE --to VERSION``).

What changes, driven by the field declarations (``_fields.py``):

- ``vmProfile.vnetConfig`` ``name`` / ``subnetName`` / ``resourceGroupName`` (2019-05-01-preview) become one
  ``subnetId`` (2020-02-14 and later);
- a gallery distributor's ``replicationRegions`` become ``targetRegions`` (2022-07-01 and later; one replica
  each, the distributor's ``storageAccountType`` if it has one);
- field names and type names are written as the REST API spells them (``imageVersionID`` ->
  ``imageVersionId``, ``managedImage`` -> ``ManagedImage``): from 2024-02-01 the service matches them
  case-sensitively;
- every other field the target version no longer knows is dropped, with a note;
- ``apiVersion`` is set to the target.

What cannot be rewritten is left as it is and reported by the check at the target version that follows: an
ISO source (refused since 2020), a missing ``identity`` (required from 2020-02-14), a subscription id the
template does not say.

Example:
    >>> from azimagebuilder import upgrade
    >>> result = upgrade({"apiVersion": "2019-05-01-preview", "location": "westus2", "properties": {
    ...     "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer",
    ...                "sku": "18.04-LTS", "version": "latest"},
    ...     "distribute": [{"type": "VHD", "runOutputName": "vhd"}]}}, to="2025-10-01")
    >>> result.template["apiVersion"], [p.code for p in result.report.errors]
    ('2025-10-01', ['identity-required'])
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .. import _fields as D
from .._constants import DEFAULT_API_VERSION, KNOWN_API_VERSIONS
from .._problems import Problem, ValidationReport

__all__ = ["Change", "Upgrade", "upgrade"]

#: The newest api-version: what ``upgrade`` rewrites to unless told otherwise.
LATEST = KNOWN_API_VERSIONS[-1]


@dataclass(frozen=True)
class Change:
    """One rewrite: where (a JSON path of the result) and what was done."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<template>'}: {self.message}"


@dataclass(frozen=True)
class Upgrade:
    """The result of :func:`upgrade`: the rewritten template (``None`` if it could not be read), what
    changed, and the problems left at the target version (``report``)."""

    template: dict[str, Any] | None
    from_version: str
    to_version: str
    changes: list[Change] = field(default_factory=list)
    report: ValidationReport = field(default_factory=ValidationReport)

    @property
    def ok(self) -> bool:
        """True when the upgraded template has no error at the target version."""
        return self.template is not None and self.report.ok


def upgrade(source: Any, *, to: str = LATEST, subscription_id: str | None = None) -> Upgrade:
    """Rewrite a template (a dict, JSON text or a path) for api-version ``to``; never raises for a bad one.

    ``subscription_id`` completes the ``subnetId`` made from a 2019-05-01-preview ``vnetConfig`` (the old
    form names no subscription); without it the id holds the placeholder ``<subscriptionId>``, reported as
    a problem to fix.

    Example:
        >>> result = upgrade({"apiVersion": "2021-10-01", "location": "westus2",
        ...     "identity": {"type": "UserAssigned", "userAssignedIdentities": {
        ...         "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/"
        ...         "userAssignedIdentities/aib": {}}},
        ...     "properties": {"source": {"type": "PlatformImage", "publisher": "Canonical",
        ...         "offer": "UbuntuServer", "sku": "18.04-LTS", "version": "latest"},
        ...     "distribute": [{"type": "SharedImage", "runOutputName": "sig",
        ...         "replicationRegions": ["westus2"],
        ...         "galleryImageId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/"
        ...         "galleries/g/images/d"}]}})
        >>> result.template["properties"]["distribute"][0]["targetRegions"]
        [{'name': 'westus2', 'replicaCount': 1}]
        >>> result.ok
        True
    """
    from ..validation._engine import analyse
    from ._front import validate
    from ._read import read_template

    if to not in KNOWN_API_VERSIONS:
        known = ", ".join(KNOWN_API_VERSIONS)
        problem = Problem("apiVersion", "api-version-unknown", f"--to {to!r} is not one of {known}")
        return Upgrade(None, "", to, report=ValidationReport(errors=[problem]))
    document, problems, _ = read_template(source)
    if not isinstance(document, dict):
        errors = [p for p in problems if p.severity == "error"] or [
            Problem("", "not-a-template", "a template is a JSON object", "error")
        ]
        return Upgrade(None, "", to, report=ValidationReport(errors=errors))
    own = next((v for k, v in document.items() if isinstance(k, str) and k.lower() == "apiversion"), None)
    from_version = own if isinstance(own, str) and own in KNOWN_API_VERSIONS else DEFAULT_API_VERSION
    if D.version_index(to) < D.version_index(from_version):
        problem = Problem(
            "apiVersion",
            "api-version-unknown",
            f"the template is at {from_version}, newer than {to}: upgrade only goes forward",
        )
        return Upgrade(None, from_version, to, report=ValidationReport(errors=[problem]))
    # Canonical names and type tags first (what the template's own version reads it as).
    normalised, _ = analyse(document, api_version=from_version)
    doc = copy.deepcopy(normalised)
    changes: list[Change] = []
    _rename_keys(document, doc, D.TEMPLATE, "", changes)
    properties = doc.get("properties")
    if isinstance(properties, dict):
        _vnet(properties, to, subscription_id, changes)
        _target_regions(properties, to, changes)
    _drop_removed(doc, D.TEMPLATE, "", to, changes)
    if own != to:
        changes.append(Change("apiVersion", f"{own or 'none'} -> {to}"))
    doc["apiVersion"] = to
    if "type" not in doc:
        doc = {"type": "Microsoft.VirtualMachineImages/imageTemplates", **doc}
    report = validate(doc, api_version=to)
    return Upgrade(doc, from_version, to, changes, report)


def _rename_keys(
    original: Any, out: Any, shape: D.Shape | D.Family, path: str, changes: list[Change]
) -> None:
    """Note every field or type name the normalisation respelled (the result is already respelled)."""
    if not isinstance(original, dict) or not isinstance(out, dict):
        return
    if isinstance(shape, D.Family):
        raw = next(
            (v for k, v in original.items() if isinstance(k, str) and k.lower() == shape.discriminator), None
        )
        member = shape.member(raw) if isinstance(raw, str) else None
        if member is None:
            return
        if raw != member.tag:
            out[shape.discriminator] = member.tag
            changes.append(Change(f"{path}.{shape.discriminator}", f"type {raw!r} written {member.tag!r}"))
        shape = member
    for key, value in original.items():
        declared = shape.lookup(key) if isinstance(key, str) else None
        if declared is None:
            continue
        here = f"{path}.{declared.wire}" if path else declared.wire
        if key != declared.wire:
            changes.append(Change(here, f"field {key!r} written {declared.wire!r}"))
        nested, written = declared.of, out.get(declared.wire)
        if nested is None:
            continue
        if declared.kind == "object":
            _rename_keys(value, written, nested, here, changes)
        elif declared.kind == "objlist" and isinstance(value, list) and isinstance(written, list):
            for index, (item, item_out) in enumerate(zip(value, written, strict=False)):
                _rename_keys(item, item_out, nested, f"{here}[{index}]", changes)


def _vnet(properties: dict[str, Any], to: str, subscription_id: str | None, changes: list[Change]) -> None:
    profile = properties.get("vmProfile")
    vnet = profile.get("vnetConfig") if isinstance(profile, dict) else None
    if not isinstance(vnet, dict) or D.version_index(to) < D.version_index(D.V2020):
        return
    old = [vnet.get(k) for k in ("name", "subnetName", "resourceGroupName")]
    if not any(old) or vnet.get("subnetId"):
        return
    name, subnet, group = (
        v if isinstance(v, str) and v else f"<{k}>"
        for v, k in zip(old, ("vnetName", "subnetName", "resourceGroupName"), strict=True)
    )
    subscription = subscription_id or "<subscriptionId>"
    subnet_id = (
        f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/"
        f"{name}/subnets/{subnet}"
    )
    for key in ("name", "subnetName", "resourceGroupName"):
        vnet.pop(key, None)
    vnet["subnetId"] = subnet_id
    how = "" if subscription_id else " (give the subscription: --subscription-id / subscription_id=)"
    changes.append(
        Change(
            "properties.vmProfile.vnetConfig.subnetId",
            "name, subnetName and resourceGroupName (before 2020-02-14) replaced by subnetId "
            f"{subnet_id}{how}",
        )
    )


def _target_regions(properties: dict[str, Any], to: str, changes: list[Change]) -> None:
    if D.version_index(to) < D.version_index(D.V2022_07):
        return
    distribute = properties.get("distribute")
    if not isinstance(distribute, list):
        return
    for index, item in enumerate(distribute):
        if not isinstance(item, dict) or str(item.get("type", "")).lower() != "sharedimage":
            continue
        regions = item.get("replicationRegions")
        if not isinstance(regions, list) or "targetRegions" in item:
            continue
        kind = item.get("storageAccountType")
        targets = []
        for region in regions:
            target: dict[str, Any] = {"name": region, "replicaCount": 1}
            if isinstance(kind, str):
                target["storageAccountType"] = kind
            targets.append(target)
        del item["replicationRegions"]
        item["targetRegions"] = targets
        changes.append(
            Change(
                f"properties.distribute[{index}].targetRegions",
                "replicationRegions replaced by targetRegions (one replica per region; set replicaCount to "
                "change it)",
            )
        )


def _drop_removed(obj: Any, shape: D.Shape | D.Family, path: str, to: str, changes: list[Change]) -> None:
    """Drop the fields ``to`` no longer knows (declared with an ``until`` at or before it)."""
    if not isinstance(obj, dict):
        return
    if isinstance(shape, D.Family):
        raw = obj.get(shape.discriminator)
        member = shape.member(raw) if isinstance(raw, str) else None
        if member is None:
            return
        shape = member
    for key in list(obj):
        declared = shape.lookup(key) if isinstance(key, str) else None
        if declared is None:
            continue
        here = f"{path}.{declared.wire}" if path else declared.wire
        if declared.until is not None and D.version_index(to) >= D.version_index(declared.until):
            del obj[key]
            changes.append(Change(here, f"dropped: api-versions from {declared.until} on do not know it"))
            continue
        nested, value = declared.of, obj[key]
        if nested is None:
            continue
        if declared.kind == "object":
            _drop_removed(value, nested, here, to, changes)
        elif declared.kind == "objlist" and isinstance(value, list):
            for index, item in enumerate(value):
                _drop_removed(item, nested, f"{here}[{index}]", to, changes)
