"""Open string enums: known values as members, unknown values kept as plain strings.

The service adds enum values over time (``Canceling``, ``Optimizing``, ...), so none of these ever refuses a
value, and members compare case-insensitively with strings.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class OpenStrEnum(str, Enum):
    """A ``str`` enum that matches values case-insensitively.

    Example:
        >>> RunState("succeeded") is RunState.SUCCEEDED
        True
        >>> RunState.SUCCEEDED == "SUCCEEDED"
        True
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.lower():
                    return member
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return bool(str(self.value).lower() == other.lower())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self.value).lower())

    def __str__(self) -> str:
        return str(self.value)


def open_enum(enum: type[OpenStrEnum], value: Any) -> Any:
    """``value`` as a member of ``enum`` when it names one, else unchanged (open enum)."""
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            return value
    return value


class ProvisioningState(OpenStrEnum):
    """Where a template (or run output) is in its creation."""

    CREATING = "Creating"
    UPDATING = "Updating"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    DELETING = "Deleting"
    CANCELED = "Canceled"


class RunState(OpenStrEnum):
    """The outcome of the last run."""

    RUNNING = "Running"
    CANCELING = "Canceling"
    SUCCEEDED = "Succeeded"
    PARTIALLY_SUCCEEDED = "PartiallySucceeded"
    FAILED = "Failed"
    CANCELED = "Canceled"


class RunSubState(OpenStrEnum):
    """The phase of a run that is going on."""

    QUEUED = "Queued"
    BUILDING = "Building"
    CUSTOMIZING = "Customizing"
    OPTIMIZING = "Optimizing"
    VALIDATING = "Validating"
    DISTRIBUTING = "Distributing"


class ProvisioningErrorCode(OpenStrEnum):
    """Why the service refused a template."""

    BAD_SOURCE_TYPE = "BadSourceType"
    BAD_PIR_SOURCE = "BadPIRSource"
    BAD_ISO_SOURCE = "BadISOSource"
    BAD_MANAGED_IMAGE_SOURCE = "BadManagedImageSource"
    BAD_SHARED_IMAGE_VERSION_SOURCE = "BadSharedImageVersionSource"
    BAD_CUSTOMIZER_TYPE = "BadCustomizerType"
    UNSUPPORTED_CUSTOMIZER_TYPE = "UnsupportedCustomizerType"
    NO_CUSTOMIZER_SCRIPT = "NoCustomizerScript"
    BAD_DISTRIBUTE_TYPE = "BadDistributeType"
    BAD_SHARED_IMAGE_DISTRIBUTE = "BadSharedImageDistribute"
    BAD_STAGING_RESOURCE_GROUP = "BadStagingResourceGroup"
    SERVER_ERROR = "ServerError"
    OTHER = "Other"
