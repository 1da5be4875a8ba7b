"""The first preview api-versions, 2018-02-01-preview and 2019-02-01-preview: their own field rules.

Their template (the preview's "API Reference", 2018-2019) differs from 2019-05-01-preview's in a few places:

- a Shell or PowerShell customizer runs ``script`` (a URI) or ``inline``; there is no ``scriptUri`` and no
  ``sha256Checksum``, ``runElevated``, File or WindowsUpdate customizer;
- ``distribute`` may be empty (a template artifact without distribution);
- there is no ``identity``, ``vmProfile``, ``buildTimeoutInMinutes`` or SharedImageVersion source.

The template is checked with 2019-05-01-preview's rules adapted to these, and one warning says that the
api-version is retired and that ``azimagebuilder upgrade`` rewrites the template.

Example:
    >>> doc = {"apiVersion": "2018-02-01-preview", "location": "westus2", "properties": {
    ...     "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "UbuntuServer",
    ...                "sku": "18.04-LTS", "version": "18.04.201808140"},
    ...     "customize": [{"type": "Shell", "name": "setup", "script": "https://example.com/setup.sh"}],
    ...     "distribute": []}}
    >>> _, problems = analyse_old_preview(doc, "2018-02-01-preview")
    >>> [(p.code, p.severity) for p in problems]
    [('api-version-retired', 'warning')]
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .. import _codes as C
from .._problems import Problem

__all__ = ["OLD_PREVIEWS", "analyse_old_preview", "uses_old_preview_fields"]

OLD_PREVIEWS = ("2018-02-01-preview", "2019-02-01-preview")
_BASE = "2019-05-01-preview"
_SCRIPTED = ("shell", "powershell")
# Fields 2019-05-01-preview knows and the first previews did not: where, and what.
_TEMPLATE_NEWER = ("identity",)
_PROPERTIES_NEWER = ("vmProfile", "buildTimeoutInMinutes")
_CUSTOMIZER_NEWER = ("scriptUri", "sha256Checksum", "runElevated")
_CUSTOMIZER_TYPES_NEWER = ("file", "windowsupdate")
_SOURCE_TYPES_NEWER = ("sharedimageversion",)

Analyse = Callable[..., tuple[Any, list[Problem]]]


def _get(obj: Any, key: str) -> Any:
    if not isinstance(obj, dict):
        return None
    return next((v for k, v in obj.items() if isinstance(k, str) and k.lower() == key.lower()), None)


def _key(obj: dict[str, Any], key: str) -> str | None:
    return next((k for k in obj if isinstance(k, str) and k.lower() == key.lower()), None)


def _customizers(document: Any) -> list[tuple[int, dict[str, Any]]]:
    items = _get(_get(document, "properties"), "customize")
    if not isinstance(items, list):
        return []
    return [(i, c) for i, c in enumerate(items) if isinstance(c, dict)]


def _kind(obj: Any) -> str:
    value = _get(obj, "type")
    return value.lower() if isinstance(value, str) else ""


def uses_old_preview_fields(document: Any) -> bool:
    """True when a Shell / PowerShell customizer has ``script``, which only the first previews know.

    Example:
        >>> uses_old_preview_fields({"properties": {"customize": [{"type": "Shell", "script": "u"}]}})
        True
    """
    return any(_kind(c) in _SCRIPTED and _key(c, "script") for _, c in _customizers(document))


def analyse_old_preview(
    document: dict[str, Any], version: str, analyse: Analyse | None = None
) -> tuple[Any, list[Problem]]:
    """Check a template of ``version`` (2018-02-01-preview or 2019-02-01-preview) with its own rules."""
    if analyse is None:
        from ._engine import analyse as engine

        analyse = engine
    work = copy.deepcopy(document)
    api_key = _key(work, "apiVersion")
    if api_key is not None:
        work[api_key] = _BASE
    renamed: set[int] = set()
    for index, item in _customizers(work):
        script = _key(item, "script")
        if _kind(item) in _SCRIPTED and script is not None and _key(item, "scriptUri") is None:
            item["scriptUri"] = item.pop(script)
            renamed.add(index)
    props = _get(work, "properties")
    distribute = _get(props, "distribute")
    empty_distribute = distribute in (None, {}, [])
    if isinstance(props, dict) and empty_distribute:
        props[_key(props, "distribute") or "distribute"] = []
    normalised, found = analyse(work, api_version=None if api_key is not None else _BASE)

    problems: list[Problem] = []
    for problem in found:
        if empty_distribute and problem.path == "properties.distribute":
            continue  # these versions accept a template without distribution
        problems.append(_in_old_terms(problem, version, renamed, document))
    problems += _newer_fields(document, version, renamed)
    problems.append(
        Problem(
            "apiVersion",
            C.API_VERSION_RETIRED,
            f"api-version {version} is retired (Azure removed the preview api-versions on or after "
            "2021-06-30, so the service refuses it): `azimagebuilder upgrade` rewrites the template for a "
            f"current api-version. Checked with {version}'s own field rules",
            "warning",
        )
    )
    return normalised, problems


def _in_old_terms(problem: Problem, version: str, renamed: set[int], document: Any) -> Problem:
    """A problem found on the adapted copy, in the old version's words (``script``, not ``scriptUri``)."""
    path, message = problem.path, problem.message
    for index, item in _customizers(document):
        prefix = f"properties.customize[{index}]"
        if _kind(item) not in _SCRIPTED or not (path == prefix or path.startswith(prefix + ".")):
            continue
        if index in renamed:
            path = path.replace(f"{prefix}.scriptUri", f"{prefix}.script")
        message = message.replace("scriptUri", "script")
    if problem.code == C.API_VERSION_DIFFERS:
        message = message.replace(_BASE, version)
    return Problem(path, problem.code, message, problem.severity)


def _newer(path: str, what: str, version: str) -> Problem:
    return Problem(
        path,
        C.FIELD_NEWER_THAN_API_VERSION,
        f"{what} arrived after {version}: at {version} the service does not know it; declare a later "
        "apiVersion (`azimagebuilder upgrade` does) or remove it",
        "warning",
    )


def _newer_fields(document: Any, version: str, renamed: set[int]) -> list[Problem]:
    problems: list[Problem] = []
    for name in _TEMPLATE_NEWER:
        key = _key(document, name) if isinstance(document, dict) else None
        if key is not None:
            problems.append(_newer(key, f"`{key}`", version))
    props = _get(document, "properties")
    if isinstance(props, dict):
        for name in _PROPERTIES_NEWER:
            key = _key(props, name)
            if key is not None:
                problems.append(_newer(f"properties.{key}", f"`{key}`", version))
        source = _get(props, "source")
        if _kind(source) in _SOURCE_TYPES_NEWER:
            problems.append(
                _newer("properties.source.type", f"the source type {_get(source, 'type')!r}", version)
            )
    for index, item in _customizers(document):
        prefix = f"properties.customize[{index}]"
        if _kind(item) in _CUSTOMIZER_TYPES_NEWER:
            problems.append(_newer(f"{prefix}.type", f"the {_get(item, 'type')} customizer", version))
        for name in _CUSTOMIZER_NEWER:
            key = _key(item, name)
            if key is not None and index not in renamed:
                hint = " (these versions run `script`)" if name == "scriptUri" else ""
                problems.append(_newer(f"{prefix}.{key}", f"`{key}`{hint}", version))
    return problems
