"""Parameters: fill a template's ``<placeholders>`` and evaluate its ARM expressions.

Values come from ``load_template(..., parameters=...)`` / ``validate(..., parameters=...)`` or the command
line's ``--parameters FILE`` and ``--set name=value``. A value named ``region`` fills ``<region>`` anywhere
in the template and is ``parameters('region')`` in its expressions. An ARM deployment parameters file
(``{"parameters": {"region": {"value": "westus2"}}}``) is read as it is.

Example:
    >>> values, _ = read_parameters({"parameters": {"region": {"value": "westus2"}}})
    >>> fill_placeholders({"location": "<region>"}, values)[0]
    {'location': 'westus2'}
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import _codes as C
from .._problems import Problem
from ._arm import Scope, Unevaluable, evaluate, is_expression

__all__ = [
    "Parameters",
    "fill_placeholders",
    "parse_assignments",
    "placeholder_names",
    "read_parameters",
    "resolve_expressions",
    "unused_parameters",
]

#: What ``parameters=`` accepts: values by name, an ARM parameters file's dict, or a path / JSON text of one.
Parameters = Mapping[str, Any] | str | os.PathLike[str]

_PLACEHOLDER = re.compile(r"<([A-Za-z][^<>\"\n]*)>")


def read_parameters(source: Parameters | None) -> tuple[dict[str, Any], list[Problem]]:
    """Parameter values by name from a mapping, an ARM deployment parameters file, or JSON text.

    Accepted: ``{"name": value}``, ``{"name": {"value": value}}`` and the deployment parameters file
    ``{"$schema": ..., "contentVersion": ..., "parameters": {"name": {"value": value}}}``. A Key Vault
    ``reference`` is left unset, with a warning (its secret is fetched by ARM only).

    Example:
        >>> read_parameters({"a": 1, "b": {"value": "x"}})
        ({'a': 1, 'b': 'x'}, [])
    """
    if source is None:
        return {}, []
    problems: list[Problem] = []
    value: Any = source
    where = "parameters"
    if isinstance(source, str | os.PathLike) and not isinstance(source, Mapping):
        from ._read import parse_json

        text = str(source) if isinstance(source, str) else ""
        if isinstance(source, str) and text.lstrip()[:1] in ("{", "["):
            value, problems = parse_json(text)
        else:
            where = str(source)
            try:
                value, problems = parse_json(Path(source).read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                return {}, [
                    Problem("", C.PARAMETERS_INVALID, f"cannot read the parameters file {where}: {reason}")
                ]
        problems = [Problem(p.path, p.code, f"{where}: {p.message}", p.severity) for p in problems]
        if value is None:
            return {}, [Problem(p.path, C.PARAMETERS_INVALID, p.message, p.severity) for p in problems]
    if not isinstance(value, Mapping):
        return {}, [Problem("", C.PARAMETERS_INVALID, f"{where} must be a JSON object of parameter values")]
    inner = value.get("parameters")
    if isinstance(inner, Mapping) and ("$schema" in value or "contentVersion" in value or len(value) == 1):
        value = inner
    values: dict[str, Any] = {}
    for name, entry in value.items():
        if not isinstance(name, str) or name in ("$schema", "contentVersion"):
            continue
        if isinstance(entry, Mapping) and set(entry) == {"value"}:
            values[name] = entry["value"]
        elif isinstance(entry, Mapping) and "reference" in entry and set(entry) <= {"reference", "metadata"}:
            problems.append(
                Problem(
                    f"parameters.{name}",
                    C.PARAMETERS_INVALID,
                    f"parameter {name!r} is a Key Vault reference, which only Azure Resource Manager reads: "
                    f"give its value with --set {name}=... to check the template with it",
                    "warning",
                )
            )
        else:
            values[name] = entry
    return values, problems


def parse_assignments(items: Iterable[str]) -> dict[str, Any]:
    """``["name=value", ...]`` (the command line's ``--set``) as values by name.

    A value starting with ``{``, ``[`` or ``"`` is read as JSON (objects, lists, a quoted string);
    any other value is text (the template's parameter type turns ``60`` into a number where declared).
    Raises ValueError naming the item that has no ``=`` or holds broken JSON.

    Example:
        >>> parse_assignments(["region=westus2", 'tags={"a": "b"}'])
        {'region': 'westus2', 'tags': {'a': 'b'}}
    """
    values: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {item!r}: write NAME=VALUE, e.g. --set region=westus2")
        if text.lstrip()[:1] in ("{", "[", '"'):
            try:
                values[name.strip()] = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"--set {item!r}: the value is not valid JSON ({exc.msg})") from None
        else:
            values[name.strip()] = text
    return values


def _lookup(values: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    if name in values:
        return True, values[name]
    lowered = name.lower()
    for key, value in values.items():
        if key.lower() == lowered:
            return True, value
    return False, None


def fill_placeholders(value: Any, values: Mapping[str, Any]) -> tuple[Any, set[str]]:
    """Replace each ``<name>`` that has a value; return the new value and the names used (lowercase).

    A string that is one placeholder and nothing else takes the value as it is (a list, a number);
    inside a longer string the value is written as text.

    Example:
        >>> fill_placeholders(["<n>", "a-<n>"], {"n": 3})
        ([3, 'a-3'], {'n'})
    """
    used: set[str] = set()

    def text(match: re.Match[str]) -> str:
        found, item = _lookup(values, match.group(1))
        if not found:
            return match.group(0)
        used.add(match.group(1).lower())
        return item if isinstance(item, str) else json.dumps(item)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            whole = _PLACEHOLDER.fullmatch(item.strip())
            if whole is not None:
                found, replacement = _lookup(values, whole.group(1))
                if found:
                    used.add(whole.group(1).lower())
                    return replacement
            return _PLACEHOLDER.sub(text, item) if "<" in item else item
        if isinstance(item, list):
            return [walk(x) for x in item]
        if isinstance(item, dict):
            out: dict[Any, Any] = {}
            for key, x in item.items():
                new_key = walk(key) if isinstance(key, str) else key
                out[new_key if isinstance(new_key, str) else key] = walk(x)
            return out
        return item

    if not values:
        return value, used
    try:
        return walk(value), used
    except RecursionError:  # pathologically deep input: left as it is, the checks report the depth
        return value, set()


def resolve_expressions(value: Any, scope: Scope, path: str = "") -> tuple[Any, list[Problem]]:
    """Evaluate each ARM expression in ``value`` that can be evaluated; keep the others as written.

    A malformed expression is an error (ARM refuses it too); one this library cannot evaluate stays, and
    the checks report it as an expression.

    Example:
        >>> resolve_expressions({"a": "[toLower('X')]", "b": "[reference('r')]"}, Scope())[0]
        {'a': 'x', 'b': "[reference('r')]"}
    """
    problems: list[Problem] = []

    def one(text: str, here: str) -> Any:
        if not is_expression(text):
            return text
        try:
            return evaluate(text, scope)
        except Unevaluable:
            return text
        except ValueError as exc:
            problems.append(
                Problem(here, C.ARM_EXPRESSION_INVALID, f"{text} is not a valid ARM expression: {exc}")
            )
            return text

    def walk(item: Any, here: str) -> Any:
        if isinstance(item, str):
            return one(item, here)
        if isinstance(item, list):
            return [walk(x, f"{here}[{i}]") for i, x in enumerate(item)]
        if isinstance(item, dict):
            out: dict[Any, Any] = {}
            for key, x in item.items():
                child = f"{here}.{key}" if here else str(key)
                new_key = one(key, child) if isinstance(key, str) else key
                out[new_key if isinstance(new_key, str) else key] = walk(x, child)
            return out
        return item

    try:
        return walk(value, path), problems
    except RecursionError:  # pathologically deep input: left as it is, the checks report the depth
        return value, []


def placeholder_names(value: Any) -> set[str]:
    """The names of every ``<placeholder>`` in a JSON value, lowercase.

    Example:
        >>> sorted(placeholder_names({"a": ["<One>", "x-<two>"]}))
        ['one', 'two']
    """
    return {name.lower() for name in _PLACEHOLDER.findall(json.dumps(value, ensure_ascii=False))}


def unused_parameters(
    values: Mapping[str, Any], used: set[str], declared: Iterable[str], placeholders: Iterable[str] = ()
) -> list[Problem]:
    """A warning for each value given that fills no placeholder and names no parameter (a typo?)."""
    known = {name.lower() for name in declared} | used
    candidates = sorted(known | {name.lower() for name in placeholders})
    problems = []
    for name in values:
        if name.lower() in known:
            continue
        close = difflib.get_close_matches(name.lower(), candidates, n=1, cutoff=0.6)
        tip = f": did you mean {close[0]!r}?" if close else ""
        problems.append(
            Problem(
                "",
                C.PARAMETER_UNUSED,
                f"a value was given for {name!r}, but the template has no parameter or <{name}> placeholder "
                f"of that name{tip}",
                "warning",
            )
        )
    return problems
