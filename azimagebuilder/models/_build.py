"""How the build runs around the customizers: optimization, error handling, automatic runs."""

from __future__ import annotations

from ._base import ArmExpression, WireModel


class VmBootOptimization(WireModel):
    """``optimize.vmBoot``: optimize the image for a faster VM boot (2022-07-01 and later).

    Example:
        >>> VmBootOptimization(state="Enabled").to_wire()
        {'state': 'Enabled'}
    """

    #: ``Enabled`` or ``Disabled``.
    state: str | None = None


class WorkloadOptimization(WireModel):
    """``optimize.workload``: run a script that optimizes the image for a workload (2025-10-01 and later).

    Example:
        >>> WorkloadOptimization(state="Enabled", script_uri="https://example.com/w.sh").to_wire()
        {'state': 'Enabled', 'scriptUri': 'https://example.com/w.sh'}
    """

    #: ``Enabled`` or ``Disabled``.
    state: str | None = None
    script_uri: str | None = None
    sha256_checksum: str | None = None


class Optimize(WireModel):
    """``properties.optimize`` (2022-07-01 and later).

    Example:
        >>> Optimize(vm_boot=VmBootOptimization(state="Enabled")).to_wire()
        {'vmBoot': {'state': 'Enabled'}}
    """

    vm_boot: VmBootOptimization | None = None
    workload: WorkloadOptimization | None = None


class ErrorHandling(WireModel):
    """``properties.errorHandling``: keep (``abort``) or delete (``cleanup``) the build VM after a failed
    customizer or validation, to look at it (2023-07-01 and later).

    Example:
        >>> ErrorHandling(on_customizer_error="abort").to_wire()
        {'onCustomizerError': 'abort'}
    """

    #: ``cleanup`` (the default) or ``abort``.
    on_customizer_error: str | None = None
    #: ``cleanup`` (the default) or ``abort``.
    on_validation_error: str | None = None


class AutoRun(WireModel):
    """``properties.autoRun``: run the build as soon as the template is created (2024-02-01 and later).

    Example:
        >>> AutoRun(state="Enabled").to_wire()
        {'state': 'Enabled'}
    """

    #: ``Enabled`` or ``Disabled``.
    state: str | ArmExpression | None = None
