"""Triggers of an image template (``imageTemplates/{name}/triggers/{trigger}``, from api-version 2022-07-01).

A trigger starts a build of its template by itself. The one kind the service has, ``SourceImage``, starts a
build when a new version of the template's source gallery image appears. The service reports the trigger's
health in ``status``; after several builds in a row fail, it deactivates the trigger until a manual build
succeeds (Image Builder release notes, September 2024).

Example:
    >>> t = Trigger.from_arm({"name": "source", "properties": {"kind": "SourceImage",
    ...     "status": {"code": "Healthy", "message": "", "time": "2024-10-21T17:32:28Z"},
    ...     "provisioningState": "Succeeded"}})
    >>> t.kind, t.status.code, t.provisioning_state == "Succeeded"
    ('SourceImage', 'Healthy', True)
    >>> Trigger().to_resource_body()
    {'properties': {'kind': 'SourceImage'}}
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, field_validator

from .. import _fields as D
from ._base import WireModel
from ._enums import ProvisioningState, open_enum

__all__ = ["SOURCE_IMAGE_TRIGGER", "TRIGGER_TYPE", "Trigger", "TriggerStatus"]

#: The resource type of a trigger.
TRIGGER_TYPE = "Microsoft.VirtualMachineImages/imageTemplates/triggers"
#: The trigger kind that starts a build when the source gallery image gets a new version.
SOURCE_IMAGE_TRIGGER = D.SOURCE_IMAGE_TRIGGER.tag


class TriggerStatus(WireModel):
    """The service's word on a trigger (``properties.status``; read-only).

    ``code`` is an open string (the service answers ``Healthy``; a trigger deactivated after failed builds
    shows another code and says why in ``message``); ``time`` is a UTC datetime.

    Example:
        >>> TriggerStatus.model_validate({"code": "Healthy", "time": "2024-10-21T17:32:28Z"}).time.year
        2024
    """

    code: str | None = None
    message: str | None = None
    time: datetime | None = None

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None or value.year <= 1:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    @property
    def healthy(self) -> bool:
        """True when the service reports the trigger ``Healthy`` (it starts builds)."""
        return str(self.code or "").lower() == "healthy"


class Trigger(WireModel):
    """A trigger of an image template, as ``get_trigger`` / ``list_triggers`` return it.

    Attributes:
        kind: the kind of trigger; ``SourceImage`` (the only kind the service has) starts a build when a
            new version of the template's source gallery image is created. Set at creation; the service
            cannot change it afterwards.

    Read-only (filled in by the service): ``id``, ``name``, ``status``, ``provisioning_state``.

    Example:
        >>> Trigger(kind="SourceImage").kind
        'SourceImage'
    """

    _read_only: ClassVar[frozenset[str]] = frozenset({"id", "name", "status", "provisioning_state"})

    kind: str = SOURCE_IMAGE_TRIGGER
    id: str | None = None
    name: str | None = None
    status: TriggerStatus | None = None
    provisioning_state: Annotated[
        ProvisioningState | str | None, BeforeValidator(partial(open_enum, ProvisioningState))
    ] = None

    @field_validator("kind")
    @classmethod
    def _known_kind_spelling(cls, value: str) -> str:
        if not isinstance(value, str) or not value:
            raise ValueError("kind must be a non-empty string, for example 'SourceImage'")
        # The service matches the kind case-insensitively; keep the spec's spelling for the known one.
        return SOURCE_IMAGE_TRIGGER if value.lower() == SOURCE_IMAGE_TRIGGER.lower() else value

    @property
    def active(self) -> bool:
        """True unless the service reports the trigger deactivated (a status other than ``Healthy``)."""
        return self.status is None or self.status.healthy

    @classmethod
    def from_arm(cls, data: dict[str, Any]) -> Trigger:
        """Read a trigger as the service returns it (``properties`` flattened; ``type`` dropped)."""
        flat = {k: v for k, v in data.items() if k.lower() not in ("properties", "type", "systemdata")}
        properties = data.get("properties") or {}
        if isinstance(properties, dict):
            flat.update(properties)
        return cls.model_validate(flat)

    def to_resource_body(self) -> dict[str, Any]:
        """The PUT body: ``{"properties": {"kind": ...}}`` (read-only fields left out)."""
        props = self.to_wire()
        for key in ("id", "name", "status", "provisioningState"):
            props.pop(key, None)
        return {"properties": props}

    def to_arm(self) -> dict[str, Any]:
        """The service's wire form: ``{"id", "name", "type", "properties": {...}}`` (read-only fields too)."""
        props: dict[str, Any] = {"kind": self.kind}
        if self.status is not None:
            props["status"] = self.status.to_wire()
        if self.provisioning_state is not None:
            props["provisioningState"] = str(self.provisioning_state)
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        if self.name is not None:
            out["name"] = self.name
        out["type"] = TRIGGER_TYPE
        out["properties"] = props
        return out
