"""Find the imageTemplates resources in an ARM deployment template, in every shape ARM accepts.

- ``resources`` as a list, or (``languageVersion`` 2.0, compiled Bicep) an object keyed by symbolic name;
- resources inside nested ``Microsoft.Resources/deployments`` with an inline ``properties.template``,
  at any depth, with the nested template's own parameters (``expressionEvaluationOptions.scope`` =
  ``inner``) or its parent's (the default, ``outer``);
- copy loops (``"copy": {"name": ..., "count": ...}``), checked once, for ``copyIndex()`` = 0.

Each resource found comes with the :class:`~azimagebuilder.loading._arm.Scope` its expressions are
evaluated in, so ``parameters()`` and ``variables()`` resolve as ARM would resolve them.

Example:
    >>> found = find_image_templates({"resources": {"img": {
    ...     "type": "Microsoft.VirtualMachineImages/imageTemplates", "name": "t1", "properties": {}}}},
    ...     DeploymentInputs())
    >>> [(f.path, f.name) for f in found]
    [('resources.img', 't1')]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._constants import RESOURCE_PROVIDER
from ._arm import Scope, Unevaluable, evaluate, is_expression, resolve_value

__all__ = ["DeploymentInputs", "Found", "find_image_templates", "is_deployment_template"]

_DEPLOYMENTS = "microsoft.resources/deployments"


@dataclass
class DeploymentInputs:
    """What the user says about the deployment: parameter values, and its subscription / resource group."""

    parameters: Mapping[str, Any] = field(default_factory=dict)
    subscription_id: str | None = None
    resource_group: str | None = None
    location: str | None = None


@dataclass
class Found:
    """One imageTemplates resource: where it is, its name, the scope of its expressions, its copy loop."""

    resource: dict[str, Any]
    path: str
    scope: Scope
    written_name: str
    copy: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        """The resource's name, evaluated when it can be (else as written)."""
        try:
            value = evaluate(self.written_name, self.scope)
        except (Unevaluable, ValueError, RecursionError):
            return self.written_name
        return value if isinstance(value, str) else self.written_name

    def matches(self, wanted: str) -> bool:
        return wanted.lower() in (self.written_name.lower(), self.name.lower())


def _get(obj: Mapping[str, Any], key: str) -> Any:
    """``obj[key]`` with ARM's case-insensitive keys."""
    if key in obj:
        return obj[key]
    lowered = key.lower()
    return next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == lowered), None)


def is_image_template(resource: Any) -> bool:
    """True for an imageTemplates resource (and the spellings real templates use for its type)."""
    if not isinstance(resource, dict):
        return False
    kind = _get(resource, "type")
    if not isinstance(kind, str):
        return False
    # The full type, and the provider only or singular; not child types such as .../imageTemplates/triggers.
    provider = RESOURCE_PROVIDER.lower()
    return kind.lower() in (provider, f"{provider}/imagetemplates", f"{provider}/imagetemplate")


def is_deployment_template(value: Any) -> bool:
    """A deployment template: ``resources`` (a list, or an object by symbolic name), no ``properties``."""
    if not isinstance(value, dict) or _get(value, "properties") is not None:
        return False
    resources = _get(value, "resources")
    return isinstance(resources, list) or (
        isinstance(resources, dict)
        and (_get(value, "languageVersion") is not None or _looks_symbolic(resources))
    )


def _looks_symbolic(resources: dict[str, Any]) -> bool:
    return bool(resources) and all(
        isinstance(v, dict) and "type" in {str(k).lower() for k in v} for v in resources.values()
    )


def _resources(template: Mapping[str, Any], path: str) -> list[tuple[str, Any]]:
    resources = _get(template, "resources")
    here = f"{path}.resources" if path else "resources"
    if isinstance(resources, list):
        return [(f"{here}[{i}]", r) for i, r in enumerate(resources)]
    if isinstance(resources, dict):
        return [(f"{here}.{name}", r) for name, r in resources.items()]
    return []


def _coerce(value: Any, declared: Any) -> Any:
    """A value given as text (``--set n=60``) in the type the template declares for the parameter."""
    if not isinstance(value, str) or not isinstance(declared, dict):
        return value
    kind = _get(declared, "type")
    kind = kind.lower() if isinstance(kind, str) else ""
    try:
        if kind == "int":
            return int(value)
        if kind == "bool" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind in ("object", "array", "secureobject"):
            import json

            return json.loads(value)
    except ValueError:
        return value
    return value


def root_scope(template: Mapping[str, Any], inputs: DeploymentInputs) -> Scope:
    """The scope of a top-level template: given values over declared defaults, and its variables."""
    return _scope(template, dict(inputs.parameters), inputs)


