"""Templates whose api-version is unknown: checked against what the api-versions they fit share.

A template without ``apiVersion``, or whose ``apiVersion`` is an ARM expression (``[parameters('v')]``) or a
placeholder, could be sent at any api-version. Its fields narrow that down: a ``vnetConfig.subnetId`` means
2020-02-14 or later, ``targetRegions`` 2022-07-01 or later, ``vnetConfig.subnetName`` before 2020-02-14.
The template is checked at every api-version that knows all the fields it uses, and only what those
versions agree on is reported, so no field is demanded that one of them does not need. One warning
(``api-version-assumed``) says which range was assumed and why.

The retired 2018-02-01-preview and 2019-02-01-preview are considered only when no later version fits.

Example:
    >>> doc = {"location": "westus2", "properties": {"vmProfile": {"vnetConfig": {"subnetId": "x"}}}}
    >>> _, problems = analyse_any_version(doc, reason="it declares no apiVersion")
    >>> [p.message.split(":")[0] for p in problems if p.code == "api-version-assumed"]
    ['it declares no apiVersion']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _codes as C
from .._constants import KNOWN_API_VERSIONS
from .._expressions import is_arm_expression
from .._problems import Problem
from ._retired import OLD_PREVIEWS, analyse_old_preview, uses_old_preview_fields

__all__ = ["analyse_any_version", "check", "tolerated", "unknown_version_reason"]

_VERSION_CODES = frozenset({C.FIELD_NEWER_THAN_API_VERSION, C.FIELD_REMOVED_IN_API_VERSION})
_OLD_PREVIEWS = frozenset({"2018-02-01-preview", "2019-02-01-preview"})

Analyse = Callable[..., tuple[Any, list[Problem]]]


def unknown_version_reason(document: Any) -> str | None:
    """Why the template's api-version is unknown (absent, an expression, a placeholder), or None.

    A literal that is no api-version (``"2099-01-01"``) is not "unknown" here: it is reported as
    ``api-version-unknown``.

    Example:
        >>> unknown_version_reason({"apiVersion": "[parameters('v')]"})
        "its apiVersion is the ARM expression [parameters('v')]"
    """
    if not isinstance(document, dict):
        return None
    value = next((v for k, v in document.items() if isinstance(k, str) and k.lower() == "apiversion"), None)
    if value is None:
        return "it declares no apiVersion"
    if not isinstance(value, str):
        return None
    if is_arm_expression(value):
        return f"its apiVersion is the ARM expression {value}"
    if "<" in value or "{" in value:
        return f"its apiVersion is the placeholder {value!r}"
    if value.strip() == "":
        return "its apiVersion is empty"
    return None


def analyse_any_version(
    document: Any, *, reason: str, analyse: Analyse | None = None
) -> tuple[Any, list[Problem]]:
    """Check ``document`` at every api-version its fields fit; keep what they all report; say the range."""
    if analyse is None:
        from ._engine import analyse as engine

        analyse = engine
    results = {version: analyse(document, api_version=version) for version in KNOWN_API_VERSIONS}

    def misfits(version: str) -> list[Problem]:
        return [p for p in results[version][1] if p.code in _VERSION_CODES]

    if uses_old_preview_fields(document):  # `script` in a Shell customizer: the first previews' shape
        return _old_preview_range(document, reason)
    candidates = [v for v in KNOWN_API_VERSIONS if v not in _OLD_PREVIEWS]
    fits = [v for v in candidates if not misfits(v)]
    if not fits:
        fits = [v for v in KNOWN_API_VERSIONS if not misfits(v)]
    mixed = not fits
    if mixed:  # fields of no single version: take the versions that fit best
        fewest = min(len(misfits(v)) for v in candidates)
        fits = [v for v in candidates if len(misfits(v)) == fewest]

    def key(p: Problem) -> tuple[str, str]:
        return (p.path, p.code)

    # What every fitting version reports; where they differ in severity (an unknown field is an error
    # from 2024-02-01, a warning before), the mildest, since some version that fits accepts it.
    shared = set.intersection(*({key(p) for p in results[v][1]} for v in fits))
    mildest: dict[tuple[str, str], Problem] = {}
    for version in fits:
        for p in results[version][1]:
            if key(p) in shared and (key(p) not in mildest or mildest[key(p)].severity == "error"):
                mildest[key(p)] = p
    first = fits[0]
    drop_unknown = "placeholder" in reason  # the placeholder itself is reported
    problems = []
    for p in results[first][1]:
        if key(p) not in shared:
            continue
        if (drop_unknown and p.code == C.API_VERSION_UNKNOWN) or (not mixed and p.code in _VERSION_CODES):
            continue
        problems.append(mildest[key(p)] if p.severity == "error" else p)
    problems.append(_assumed(reason, fits, results, mixed))
    return results[first][0], problems


def _old_preview_range(document: Any, reason: str) -> tuple[Any, list[Problem]]:
    """A template in the first previews' shape: checked as 2019-02-01-preview, the later of the two."""
    version = OLD_PREVIEWS[-1]
    normalised, problems = analyse_old_preview(document, version)
    problems.append(
        Problem(
            "apiVersion",
            C.API_VERSION_ASSUMED,
            f"{reason}: its fields are those of the first previews (a Shell or PowerShell customizer with "
            f"`script`): checked at api-version {version}; declare apiVersion (or pass --api-version) to "
            "check it at one version",
            "warning",
        )
    )
    return normalised, problems


