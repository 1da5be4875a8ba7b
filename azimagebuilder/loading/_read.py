"""Turn what the user gave (a path, JSON text, a dict) into the JSON form of one template.

Reading never raises: every difficulty becomes a Problem, so the CLI and ``validate`` can report it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .. import _codes as C
from .._constants import RESOURCE_PROVIDER
from .._problems import Problem


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


def read_source(source: Any) -> tuple[Any, list[Problem], str | None]:
    """``(json value, problems, label)`` for a path, JSON text, bytes or an already parsed dict."""
    if isinstance(source, dict):
        return source, [], None
    if isinstance(source, bytes | bytearray):
        try:
            return (*parse_json(bytes(source).decode("utf-8-sig")), None)
        except UnicodeDecodeError as exc:
            return None, [Problem("", C.INVALID_JSON, f"not UTF-8 text: {exc.reason}", "error")], None
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        return (*parse_json(source), None)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            return (
                None,
                [Problem("", C.INVALID_JSON, f"{label} is not UTF-8 text: {exc.reason}", "error")],
                label,
            )
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


def _is_image_template(resource: Any) -> bool:
    if not isinstance(resource, dict):
        return False
    kind = next((v for k, v in resource.items() if isinstance(k, str) and k.lower() == "type"), None)
    if not isinstance(kind, str):
        return False
    # The full type, and the spellings real templates use for it (provider only, singular); not the
    # child types such as .../imageTemplates/triggers.
    provider = RESOURCE_PROVIDER.lower()
    return kind.lower() in (provider, f"{provider}/imagetemplates", f"{provider}/imagetemplate")


def _resource_label(resource: dict[str, Any]) -> str:
    name = next((v for k, v in resource.items() if isinstance(k, str) and k.lower() == "name"), None)
    return name if isinstance(name, str) else "<no name>"


def pick_template(value: Any, resource_name: str | None) -> tuple[Any, list[Problem]]:
    """The template inside ``value``: itself (bare template or resource body) or a deployment's resource."""
    if not isinstance(value, dict):
        return value, []
    resources = next((v for k, v in value.items() if isinstance(k, str) and k.lower() == "resources"), None)
    if not isinstance(resources, list) or "properties" in {str(k).lower() for k in value}:
        return value, []
    found = [r for r in resources if _is_image_template(r)]
    if not found:
        return None, [
            Problem(
                "resources",
                C.NO_IMAGE_TEMPLATE,
                f"this deployment template has no {RESOURCE_PROVIDER}/imageTemplates resource",
                "error",
            )
        ]
    names = [_resource_label(r) for r in found]
    if resource_name is not None:
        for resource in found:
            label = _resource_label(resource)
            if label == resource_name or label.lower() == resource_name.lower():
                return resource, []
        return None, [
            Problem(
                "resources",
                C.RESOURCE_NOT_FOUND,
                f"no imageTemplates resource is named {resource_name!r}; the template has: "
                + ", ".join(repr(n) for n in names),
                "error",
            )
        ]
    if len(found) > 1:
        return None, [
            Problem(
                "resources",
                C.AMBIGUOUS_RESOURCE,
                f"this deployment template has {len(found)} imageTemplates resources ("
                + ", ".join(repr(n) for n in names)
                + "): say which with resource_name=",
                "error",
            )
        ]
    return found[0], []


def read_template(source: Any, resource_name: str | None = None) -> tuple[Any, list[Problem], str | None]:
    """Read ``source`` and pick the template in it; ``(template json or None, problems, label)``."""
    value, problems, label = read_source(source)
    if value is None and any(p.severity == "error" for p in problems):
        return None, problems, label
    template, more = pick_template(value, resource_name)
    return template, problems + more, label
