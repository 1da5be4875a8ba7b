"""Turn what the user gave (a path, JSON text, a dict) into the JSON form of one template.

Reading never raises: every difficulty becomes a Problem, so the CLI and ``validate`` can report it.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import _codes as C
from .._constants import RESOURCE_PROVIDER
from .._problems import Problem
from ._deployment import (
    DeploymentInputs,
    Found,
    copy_count,
    declared_parameters,
    find_image_templates,
    is_deployment_template,
    linked_deployments,
    root_scope,
)
from ._parameters import (
    Parameters,
    fill_placeholders,
    placeholder_names,
    read_parameters,
    resolve_expressions,
    unused_parameters,
)

# Lenient JSON: compiled patterns, so the regular-expression engine (C) walks the text and Python only
# sees the few comments and trailing commas. Strings are matched whole (the unrolled-loop form), so nothing
# inside a string is ever touched. What is removed becomes spaces (newlines kept), so a JSON error's line
# and column are those of the original text.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
# The last alternative is a comment never closed; it cannot run past a "*/", so no backtracking ever
# rescans the rest of the text.
_COMMENT = r"//[^\n]*|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/|/\*(?:[^*]|\*(?!/))*\Z"
_TRAILING = rf"(?:\s|{_COMMENT})*[\]}}]"  # what follows a trailing comma: blanks and comments, then ] or }
_EXTRAS = re.compile(
    rf'(?P<keep>(?:[^"/,]+|{_STRING}|/(?![/*])|,(?!{_TRAILING}))+)|(?P<comment>{_COMMENT})|(?P<comma>,)|"'
)
_NOT_NEWLINE = re.compile(r"[^\n]")


def strip_json_extras(text: str, start: int = 0) -> tuple[str, bool]:
    """Blank out ``//`` and ``/* */`` comments and trailing commas outside strings (as spaces, newlines
    kept, so positions do not move); say whether any were found. ``start`` is a position known to be
    outside any string, before which the text holds neither (where a strict parse stopped).

    Example:
        >>> strip_json_extras('{"a": 1, // one\\n}')
        ('{"a": 1        \\n}', True)
        >>> strip_json_extras('{"url": "https://x/*y*/", "b": [1,]}')
        ('{"url": "https://x/*y*/", "b": [1 ]}', True)
    """
    found: set[str] = set()

    def blank(match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind in (None, "keep"):
            return match.group(0)
        found.add(kind)
        return _NOT_NEWLINE.sub(" ", match.group(0))

    cleaned = _EXTRAS.sub(blank, text[start:] if start else text)
    return (text[:start] + cleaned if start else cleaned), bool(found)


def _first_extra(text: str, error: json.JSONDecodeError) -> int:
    """Where to start cleaning: the strict parse's error position (outside any string), or the comma
    before it when that comma is a trailing one."""
    j = error.pos
    while j > 0 and text[j - 1] in " \t\r\n":
        j -= 1
    return j - 1 if j > 0 and text[j - 1] == "," else error.pos


#: Deeper than this, a JSON value is refused (real templates nest about ten levels).
MAX_DEPTH = 100
_MAX_INT_DIGITS = 4300  # Python's default int <-> str conversion limit


class _HugeNumber(str):
    """An integer literal with more digits than Python converts (kept as text, then reported)."""

    __slots__ = ()


def _parse_int(text: str) -> Any:
    return int(text) if len(text) <= _MAX_INT_DIGITS else _HugeNumber(text)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer of more than 4300 digits: read it as text, report it afterwards
        return json.loads(text, parse_int=_parse_int)


def _path(parent: str, key: Any) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def _shown(text: str) -> str:
    """``text`` as a short, printable quotation (lone surrogates and controls escaped)."""
    return ascii(text[:40] + ("..." if len(text) > 40 else ""))


def check_json_value(value: Any) -> list[Problem]:
    """The problems that make ``value`` (a parsed document or a dict given in Python) unusable as JSON:
    keys that are not strings, integers too large to write, NaN and Infinity, text with lone surrogates,
    nesting deeper than :data:`MAX_DEPTH`. Each names its JSON path. Iterative: never a RecursionError.

    Example:
        >>> [p.path for p in check_json_value({"tags": {1: "x"}, "n": float("nan")})]
        ['n', 'tags']
    """
    problems: list[Problem] = []

    def bad(path: str, message: str) -> None:
        if len(problems) < 20:
            problems.append(Problem(path, C.INVALID_JSON, message, "error"))

    pending: list[tuple[Any, str, int]] = [(value, "", 0)]
    while pending and len(problems) < 20:
        item, path, depth = pending.pop()
        if isinstance(item, _HugeNumber):
            bad(path, f"a number of {len(item)} digits is too large: write at most {_MAX_INT_DIGITS} digits")
        elif isinstance(item, str):
            if not item.isascii() and _has_lone_surrogate(item):
                bad(path, f"the text {_shown(item)} holds a lone surrogate, which is not valid Unicode")
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if item.bit_length() > _MAX_INT_DIGITS * 3:  # about 900 digits and more: certainly no setting
                bad(path, f"a number of about {int(item.bit_length() * 0.30103)} digits is too large")
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                bad(path, f"{item!r} is not a JSON number: write a number or a string")
        elif isinstance(item, dict | list | tuple):
            if depth >= MAX_DEPTH:
                problems.append(
                    Problem(
                        path,
                        C.NOT_A_TEMPLATE,
                        f"nested too deeply: more than {MAX_DEPTH} levels of objects and lists here",
                        "error",
                    )
                )
                continue
            if isinstance(item, dict):
                for key, sub in item.items():
                    if not isinstance(key, str):
                        bad(
                            path,
                            f"the key {key!r} ({type(key).__name__}) is not a string: JSON keys are text",
                        )
                        continue
                    if not key.isascii() and _has_lone_surrogate(key):
                        where = _path(path, _shown(key))
                        bad(
                            where, f"the key {_shown(key)} holds a lone surrogate, which is not valid Unicode"
                        )
                        continue
                    pending.append((sub, _path(path, key), depth + 1))
            else:
                pending.extend((sub, _path(path, i), depth + 1) for i, sub in enumerate(item))
    problems.sort(key=lambda p: p.path)
    return problems


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_json(text: str) -> tuple[Any, list[Problem]]:
    """Parse JSON, allowing comments and trailing commas with a warning; errors become problems."""
    text = text.lstrip("\ufeff")
    try:
        return _loads(text), []
    except json.JSONDecodeError as exc:
        start = _first_extra(text, exc)  # the text before it parsed: no comment or trailing comma there
    except RecursionError:
        return None, [Problem("", C.INVALID_JSON, "the JSON is nested too deeply to read", "error")]
    cleaned, changed = strip_json_extras(text, start)
    try:
        value = _loads(cleaned)
    except json.JSONDecodeError as exc:
        # Report the position in the original text (the stripping keeps every position).
        return None, [
            Problem(
                "",
                C.INVALID_JSON,
                f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                "error",
            )
        ]
    except RecursionError:
        return None, [Problem("", C.INVALID_JSON, "the JSON is nested too deeply to read", "error")]
    problems = []
    if changed:
        problems.append(
            Problem(
                "",
                C.LENIENT_JSON,
                "the JSON holds comments or trailing commas: read anyway, but Azure tools may refuse it",
                "warning",
            )
        )
    return value, problems


def decode_text(data: bytes) -> str:
    """JSON file bytes as text: UTF-8 (with or without a BOM), UTF-16 / UTF-32 with a BOM, or UTF-16
    without one (told apart by the zero bytes beside the first, ASCII, character).

    Windows PowerShell 5 writes UTF-16 LE with a BOM by default (``Out-File``, ``>``).

    Raises:
        UnicodeDecodeError: the bytes are none of these.

    Example:
        >>> decode_text('{"a": 1}'.encode("utf-16"))
        '{"a": 1}'
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    # No BOM: JSON starts with an ASCII character, so UTF-16 shows as a zero byte beside it (RFC 4627).
    if len(data) >= 2 and data[0] and not data[1]:
        return data.decode("utf-16-le")
    if len(data) >= 2 and not data[0] and data[1]:
        return data.decode("utf-16-be")
    return data.decode("utf-8-sig")


