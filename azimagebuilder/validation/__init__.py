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
from .._problems import Problem, Severity, ValidationReport

if TYPE_CHECKING:
    from ..loading._parameters import Parameters
    from ..models import ImageTemplate

__all__ = ["SERVICE_TOLERATED_CODES", "Problem", "Severity", "ValidationReport", "validate", "validate_each"]


def validate(
    source_or_template: ImageTemplate | dict[str, Any] | str | Any,
    *,
    api_version: str | None = None,
    resource_name: str | None = None,
    parameters: Parameters | None = None,
    subscription_id: str | None = None,
    resource_group: str | None = None,
) -> ValidationReport:
    """Check a template (a model, a dict, JSON text or a path) against the document's rules.

    The version-dependent rules (regions, identity, fields newer than the version) follow:

    - for JSON (a dict, text or a file): its own ``apiVersion`` when it names a known version; else
      ``api_version`` when given; else (none, an ARM expression, a placeholder) every api-version its
      fields fit, reporting only what they share, with the warning ``api-version-assumed`` naming the range;
    - for an :class:`ImageTemplate`: ``api_version`` when given (the version it will be sent with), else
      the version it was loaded with, else ``"2019-05-01-preview"``.

    ``parameters``, ``subscription_id`` and ``resource_group`` fill placeholders and evaluate ARM
    expressions as for :func:`~azimagebuilder.load_template`.

    Never raises for a bad template: unreadable files and invalid JSON are errors in the report.

    Example:
        >>> validate('{"apiVersion": "2019-05-01-preview", "location": "mars"}').errors[0].code
        'location-not-in-preview'
    """
    from ..models import ImageTemplate
    from ._infer import check

    if isinstance(source_or_template, ImageTemplate):
        document: Any = source_or_template.to_arm(api_version=api_version)
        api_version = document["apiVersion"]
        problems: list[Problem] = []
    else:
        from ..loading._deployment import DeploymentInputs
        from ..loading._read import read_template

        inputs = DeploymentInputs(subscription_id=subscription_id, resource_group=resource_group)
        document, problems, _ = read_template(
            source_or_template, resource_name, parameters=parameters, inputs=inputs
        )
        if document is None and problems:
            return _report(problems)
    _, found = check(document, api_version)
    return _report(problems + found)


def validate_each(
    source: dict[str, Any] | str | Any,
    *,
    api_version: str | None = None,
    resource_name: str | None = None,
    all_resources: bool = False,
    parameters: Parameters | None = None,
    subscription_id: str | None = None,
    resource_group: str | None = None,
    option: str = "resource_name=",
) -> list[tuple[str | None, ValidationReport]]:
    """Like :func:`validate`, one report per imageTemplates resource checked (all of them with
    ``all_resources``), each with the resource's name (None for a bare template or the only resource).

    Example:
        >>> [(name, report.ok) for name, report in validate_each('{"location": "mars"}')]
        [(None, False)]
    """
    from ..loading._deployment import DeploymentInputs
    from ..loading._read import read_templates
    from ._infer import check

    inputs = DeploymentInputs(subscription_id=subscription_id, resource_group=resource_group)
    picked, problems, _ = read_templates(
        source,
        resource_name,
        parameters=parameters,
        inputs=inputs,
        all_resources=all_resources,
        option=option,
    )
    if picked is None:
        return [(None, _report(problems))]
    reports: list[tuple[str | None, ValidationReport]] = []
    for one in picked:
        _, found = check(one.document, api_version)
        reports.append((one.label, _report(problems + one.problems + found)))
    return reports


def _report(problems: list[Problem]) -> ValidationReport:
    return ValidationReport(
        errors=[p for p in problems if p.severity == "error"],
        warnings=[p for p in problems if p.severity != "error"],
    )
