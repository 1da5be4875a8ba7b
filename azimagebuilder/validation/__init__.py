"""The template document's rules: check a template before Azure does.

The rule engine (``_engine``) reads the JSON form against the field declarations and imports neither the
models nor the loaders; ``validate`` and ``validate_each`` are the front door in ``azimagebuilder.loading``
(read, check at one api-version), re-exported here.

Every problem has a JSON ``path`` (``properties.customize[2].name``), a stable ``code`` (see ``_codes.py``
and docs/validation.md), a ``message`` saying what to do, and a ``severity``.

Example:
    >>> from azimagebuilder import validate
    >>> report = validate({"location": "westus2", "properties": {
    ...     "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer",
    ...                "sku": "18.04-LTS", "version": "latest"},
    ...     "distribute": [{"type": "VHD", "runOutputName": "vhd", "artifactTags": {"a": 1}}]}})
    >>> [(p.path, p.code) for p in report.errors]
    [('properties.distribute[0].artifactTags.a', 'wrong-value-type')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._codes import SERVICE_TOLERATED_CODES
from .._problems import Problem, Severity, ValidationReport

if TYPE_CHECKING:
    from ..loading._front import validate, validate_each

__all__ = ["SERVICE_TOLERATED_CODES", "Problem", "Severity", "ValidationReport", "validate", "validate_each"]


def __getattr__(name: str) -> Any:
    # The front door lives above this package (it reads files and builds models): re-exported on first use.
    if name in ("validate", "validate_each"):
        from ..loading import _front

        value = getattr(_front, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