def _assumed(
    reason: str, fits: list[str], results: dict[str, tuple[Any, list[Problem]]], mixed: bool
) -> Problem:
    evidence: list[str] = []
    flagged = sorted(
        {(p.path, p.code) for version in results for p in results[version][1] if p.code in _VERSION_CODES}
    )
    for path, code in flagged:
        knowing = [
            v for v in KNOWN_API_VERSIONS if (path, code) not in {(p.path, p.code) for p in results[v][1]}
        ]
        if not knowing:
            continue
        if code == C.FIELD_NEWER_THAN_API_VERSION:
            evidence.append(f"`{path}` needs {knowing[0]} or later")
        else:
            evidence.append(f"`{path}` is not known after {knowing[-1]}")
    why = f" ({'; '.join(evidence[:4])})" if evidence else ""
    lo, hi = fits[0], fits[-1]
    if mixed:
        checked = f"its fields belong to no single api-version{why}; checked against what {lo} to {hi} share"
    elif lo == hi:
        checked = f"checked at api-version {lo}, the only one that knows every field it uses{why}"
    else:
        checked = f"checked against what api-versions {lo} to {hi} share{why}"
    return Problem(
        "apiVersion",
        C.API_VERSION_ASSUMED,
        f"{reason}: {checked}; declare apiVersion (or pass --api-version) to check it at one version",
        "warning",
    )


def check(document: Any, api_version: str | None) -> tuple[Any, list[Problem]]:
    """The checks at ``api_version``; without one, at the template's own, or the range its fields fit.

    Example:
        >>> _, problems = check({"apiVersion": "2020-02-14", "location": "westus2"}, None)
        >>> "api-version-assumed" in {p.code for p in problems}
        False
    """
    from ._engine import analyse

    old = api_version if api_version in OLD_PREVIEWS else _declared(document)
    if old in OLD_PREVIEWS and (api_version is None or api_version == old):
        normalised, problems = analyse_old_preview(document, old, analyse)
    elif api_version is None and (reason := unknown_version_reason(document)) is not None:
        normalised, problems = analyse_any_version(document, reason=reason, analyse=analyse)
    else:
        # None: the template's own apiVersion; a version: that one (the template's, if it differs, is warned)
        normalised, problems = analyse(document, api_version=api_version)
    return normalised, [tolerated(p) for p in problems]


def _declared(document: Any) -> str | None:
    if not isinstance(document, dict):
        return None
    value = next((v for k, v in document.items() if isinstance(k, str) and k.lower() == "apiversion"), None)
    return value.strip() if isinstance(value, str) else None


def tolerated(problem: Problem) -> Problem:
    """A rule the real service was seen to accept (``SERVICE_TOLERATED_CODES``) as a warning, code kept.

    Example:
        >>> tolerated(Problem("p", "customizer-name-duplicate", "names must be unique")).severity
        'warning'
    """
    if problem.severity != "error" or problem.code not in C.SERVICE_TOLERATED_CODES:
        return problem
    return Problem(
        problem.path,
        problem.code,
        f"{problem.message} (a warning: the service was seen to accept this, but the template document "
        "forbids it)",
        "warning",
    )