def _scope(template: Mapping[str, Any], given: dict[str, Any], inputs: DeploymentInputs) -> Scope:
    declared = _get(template, "parameters")
    declared = declared if isinstance(declared, dict) else {}
    variables = _get(template, "variables")
    scope = Scope(
        variables=variables if isinstance(variables, dict) else {},
        subscription_id=inputs.subscription_id,
        resource_group=inputs.resource_group,
        location=inputs.location,
    )
    values: dict[str, Any] = {}
    lowered_given = {k.lower(): v for k, v in given.items()}
    for name, spec in declared.items():
        if name.lower() in lowered_given:
            values[name] = _coerce(lowered_given[name.lower()], spec)
    scope.parameters = values
    # Defaults may refer to other parameters: evaluate them in order, in the scope built so far.
    for name, spec in declared.items():
        if name in values or not isinstance(spec, dict):
            continue
        default = _get(spec, "defaultValue")
        if default is None and "defaultvalue" not in {str(k).lower() for k in spec}:
            continue
        try:
            values[name] = resolve_value(default, scope)
        except (Unevaluable, ValueError, RecursionError):
            continue
    # Values given for names the template does not declare still serve parameters('x') in bare templates.
    for name, value in given.items():
        if name.lower() not in {k.lower() for k in declared}:
            values[name] = value
    return scope


def _nested_scope(
    deployment: dict[str, Any], template: dict[str, Any], outer: Scope, inputs: DeploymentInputs
) -> Scope:
    props = _get(deployment, "properties")
    options = _get(props, "expressionEvaluationOptions") if isinstance(props, dict) else None
    mode = _get(options, "scope") if isinstance(options, dict) else None
    if not (isinstance(mode, str) and mode.lower() == "inner"):
        return outer  # ARM's default: the nested template sees its parent's parameters and variables
    passed = _get(props, "parameters") if isinstance(props, dict) else None
    given: dict[str, Any] = {}
    if isinstance(passed, dict):
        for name, entry in passed.items():
            if isinstance(entry, dict) and "value" in entry:
                try:
                    given[name] = resolve_value(entry["value"], outer)
                except (Unevaluable, ValueError, RecursionError):
                    continue  # unknown here: its expressions inside stay unevaluated
    return _scope(template, given, inputs)


def find_image_templates(
    value: dict[str, Any], inputs: DeploymentInputs, scope: Scope | None = None, path: str = ""
) -> list[Found]:
    """Every imageTemplates resource of a deployment template, nested deployments included."""
    scope = scope if scope is not None else root_scope(value, inputs)
    found: list[Found] = []
    for here, resource in _resources(value, path):
        if not isinstance(resource, dict):
            continue
        copy = _get(resource, "copy")
        copy = copy if isinstance(copy, dict) else None
        if _get(resource, "existing") is True:
            continue  # a reference to a resource deployed elsewhere (languageVersion 2.0): not deployed here
        if is_image_template(resource):
            name = _get(resource, "name")
            resource_scope = scope
            if copy is not None:
                resource_scope = Scope(
                    parameters=scope.parameters,
                    variables=scope.variables,
                    subscription_id=scope.subscription_id,
                    resource_group=scope.resource_group,
                    location=scope.location,
                    copy_index=0,
                )
            found.append(
                Found(resource, here, resource_scope, name if isinstance(name, str) else "<no name>", copy)
            )
            continue
        kind = _get(resource, "type")
        props = _get(resource, "properties")
        if isinstance(kind, str) and kind.lower() == _DEPLOYMENTS and isinstance(props, dict):
            nested = _get(props, "template")
            if isinstance(nested, dict):
                inner = _nested_scope(resource, nested, scope, inputs)
                found.extend(find_image_templates(nested, inputs, inner, f"{here}.properties.template"))
    return found


def copy_count(found: Found) -> Any:
    """The ``count`` of a copy loop, evaluated when it can be."""
    count = _get(found.copy or {}, "count")
    if is_expression(count):
        try:
            return evaluate(count, found.scope)
        except (Unevaluable, ValueError, RecursionError):
            return count
    return count


def declared_parameters(template: Mapping[str, Any]) -> list[str]:
    """The names of the parameters a template declares, nested deployments' templates included."""
    names: list[str] = []
    declared = _get(template, "parameters")
    if isinstance(declared, dict):
        names.extend(str(k) for k in declared)
    for _, resource in _resources(template, ""):
        props = _get(resource, "properties") if isinstance(resource, dict) else None
        nested = _get(props, "template") if isinstance(props, dict) else None
        if isinstance(nested, dict):
            names.extend(declared_parameters(nested))
    return names


def linked_deployments(template: Mapping[str, Any], path: str = "") -> list[str]:
    """The paths of nested deployments whose template is linked (``templateLink``), which is not fetched."""
    found: list[str] = []
    for here, resource in _resources(template, path):
        kind = _get(resource, "type") if isinstance(resource, dict) else None
        props = _get(resource, "properties") if isinstance(resource, dict) else None
        if not (isinstance(kind, str) and kind.lower() == _DEPLOYMENTS and isinstance(props, dict)):
            continue
        if _get(props, "templateLink") is not None:
            found.append(here)
        nested = _get(props, "template")
        if isinstance(nested, dict):
            found.extend(linked_deployments(nested, f"{here}.properties.template"))
    return found
