"""azimagebuilder: a typed Python client for Azure VM Image Builder.

Build an Image Builder template in Python (or load one from JSON), check it before Azure does, submit it,
run it and read its outputs; or try the whole lifecycle against the built-in local emulator.

Example:
    >>> import azimagebuilder as aib
    >>> template = aib.ImageTemplate(
    ...     location="westus2",
    ...     source=aib.PlatformImageSource(
    ...         publisher="Canonical", offer="UbuntuServer", sku="18.04-LTS", version="latest"
    ...     ),
    ...     customize=[aib.ShellCustomizer(name="hello", inline=["echo hello"])],
    ...     distribute=[aib.VhdDistributor(run_output_name="vhd")],
    ... )
    >>> aib.validate(template).errors
    []

The names below are imported on first use, so ``import azimagebuilder`` stays cheap: the Azure SDK
packages load only when a client or a resource helper is used (see docs/performance.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

# Public name -> the private module that defines it: the lazy loader's table. tests/package checks that
# __all__ below lists exactly these names (plus __version__), sorted.
_EXPORTS: dict[str, str] = {
    # template model
    "ImageTemplate": "azimagebuilder.models",
    "PlatformImageSource": "azimagebuilder.models",
    "ManagedImageSource": "azimagebuilder.models",
    "SharedImageVersionSource": "azimagebuilder.models",
    "ShellCustomizer": "azimagebuilder.models",
    "PowerShellCustomizer": "azimagebuilder.models",
    "WindowsRestartCustomizer": "azimagebuilder.models",
    "FileCustomizer": "azimagebuilder.models",
    "WindowsUpdateCustomizer": "azimagebuilder.models",
    "ManagedImageDistributor": "azimagebuilder.models",
    "SharedImageDistributor": "azimagebuilder.models",
    "VhdDistributor": "azimagebuilder.models",
    "VmProfile": "azimagebuilder.models",
    "VnetConfig": "azimagebuilder.models",
    "UserAssignedIdentity": "azimagebuilder.models",
    "AutoRun": "azimagebuilder.models",
    "DataDisk": "azimagebuilder.models",
    "ErrorHandling": "azimagebuilder.models",
    "FileValidator": "azimagebuilder.models",
    "LatestVersioner": "azimagebuilder.models",
    "Optimize": "azimagebuilder.models",
    "PlatformImagePurchasePlan": "azimagebuilder.models",
    "PowerShellValidator": "azimagebuilder.models",
    "ShellValidator": "azimagebuilder.models",
    "SourceVersioner": "azimagebuilder.models",
    "SystemData": "azimagebuilder.models",
    "TargetRegion": "azimagebuilder.models",
    "Validation": "azimagebuilder.models",
    "VmBootOptimization": "azimagebuilder.models",
    "WorkloadOptimization": "azimagebuilder.models",
    # service-side status
    "LastRunStatus": "azimagebuilder.models",
    "ProvisioningError": "azimagebuilder.models",
    "RunOutput": "azimagebuilder.models",
    "Trigger": "azimagebuilder.models",
    "TriggerStatus": "azimagebuilder.models",
    # loading and checks
    "load_template": "azimagebuilder.loading",
    "upgrade": "azimagebuilder.loading",
    "validate": "azimagebuilder.validation",
    "ValidationReport": "azimagebuilder.validation",
    "Problem": "azimagebuilder.validation",
    # errors
    "ImageBuilderError": "azimagebuilder._errors",
    "TemplateValidationError": "azimagebuilder._errors",
    "VhdNotCopiedError": "azimagebuilder._errors",
    "TemplateExistsError": "azimagebuilder._errors",
    "BuildTimeoutError": "azimagebuilder._errors",
    "BuildFailedError": "azimagebuilder._errors",
    "BuildCanceledError": "azimagebuilder._errors",
    "ApiVersionNotSupportedError": "azimagebuilder._errors",
    "ApiVersionTooOldError": "azimagebuilder._errors",
    # api-versions: the default, and a current stable one to pass against live Azure
    "DEFAULT_API_VERSION": "azimagebuilder._constants",
    "CURRENT_STABLE_API_VERSION": "azimagebuilder._constants",
    "KNOWN_API_VERSIONS": "azimagebuilder._constants",
    # client
    "ImageBuilderClient": "azimagebuilder._client",
    "BuildResult": "azimagebuilder._client",
}

__all__ = [  # noqa: RUF022 - plain sorted() order, which tests/package checks
    "ApiVersionNotSupportedError",
    "ApiVersionTooOldError",
    "AutoRun",
    "BuildCanceledError",
    "BuildFailedError",
    "BuildResult",
    "BuildTimeoutError",
    "CURRENT_STABLE_API_VERSION",
    "DEFAULT_API_VERSION",
    "DataDisk",
    "ErrorHandling",
    "FileCustomizer",
    "FileValidator",
    "ImageBuilderClient",
    "ImageBuilderError",
    "ImageTemplate",
    "KNOWN_API_VERSIONS",
    "LastRunStatus",
    "LatestVersioner",
    "ManagedImageDistributor",
    "ManagedImageSource",
    "Optimize",
    "PlatformImagePurchasePlan",
    "PlatformImageSource",
    "PowerShellCustomizer",
    "PowerShellValidator",
    "Problem",
    "ProvisioningError",
    "RunOutput",
    "SharedImageDistributor",
    "SharedImageVersionSource",
    "ShellCustomizer",
    "ShellValidator",
    "SourceVersioner",
    "SystemData",
    "TargetRegion",
    "TemplateExistsError",
    "TemplateValidationError",
    "Trigger",
    "TriggerStatus",
    "UserAssignedIdentity",
    "Validation",
    "ValidationReport",
    "VhdDistributor",
    "VhdNotCopiedError",
    "VmBootOptimization",
    "VmProfile",
    "VnetConfig",
    "WindowsRestartCustomizer",
    "WindowsUpdateCustomizer",
    "WorkloadOptimization",
    "__version__",
    "load_template",
    "upgrade",
    "validate",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from ._client import BuildResult, ImageBuilderClient
    from ._constants import CURRENT_STABLE_API_VERSION, DEFAULT_API_VERSION, KNOWN_API_VERSIONS
    from ._errors import (
        ApiVersionNotSupportedError,
        ApiVersionTooOldError,
        BuildCanceledError,
        BuildFailedError,
        BuildTimeoutError,
        ImageBuilderError,
        TemplateExistsError,
        TemplateValidationError,
        VhdNotCopiedError,
    )
    from .loading import load_template, upgrade
    from .models import (
        AutoRun,
        DataDisk,
        ErrorHandling,
        FileCustomizer,
        FileValidator,
        ImageTemplate,
        LastRunStatus,
        LatestVersioner,
        ManagedImageDistributor,
        ManagedImageSource,
        Optimize,
        PlatformImagePurchasePlan,
        PlatformImageSource,
        PowerShellCustomizer,
        PowerShellValidator,
        ProvisioningError,
        RunOutput,
        SharedImageDistributor,
        SharedImageVersionSource,
        ShellCustomizer,
        ShellValidator,
        SourceVersioner,
        SystemData,
        TargetRegion,
        Trigger,
        TriggerStatus,
        UserAssignedIdentity,
        Validation,
        VhdDistributor,
        VmBootOptimization,
        VmProfile,
        VnetConfig,
        WindowsRestartCustomizer,
        WindowsUpdateCustomizer,
        WorkloadOptimization,
    )
    from .validation import Problem, ValidationReport, validate


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'azimagebuilder' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
