"""The template as typed, immutable values, and what the service reports about it.

Every model is a frozen pydantic model with snake_case fields and the camelCase names of the wire as
aliases; a dict of the wire shape is accepted wherever a model is, and unknown fields are kept.

Example:
    >>> from azimagebuilder.models import ImageTemplate, PlatformImageSource, VhdDistributor
    >>> t = ImageTemplate(location="westus2", distribute=[{"type": "VHD", "runOutputName": "vhd"}],
    ...     source=PlatformImageSource(publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS"))
    >>> t.distribute[0]
    VhdDistributor(run_output_name='vhd')
"""

from __future__ import annotations

from ._base import ArmExpression, WireModel, is_arm_expression
from ._customizer import (
    Customizer,
    FileCustomizer,
    PowerShellCustomizer,
    ShellCustomizer,
    UnknownCustomizer,
    WindowsRestartCustomizer,
    WindowsUpdateCustomizer,
)
from ._distributor import (
    Distributor,
    ManagedImageDistributor,
    SharedImageDistributor,
    UnknownDistributor,
    VhdDistributor,
)
from ._enums import ProvisioningErrorCode, ProvisioningState, RunState, RunSubState
from ._identity import UserAssignedIdentity
from ._profile import VmProfile, VnetConfig
from ._schema import template_json_schema
from ._source import ManagedImageSource, PlatformImageSource, SharedImageVersionSource, Source, UnknownSource
from ._status import LastRunStatus, ProvisioningError, RunOutput
from ._template import ImageTemplate
from ._trigger import Trigger, TriggerStatus

__all__ = [
    "ArmExpression",
    "Customizer",
    "Distributor",
    "FileCustomizer",
    "ImageTemplate",
    "LastRunStatus",
    "ManagedImageDistributor",
    "ManagedImageSource",
    "PlatformImageSource",
    "PowerShellCustomizer",
    "ProvisioningError",
    "ProvisioningErrorCode",
    "ProvisioningState",
    "RunOutput",
    "RunState",
    "RunSubState",
    "SharedImageDistributor",
    "SharedImageVersionSource",
    "ShellCustomizer",
    "Source",
    "Trigger",
    "TriggerStatus",
    "UnknownCustomizer",
    "UnknownDistributor",
    "UnknownSource",
    "UserAssignedIdentity",
    "VhdDistributor",
    "VmProfile",
    "VnetConfig",
    "WindowsRestartCustomizer",
    "WindowsUpdateCustomizer",
    "WireModel",
    "is_arm_expression",
    "template_json_schema",
]
