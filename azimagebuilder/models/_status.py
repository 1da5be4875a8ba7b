"""What the service reports: last run status, provisioning error, run outputs (read-only values)."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, field_validator

from ._base import WireModel
from ._enums import ProvisioningErrorCode, ProvisioningState, RunState, RunSubState, open_enum


def _utc(value: datetime | None) -> datetime | None:
    # The service writes 0001-01-01T00:00:00Z for "not yet" (endTime of a running build).
    if value is None or value.year <= 1:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class LastRunStatus(WireModel):
    """The state of the template's last (or current) run, from ``properties.lastRunStatus``.

    Times are UTC datetimes; the service's nine fractional digits are read (to the microsecond), and the
    zero date ``0001-01-01T00:00:00Z`` reads as ``None``. ``run_state`` and ``run_sub_state`` are open enums.

    Example:
        >>> s = LastRunStatus.model_validate({"startTime": "2020-09-08T04:29:55.838053665Z",
        ...     "endTime": "0001-01-01T00:00:00Z", "runState": "Running", "runSubState": "Queued"})
        >>> s.end_time is None, s.run_state == "running", s.start_time.microsecond
        (True, True, 838053)
    """

    start_time: datetime | None = None
    end_time: datetime | None = None
    run_state: Annotated[RunState | str | None, BeforeValidator(partial(open_enum, RunState))] = None
    run_sub_state: Annotated[RunSubState | str | None, BeforeValidator(partial(open_enum, RunSubState))] = (
        None
    )
    message: str | None = None

    @field_validator("start_time", "end_time")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)

    @property
    def is_running(self) -> bool:
        """True while the run has not reached a final state."""
        return self.run_state in (RunState.RUNNING, RunState.CANCELING)


class ProvisioningError(WireModel):
    """Why the service refused the template (``properties.provisioningError``).

    Example:
        >>> ProvisioningError.model_validate({"provisioningErrorCode": "BadSourceType", "message": "m"})
        ProvisioningError(provisioning_error_code=<ProvisioningErrorCode.BAD_SOURCE_TYPE: 'BadSourceType'>, \
message='m')
    """

    provisioning_error_code: Annotated[
        ProvisioningErrorCode | str | None, BeforeValidator(partial(open_enum, ProvisioningErrorCode))
    ] = None
    message: str | None = None


class SystemData(WireModel):
    """Who created and last changed the template, and when (``systemData``, read-only; 2021-10-01 and later).

    Example:
        >>> d = SystemData.model_validate({"createdBy": "me@example.com", "createdByType": "User",
        ...     "createdAt": "2024-05-01T10:00:00Z"})
        >>> d.created_by, d.created_at.year
        ('me@example.com', 2024)
    """

    created_by: str | None = None
    #: ``User``, ``Application``, ``ManagedIdentity`` or ``Key``.
    created_by_type: str | None = None
    created_at: datetime | None = None
    last_modified_by: str | None = None
    last_modified_by_type: str | None = None
    last_modified_at: datetime | None = None

    @field_validator("created_at", "last_modified_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class RunOutput(WireModel):
    """One distribution's result, named by the distributor's ``runOutputName``.

    ``artifact_id`` is the managed image or gallery image version id; ``artifact_uri`` the VHD blob URL.

    Example:
        >>> out = RunOutput.from_arm({"name": "img_1", "id": "/subscriptions/s/.../runOutputs/img_1",
        ...     "properties": {"artifactId": "/subscriptions/s/.../images/img_1",
        ...                    "provisioningState": "Succeeded"}})
        >>> out.name, out.provisioning_state == "succeeded"
        ('img_1', True)
    """

    name: str
    id: str | None = None
    artifact_id: str | None = None
    artifact_uri: str | None = None
    provisioning_state: Annotated[
        ProvisioningState | str | None, BeforeValidator(partial(open_enum, ProvisioningState))
    ] = None

    @classmethod
    def from_arm(cls, data: dict[str, Any]) -> RunOutput:
        """Read a run output as the service returns it (``properties`` flattened)."""
        flat = {k: v for k, v in data.items() if k.lower() not in ("properties", "type")}
        properties = data.get("properties") or {}
        if isinstance(properties, dict):
            flat.update(properties)
        return cls.model_validate(flat)

    def to_arm(self) -> dict[str, Any]:
        """The service's wire form: ``{"name", "id", "type", "properties": {...}}``."""
        props = {
            key: value
            for key, value in {
                "artifactId": self.artifact_id,
                "artifactUri": self.artifact_uri,
                "provisioningState": None
                if self.provisioning_state is None
                else str(self.provisioning_state),
            }.items()
            if value is not None
        }
        out: dict[str, Any] = {"name": self.name}
        if self.id is not None:
            out["id"] = self.id
        out["type"] = "Microsoft.VirtualMachineImages/imageTemplates/runOutputs"
        out["properties"] = props
        return out
