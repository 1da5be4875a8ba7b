"""How the template commands print: ``--output table`` for people, ``--output json`` for the next step.

With ``--output json`` a command writes exactly one JSON document to stdout and nothing else there;
progress and messages go to stderr. The shapes are documented in docs/cli.md:

- a run (``build``, ``run``, ``status --wait``): :func:`run_document`
  ``{"runState", "outputs": {name: {"artifactId"} | {"artifactUri"}}, "template": id}``;
- a template's status: :func:`status_document`;
- a list of templates: :func:`list_row` for each.

Example:
    >>> from azimagebuilder.models import RunOutput
    >>> run_document("/subscriptions/s/.../t", "Succeeded", [RunOutput(name="img", artifact_id="/x")])
    {'runState': 'Succeeded', 'outputs': {'img': {'artifactId': '/x'}}, 'template': '/subscriptions/s/.../t'}
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "add_output_argument",
    "print_json",
    "print_table",
    "run_document",
    "status_document",
]


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--output {table,json}`` (``-o``)."""
    parser.add_argument(
        "--output",
        "-o",
        choices=("table", "json"),
        default="table",
        help="table for people (default), json for scripts: one JSON document on stdout",
    )


def print_json(document: Any) -> None:
    """One JSON document on stdout."""
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Rows in aligned columns under their headers (the last column is not padded)."""
    table = [[str(h) for h in headers], *([("" if c is None else str(c)) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")
    sys.stdout.flush()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def outputs_document(outputs: Iterable[Any], copied: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run output name -> ``{"artifactId": ...}`` or ``{"artifactUri": ...}`` (plus ``copiedTo``)."""
    found: dict[str, Any] = {}
    for output in outputs:
        entry: dict[str, Any] = {}
        if output.artifact_id:
            entry["artifactId"] = output.artifact_id
        if output.artifact_uri:
            entry["artifactUri"] = output.artifact_uri
        if copied and output.name in copied:
            entry["copiedTo"] = copied[output.name]
        found[str(output.name)] = entry
    return found


def run_document(
    template_id: str | None,
    run_state: Any,
    outputs: Iterable[Any],
    *,
    copied: Mapping[str, str] | None = None,
    error: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON of a finished run: ``{"runState", "outputs", "template"}`` (and ``"error"`` on failure)."""
    document: dict[str, Any] = {
        "runState": _text(run_state),
        "outputs": outputs_document(outputs, copied),
        "template": template_id,
    }
    if error:
        document["error"] = dict(error)
    return document


def last_run_document(status: Any) -> dict[str, Any] | None:
    """``lastRunStatus`` in its wire shape, or None."""
    if status is None:
        return None
    return {
        "startTime": status.start_time.isoformat() if status.start_time else None,
        "endTime": status.end_time.isoformat() if status.end_time else None,
        "runState": _text(status.run_state),
        "runSubState": _text(status.run_sub_state),
        "message": status.message or "",
    }


def status_document(template: Any) -> dict[str, Any]:
    """A template's state: ``template``, ``name``, ``provisioningState``, ``provisioningError``,
    ``lastRunStatus``."""
    error = template.provisioning_error
    return {
        "template": template.id,
        "name": template.name,
        "provisioningState": _text(template.provisioning_state),
        "provisioningError": None
        if error is None
        else {"code": _text(error.provisioning_error_code), "message": error.message or ""},
        "lastRunStatus": last_run_document(template.last_run_status),
    }


def resource_group_of(resource_id: str | None) -> str | None:
    """The resource group named in a resource id."""
    parts = (resource_id or "").split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[i + 1]
    return None


def list_row(template: Any) -> dict[str, Any]:
    """One template of ``list``: name, resource group, location, states and id."""
    status = template.last_run_status
    return {
        "name": template.name,
        "resourceGroup": resource_group_of(template.id),
        "location": template.location,
        "provisioningState": _text(template.provisioning_state),
        "runState": _text(status.run_state) if status is not None else None,
        "template": template.id,
    }


def print_outputs_table(document: Mapping[str, Any]) -> None:
    """The outputs of a run document as a table: OUTPUT, KIND, VALUE."""
    rows = []
    for name, entry in document["outputs"].items():
        for kind in ("artifactId", "artifactUri", "copiedTo"):
            if kind in entry:
                rows.append((name, kind, entry[kind]))
    if rows:
        print_table(("OUTPUT", "KIND", "VALUE"), rows)
    else:
        sys.stdout.write("(no run outputs)\n")
