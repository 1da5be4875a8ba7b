"""The template document's rules: check a template before Azure does.

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
from .._constants import DEFAULT_API_VERSION
from .._problems import Problem, Severity, ValidationReport

if TYPE_CHECKING:
    from ..models import ImageTemplate

__all__ = ["SERVICE_TOLERATED_CODES", "Problem", "Severity", "ValidationReport", "validate"]


def validate(
    source_or_template: ImageTemplate | dict[str, Any] | str | Any,
    *,
    api_version: str | None = None,
    resource_name: str | None = None,
) -> ValidationReport:
    """Check a template (a model, a dict, JSON text or a path) against the document's rules.

    The version-dependent rules (regions, identity, fields newer than the version) follow:

    - for JSON (a dict, text or a file): its own ``apiVersion`` when it names a known version; otherwise
      (a PUT body, or an ARM expression) ``api_version``, by default ``"2019-05-01-preview"``;
    - for an :class:`ImageTemplate`: ``api_version`` when given (the version it will be sent with), else
      the version it was loaded with, else ``"2019-05-01-preview"``.

    Never raises for a bad template: unreadable files and invalid JSON are errors in the report.

    Example:
        >>> validate('{"location": "mars"}').errors[0].code
        'location-not-in-preview'
    """
    from ..models import ImageTemplate
    from ._engine import analyse

    if isinstance(source_or_template, ImageTemplate):
        document: Any = source_or_template.to_arm(api_version=api_version)
        api_version = document["apiVersion"]
        problems: list[Problem] = []
    else:
        from ..loading._read import read_template

        document, problems, _ = read_template(source_or_template, resource_name)
        if document is None and problems:
            return _report(problems)
    _, found = analyse(document, api_version=api_version or DEFAULT_API_VERSION)
    return _report(problems + found)


def _report(problems: list[Problem]) -> ValidationReport:
    return ValidationReport(
        errors=[p for p in problems if p.severity == "error"],
        warnings=[p for p in problems if p.severity != "error"],
    )
