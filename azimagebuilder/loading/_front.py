"""The front door: read a template and check it at one api-version, once (``validate``, ``validate_each``;
``load_template`` and ``check_template`` are in ``loading/__init__``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._problems import Problem, ValidationReport

if TYPE_CHECKING:
    from ..models import ImageTemplate
    from ._parameters import Parameters


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

    The version-dependent rules (regions, identity, fields a version does not know, case sensitivity from
    2024-02-01) follow ``api_version`` when given: the version the template will be sent at, which the
    service applies. A template whose own ``apiVersion`` differs gets the warning ``api-version-differs``.
    Without ``api_version``: the template's own ``apiVersion`` (for an :class:`ImageTemplate`, the one it
    was loaded with, else ``"2019-05-01-preview"``); for JSON without one (none, an ARM expression, a
    placeholder), every api-version its fields fit, reporting only what they share, with the warning
    ``api-version-assumed`` naming the range.

    ``parameters``, ``subscription_id`` and ``resource_group`` fill placeholders and evaluate ARM
    expressions as for :func:`~azimagebuilder.load_template`.

    Never raises for a bad template: unreadable files and invalid JSON are errors in the report.

    Example:
        >>> validate('{"apiVersion": "2019-05-01-preview", "location": "mars"}').errors[0].code
        'location-not-in-preview'
    """
    from ..models import ImageTemplate
    from ..validation._infer import check

    if isinstance(source_or_template, ImageTemplate):
        # A template loaded with an apiVersion keeps it, so a different api_version is reported; one built
        # in Python is simply written at api_version.
        own = source_or_template.api_version
        document: Any = source_or_template.to_arm(api_version=None if own else api_version)
        problems: list[Problem] = []
    else:
        from ._deployment import DeploymentInputs
        from ._read import read_template

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
    from ..validation._infer import check
    from ._deployment import DeploymentInputs
    from ._read import read_templates

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