def read_source(source: Any) -> tuple[Any, list[Problem], str | None]:
    """``(json value, problems, label)`` for a path, JSON text, bytes or an already parsed dict."""
    if isinstance(source, dict):
        return source, [], None
    if isinstance(source, bytes | bytearray):
        try:
            return (*parse_json(decode_text(bytes(source))), None)
        except UnicodeDecodeError as exc:
            message = f"not UTF-8 (or UTF-16 with a BOM) text: {exc.reason}"
            return None, [Problem("", C.INVALID_JSON, message, "error")], None
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        return (*parse_json(source), None)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = str(path)
        try:
            text = decode_text(path.read_bytes())
        except UnicodeDecodeError as exc:
            message = f"{label} is not UTF-8 (or UTF-16 with a BOM) text: {exc.reason}"
            return None, [Problem("", C.INVALID_JSON, message, "error")], label
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return None, [Problem("", C.UNREADABLE, f"cannot read {label}: {reason}", "error")], label
        value, problems = parse_json(text)
        return value, problems, label
    kind = type(source).__name__
    return (
        None,
        [Problem("", C.NOT_A_TEMPLATE, f"expected a path, JSON text or a dict, not {kind}", "error")],
        None,
    )


def pick_template(
    value: Any,
    resource_name: str | None,
    inputs: DeploymentInputs | None = None,
    *,
    option: str = "resource_name=",
) -> tuple[Any, list[Problem]]:
    """The template inside ``value``: itself (bare template or resource body) or a deployment's resource."""
    picked, problems = pick_templates(value, resource_name, inputs, option=option)
    if picked is None:
        return None, problems
    if len(picked) > 1:  # pragma: no cover - pick_templates returns one unless all_resources
        raise AssertionError("several templates picked")
    return picked[0].document, problems + picked[0].problems


