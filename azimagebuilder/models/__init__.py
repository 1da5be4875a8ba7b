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

from ._base import ArmExpression, Map, Seq, WireModel, is_arm_expression
from ._build import AutoRun, ErrorHandling, Optimize, VmBootOptimization, WorkloadOptimization
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
    LatestVersioner,
    ManagedImageDistributor,
    SharedImageDistributor,
    SourceVersioner,
    TargetRegion,
    UnknownDistributor,
    UnknownVersioner,
    Versioner,
    VhdDistributor,
)
from ._enums import ProvisioningErrorCode, ProvisioningState, RunState, RunSubState
from ._identity import UserAssignedIdentity
from ._profile import DataDisk, VmProfile, VnetConfig
from ._schema import template_json_schema
from ._source import (
    ManagedImageSource,
    PlatformImagePurchasePlan,
    PlatformImageSource,
    SharedImageVersionSource,
    Source,
    UnknownSource,
)
from ._status import LastRunStatus, ProvisioningError, RunOutput, SystemData
from ._template import ImageTemplate
from ._trigger import Trigger, TriggerStatus
from ._validator import (
    FileValidator,
    PowerShellValidator,
    ShellValidator,
    UnknownValidator,
    Validation,
    Validator,
)

__all__ = [
    "ArmExpression",
    "AutoRun",
    "Customizer",
    "DataDisk",
    "Distributor",
    "ErrorHandling",
    "FileCustomizer",
    "FileValidator",
    "ImageTemplate",
    "LastRunStatus",
    "LatestVersioner",
    "ManagedImageDistributor",
    "ManagedImageSource",
    "Map",
    "Optimize",
    "PlatformImagePurchasePlan",
    "PlatformImageSource",
    "PowerShellCustomizer",
    "PowerShellValidator",
    "ProvisioningError",
    "ProvisioningErrorCode",
    "ProvisioningState",
    "RunOutput",
    "RunState",
    "RunSubState",
    "Seq",
    "SharedImageDistributor",
    "SharedImageVersionSource",
    "ShellCustomizer",
    "ShellValidator",
    "Source",
    "SourceVersioner",
    "SystemData",
    "TargetRegion",
    "Trigger",
    "TriggerStatus",
    "UnknownCustomizer",
    "UnknownDistributor",
    "UnknownSource",
    "UnknownValidator",
    "UnknownVersioner",
    "UserAssignedIdentity",
    "Validation",
    "Validator",
    "Versioner",
    "VhdDistributor",
    "VmBootOptimization",
    "VmProfile",
    "VnetConfig",
    "WindowsRestartCustomizer",
    "WindowsUpdateCustomizer",
    "WireModel",
    "WorkloadOptimization",
    "is_arm_expression",
    "template_json_schema",
]
