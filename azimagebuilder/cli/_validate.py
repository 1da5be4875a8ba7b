"""``azimagebuilder validate FILE...`` and ``azimagebuilder schema``.

Exit status of ``validate``: 0 when no file has errors, 1 when some file has errors (unreadable and
non-JSON files included), 2 on usage errors (argparse).

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["validate", "template.json", "--format", "json"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from .._constants import KNOWN_API_VERSIONS

if TYPE_CHECKING:  # pragma: no cover
    from ..validation import ValidationReport


def register(subparsers: Any) -> None:
    """Add the ``validate`` and ``schema`` subcommands."""
    validate = subparsers.add_parser(
        "validate",
        help="check Image Builder template files before Azure does",
        description=(
            "Check Image Builder templates (bare templates, resource bodies or ARM deployment templates) "
            "against the template document's rules. Exit 0: no errors; 1: some file has errors; 2: usage."
        ),
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="template JSON files; - reads stdin")
    validate.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    validate.add_argument(
        "--api-version",
        choices=KNOWN_API_VERSIONS,
        default=None,
        metavar="VERSION",
        help="api-version for templates that declare none (default: 2019-05-01-preview); one of "
        + ", ".join(KNOWN_API_VERSIONS),
    )
    validate.add_argument(
        "--resource-name", default=None, help="which imageTemplates resource of a deployment template"
    )
    validate.set_defaults(func=run_validate)

    schema = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of a template (for editors)",
        description="Print the JSON Schema of an Image Builder template (document form) for editors.",
    )
    schema.add_argument("--indent", type=int, default=2, help="JSON indentation (default: 2)")
    schema.set_defaults(func=run_schema)


def run_validate(args: argparse.Namespace) -> int:
    """Validate every file; print a report; return the exit status."""
    from ..validation import validate

    reports: list[tuple[str, ValidationReport]] = []
    for name in args.files:
        # "-" is standard input, read as bytes so that text not starting with "{" is not taken for a path.
        source: Any = sys.stdin.buffer.read() if name == "-" else name
        try:
            report = validate(source, api_version=args.api_version, resource_name=args.resource_name)
        except Exception as exc:  # a bug must not hide the other files' results behind a traceback
            report = _internal_error(exc)
        reports.append((name, report))
    print_reports(reports, args.format)
    failed = any(not report.ok for _, report in reports)
    return 1 if failed else 0


def _internal_error(exc: Exception) -> Any:
    from .._codes import INTERNAL_ERROR
    from ..validation import Problem, ValidationReport

    message = f"azimagebuilder could not check this file ({type(exc).__name__}: {exc}); please report it"
    return ValidationReport(errors=[Problem("", INTERNAL_ERROR, message, "error")])


def print_reports(reports: list[tuple[str, ValidationReport]], fmt: str) -> None:
    """Print each file's problems: ``text`` for people, ``json`` as the documented list of objects.

    Shared with ``azimagebuilder preflight``, so both commands print the same shapes.
    """
    results = [
        {
            "file": name,
            "errors": [p.to_dict() for p in report.errors],
            "warnings": [p.to_dict() for p in report.warnings],
        }
        for name, report in reports
    ]
    if fmt == "json":
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_text(results)


def _print_text(results: list[dict[str, Any]]) -> None:
    out = sys.stdout
    bad = 0
    for result in results:
        errors, warnings = result["errors"], result["warnings"]
        status = "OK" if not errors else f"{len(errors)} error(s)"
        if warnings:
            status += f", {len(warnings)} warning(s)"
        out.write(f"{result['file']}: {status}\n")
        for severity, problems in (("error", errors), ("warning", warnings)):
            for p in problems:
                out.write(f"  {severity}: {p['path'] or '<template>'}: {p['message']} [{p['code']}]\n")
        bad += bool(errors)
    if len(results) > 1:
        out.write(f"{len(results)} file(s) checked, {bad} with errors\n")


def run_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of a template."""
    from ..models import template_json_schema

    json.dump(template_json_schema(), sys.stdout, indent=args.indent)
    sys.stdout.write("\n")
    return 0
