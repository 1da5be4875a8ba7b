"""Load a template from a file, JSON text or a dict, in any of the forms people write.

Accepted forms: a bare template (with or without ``type`` / ``apiVersion``), an ARM resource body
(``{"location", "properties", ...}``) and an ARM deployment template whose ``resources`` hold an
imageTemplates resource. JSON with ``//`` comments or trailing commas loads, with a warning.

Example:
    >>> from azimagebuilder import load_template
    >>> t = load_template('''{"location": "West US 2", "properties": {
    ...   "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer",
    ...              "sku": "18.04-LTS", "version": "latest"},
    ...   "distribute": [{"type": "VHD", "runOutputName": "vhd"}]}}''')
    >>> t.location
    'westus2'
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

from .. import _codes as C
from .._errors import TemplateValidationError
from .._expressions import is_arm_expression
from .._problems import Problem, ValidationReport
from ..models import ImageTemplate
from ..validation._infer import check
from ._deployment import DeploymentInputs
from ._parameters import Parameters
from ._read import parse_json, read_template
from ._upgrade import upgrade

__all__ = ["TemplateWarning", "check_template", "load_template", "parse_json", "upgrade"]


class TemplateWarning(UserWarning):
    """Issued by :func:`load_template` for a template that loads but has problems worth a look.

    ``.warnings`` holds the problems (each with ``path``, ``code``, ``message``).
    """

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.warnings = problems
        where = f" in {source}" if source else ""
        lines = [f"{len(problems)} warning(s){where}:"] + [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


def load_template(
    source: str | os.PathLike[str] | bytes | dict[str, Any] | Path,
    *,
    api_version: str | None = None,
    resource_name: str | None = None,
    parameters: Parameters | None = None,
    subscription_id: str | None = None,
    resource_group: str | None = None,
) -> ImageTemplate:
    """Read a template and check it; return it as an :class:`~azimagebuilder.ImageTemplate`.

    ``source`` is a path, JSON text or a dict. It is checked at ``api_version`` (the version it will be
    sent at; a template whose own ``apiVersion`` differs gets a warning), or without it at its own
    ``apiVersion``, else ``2019-05-01-preview``. For a deployment template with several imageTemplates
    resources, ``resource_name`` says which one (its ``name`` as written, e.g. ``"[parameters('n')]"``,
    or as evaluated).

    ``parameters`` fills the template in: values by name (a dict), or an ARM deployment parameters file
    (its path, JSON text or dict). A value named ``region`` replaces the placeholder ``<region>`` and is
    ``parameters('region')`` in ARM expressions, which are evaluated where they use only ``parameters()``,
    ``variables()``, ``concat()``, ``format()``, ``resourceId()``, ``subscription()``, ``resourceGroup()``,
    ``toLower()``, ``toUpper()``, ``uniqueString()`` (``subscription_id`` and ``resource_group`` stand for
    the deployment's scope). Other expressions are kept as written, with a warning.

    Raises :class:`~azimagebuilder.TemplateValidationError` (with ``.errors`` and ``.warnings``) when the
    template cannot be used; nothing else. Problems that do not stop the template are issued as one
    :class:`TemplateWarning` (Python's ``warnings``).

    Example:
        >>> from azimagebuilder import TemplateValidationError
        >>> try:
        ...     load_template({"location": "westus2", "properties": {}})
        ... except TemplateValidationError as exc:
        ...     print([p.path for p in exc.errors])
        ['properties.source', 'properties.distribute']
        >>> load_template({"location": "<region>", "properties": {
        ...     "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer",
        ...                "sku": "18.04-LTS", "version": "latest"},
        ...     "distribute": [{"type": "VHD", "runOutputName": "vhd"}]}},
        ...     parameters={"region": "westus2"}).location
        'westus2'
    """
    template, report, label = check_template(
        source,
        api_version=api_version,
        resource_name=resource_name,
        parameters=parameters,
        subscription_id=subscription_id,
        resource_group=resource_group,
    )
    if template is None:
        raise TemplateValidationError(report.errors, report.warnings, source=label)
    if report.warnings:
        warnings.warn(TemplateWarning(report.warnings, label), stacklevel=2)
    return template


def check_template(
    source: str | os.PathLike[str] | bytes | dict[str, Any] | Path | ImageTemplate,
    *,
    api_version: str | None = None,
    resource_name: str | None = None,
    parameters: Parameters | None = None,
    subscription_id: str | None = None,
    resource_group: str | None = None,
) -> tuple[ImageTemplate | None, ValidationReport, str | None]:
    """The front door: read, check at ``api_version`` and build the template, each once.

    Returns ``(template or None, report, label)``: the template is ``None`` when the report has errors.
    Never raises for a bad template and issues no warning (:func:`load_template` and the clients do).

    Example:
        >>> template, report, _ = check_template({"location": "westus2", "properties": {
        ...     "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer",
        ...                "sku": "18.04-LTS", "version": "latest"},
        ...     "vmProfile": {"vnetConfig": {"subnetId": "/subscriptions/s/resourceGroups/rg/providers/"
        ...         "Microsoft.Network/virtualNetworks/v/subnets/default"}},
        ...     "distribute": [{"type": "VHD", "runOutputName": "vhd"}]},
        ...     "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/s/"
        ...         "resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i": {}}}},
        ...     api_version="2024-02-01")
        >>> report.ok, template.vm_profile.vnet_config.subnet_id.endswith("/default")
        (True, True)
    """
    if isinstance(source, ImageTemplate):
        from ..validation import validate

        report = validate(source, api_version=api_version)
        return (source if report.ok else None), report, None
    inputs = DeploymentInputs(subscription_id=subscription_id, resource_group=resource_group)
    template_json, problems, label = read_template(
        source, resource_name, parameters=parameters, inputs=inputs
    )
    normalised: Any = None
    if template_json is not None or not problems:
        normalised, found = check(template_json, api_version)
        # Which api-version was assumed matters to validate(); a loaded template is checked again at
        # the version it is sent with, so loading does not warn about it.
        problems = problems + [p for p in found if p.code != C.API_VERSION_ASSUMED]
    errors = [p for p in problems if p.severity == "error"]
    warning_list = [p for p in problems if p.severity != "error"]
    if errors:
        return None, ValidationReport(errors=errors, warnings=warning_list), label
    try:
        template = ImageTemplate.from_arm(normalised)
    except TemplateValidationError as exc:
        errors = [_unheld_expression(normalised, p) for p in exc.errors]
        return None, ValidationReport(errors=errors, warnings=warning_list), label
    return template, ValidationReport(errors=[], warnings=warning_list), label


_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def _unheld_expression(document: Any, problem: Problem) -> Problem:
    """A clear error for an ARM expression where the model needs an object or a list (``tags``,
    ``identity``, ``properties``, a customizer): ``validate`` accepts it, an ImageTemplate cannot hold it."""
    value = document
    for match in _STEP.finditer(problem.path):
        key, index = match.group(1), match.group(2)
        if index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        elif key is not None and isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return problem
    if not is_arm_expression(value):
        return problem
    field = problem.path.rsplit(".", 1)[-1] or "the template"
    return Problem(
        problem.path,
        C.ARM_EXPRESSION,
        f"`{field}` is the ARM expression {value}, which only Azure Resource Manager evaluates: an "
        "ImageTemplate needs its value, so give the values it uses (parameters=, subscription_id=, "
        "resource_group=), or check the template with validate(), which checks the rest around it",
    )
