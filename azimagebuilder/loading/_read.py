"""Turn what the user gave (a path, JSON text, a dict) into the JSON form of one template.

Reading never raises: every difficulty becomes a Problem, so the CLI and ``validate`` can report it.
"""

from __future__ import annotations

import codecs
import json
import os
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


def strip_json_extras(text: str) -> tuple[str, bool]:
    """Remove ``//`` and ``/* */`` comments and trailing commas outside strings; say whether any were found.

    Example:
        >>> strip_json_extras('{"a": 1, // one\\n}')
        ('{"a": 1 \\n}', True)
    """
    out: list[str] = []
    i, n = 0, len(text)
    changed = False
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
        elif ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
            changed = True
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end == -1 else end + 2
            changed = True
        else:
            out.append(ch)
            i += 1
    stripped = "".join(out)
    # Trailing commas: outside strings only, so scan again with strings masked.
    result: list[str] = []
    i, n = 0, len(stripped)
    in_string = False
    while i < n:
        ch = stripped[i]
        if in_string:
            result.append(ch)
            if ch == "\\" and i + 1 < n:
                result.append(stripped[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            result.append(ch)
        elif ch == ",":
            j = i + 1
            while j < n and stripped[j] in " \t\r\n":
                j += 1
            if j < n and stripped[j] in "}]":
                changed = True
                i += 1
                continue
            result.append(ch)
        else:
            result.append(ch)
        i += 1
    return "".join(result), changed


def parse_json(text: str) -> tuple[Any, list[Problem]]:
    """Parse JSON, allowing comments and trailing commas with a warning; errors become problems."""
    text = text.lstrip("\ufeff")
    try:
        return json.loads(text), []
    except json.JSONDecodeError:
        pass
    except RecursionError:
        return None, [Problem("", C.INVALID_JSON, "the JSON is nested too deeply to read", "error")]
    cleaned, changed = strip_json_extras(text)
    try:
        value = json.loads(cleaned)
    except json.JSONDecodeError as exc:
        # Report the position in the original text (lines are kept by the stripping).
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
        return None, [
            Problem(
                "resources",
                C.NO_IMAGE_TEMPLATE,
                f"this deployment template has no {RESOURCE_PROVIDER}/imageTemplates resource (looked in "
                "resources, nested Microsoft.Resources/deployments and copy loops)",
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