@dataclass
class Picked:
    """One template read from the input: its JSON (parameters filled in), a label, its own problems."""

    document: Any
    label: str | None = None
    problems: list[Problem] = field(default_factory=list)


def pick_templates(
    value: Any,
    resource_name: str | None,
    inputs: DeploymentInputs | None = None,
    *,
    all_resources: bool = False,
    option: str = "resource_name=",
) -> tuple[list[Picked] | None, list[Problem]]:
    """The templates inside ``value`` (one unless ``all_resources``), their expressions evaluated."""
    inputs = inputs if inputs is not None else DeploymentInputs()
    if not is_deployment_template(value):
        scope = root_scope({}, inputs)
        document, problems = resolve_expressions(value, scope)
        return [Picked(document, None, problems)], []
    found = find_image_templates(value, inputs)
    if not found:
        linked = linked_deployments(value)
        tip = (
            f"; {', '.join(linked)} link their template (templateLink), which is not fetched: validate the "
            "linked file itself"
            if linked
            else ""
        )
        return None, [
            Problem(
                "resources",
                C.NO_IMAGE_TEMPLATE,
                f"this deployment template has no {RESOURCE_PROVIDER}/imageTemplates resource (looked in "
                f"resources, nested Microsoft.Resources/deployments and copy loops){tip}",
                "error",
            )
        ]
    names = ", ".join(repr(f.name) for f in found)
    chosen = found
    if resource_name is not None:
        chosen = [f for f in found if f.matches(resource_name)]
        if not chosen:
            return None, [
                Problem(
                    "resources",
                    C.RESOURCE_NOT_FOUND,
                    f"no imageTemplates resource is named {resource_name!r}; the template has: {names}",
                    "error",
                )
            ]
        chosen = chosen[:1]
    elif len(found) > 1 and not all_resources:
        return None, [
            Problem(
                "resources",
                C.AMBIGUOUS_RESOURCE,
                f"this deployment template has {len(found)} imageTemplates resources ({names}): say which "
                f"with {option}" + (", or check them all with --all" if option.startswith("--") else ""),
                "error",
            )
        ]
    return [_picked(f, label=f.name if len(found) > 1 else None) for f in chosen], []


def _picked(found: Found, label: str | None) -> Picked:
    document, problems = resolve_expressions(found.resource, found.scope)
    if found.copy is not None:
        count = copy_count(found)
        problems.append(
            Problem(
                "copy",
                C.COPY_LOOP,
                f"{found.path} is a copy loop (count {json.dumps(count)}): checked once, as its first "
                "instance (copyIndex() = 0)",
                "warning",
            )
        )
    return Picked(document, label, problems)


def read_templates(
    source: Any,
    resource_name: str | None = None,
    *,
    parameters: Parameters | None = None,
    inputs: DeploymentInputs | None = None,
    all_resources: bool = False,
    option: str = "resource_name=",
) -> tuple[list[Picked] | None, list[Problem], str | None]:
    """Read ``source``, fill in ``parameters``, pick its template(s): ``(picked or None, problems, label)``.

    Example:
        >>> read_templates('{"location": "<r>"}', parameters={"r": "westus2"})[0][0].document
        {'location': 'westus2'}
    """
    value, problems, label = read_source(source)
    if value is None and any(p.severity == "error" for p in problems):
        return None, problems, label
    unusable = check_json_value(value)  # huge numbers, NaN, non-string keys, lone surrogates, deep nesting
    if unusable:
        return None, problems + unusable, label
    values, more = read_parameters(parameters)
    problems = problems + more
    inputs = inputs if inputs is not None else DeploymentInputs()
    if values:
        inputs = DeploymentInputs(values, inputs.subscription_id, inputs.resource_group, inputs.location)
    present = placeholder_names(value) if values else set()
    value, used = fill_placeholders(value, values)
    picked, more = pick_templates(value, resource_name, inputs, all_resources=all_resources, option=option)
    problems = problems + more
    if values and isinstance(value, dict):
        problems += unused_parameters(values, used, declared_parameters(value), present)
    return picked, problems, label


def read_template(
    source: Any,
    resource_name: str | None = None,
    *,
    parameters: Parameters | None = None,
    inputs: DeploymentInputs | None = None,
    option: str = "resource_name=",
) -> tuple[Any, list[Problem], str | None]:
    """Read ``source`` and pick the template in it; ``(template json or None, problems, label)``."""
    picked, problems, label = read_templates(
        source, resource_name, parameters=parameters, inputs=inputs, option=option
    )
    if picked is None:
        return None, problems, label
    return picked[0].document, problems + picked[0].problems, label
