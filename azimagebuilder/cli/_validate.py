"""``azimagebuilder validate FILE...`` and ``azimagebuilder schema``.

Exit status of ``validate``: 0 when no file has errors, 3 when some file has errors (unreadable and
non-JSON files included), 2 on usage errors (argparse); the table is in :mod:`._common`.

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
from ._common import INVALID, OK, number

if TYPE_CHECKING:  # pragma: no cover
    from ..validation import ValidationReport


def register(subparsers: Any) -> None:
    """Add the ``validate`` and ``schema`` subcommands."""
    validate = subparsers.add_parser(
        "validate",
        help="check Image Builder template files before Azure does",
        description=(
            "Check Image Builder templates (bare templates, resource bodies or ARM deployment templates) "
            "against the template document's rules. Exit 0: no errors; 3: some file has errors; 2: usage."
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
        help="api-version to check at, the one the template will be sent at (default: the template's own "
        "apiVersion, else the range of versions its fields fit); one of " + ", ".join(KNOWN_API_VERSIONS),
    )
    which = validate.add_mutually_exclusive_group()
    which.add_argument(
        "--resource-name", default=None, help="which imageTemplates resource of a deployment template"
    )
    which.add_argument(
        "--all",
        dest="all_resources",
        action="store_true",
        help="check every imageTemplates resource of a deployment template (nested deployments included)",
    )
    add_parameter_options(validate)
    validate.set_defaults(func=run_validate)

    schema = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of a template (for editors)",
        description="Print the JSON Schema of an Image Builder template (document form) for editors.",
    )
    schema.add_argument(
        "--indent", type=number(int, minimum=0, maximum=16), default=2, help="JSON indentation (default: 2)"
    )
    schema.add_argument(
        "--api-version",
        choices=KNOWN_API_VERSIONS,
        default=None,
        metavar="VERSION",
        help="only what this api-version knows (default: every field of every version); one of "
        + ", ".join(KNOWN_API_VERSIONS),
    )
    schema.set_defaults(func=run_schema)


def add_parameter_options(parser: argparse.ArgumentParser) -> None:
    """``--parameters FILE``, ``--set NAME=VALUE``, ``--subscription-id``, ``--resource-group``.

    Shared by the commands that read a template, so they fill it in the same way.
    """
    parser.add_argument(
        "--parameters",
        metavar="FILE",
        default=None,
        help='parameter values: an ARM deployment parameters file ({"parameters": {"x": {"value": ...}}}) '
        "or a JSON object of values; fills <placeholders> and parameters('x')",
    )
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one parameter value (repeatable; wins over --parameters): fills <NAME> and parameters('NAME'); "
        'a value starting with { [ or " is JSON',
    )
    parser.add_argument(
        "--subscription-id",
        dest="scope_subscription_id",
        default=None,
        metavar="ID",
        help="the subscription the template is deployed to: subscription() and resourceId() in expressions",
    )
    parser.add_argument(
        "--resource-group",
        dest="scope_resource_group",
        default=None,
        metavar="NAME",
        help="the resource group it is deployed to: resourceGroup() and resourceId() in expressions",
    )


def parameter_values(args: argparse.Namespace) -> dict[str, Any] | None:
    """The values of ``--parameters`` and ``--set`` (``--set`` wins); raises UsageError on bad input."""
    from ..loading._parameters import parse_assignments, read_parameters

    values: dict[str, Any] = {}
    if args.parameters is not None:
        found, problems = read_parameters(args.parameters)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise UsageError(f"--parameters {args.parameters}: {errors[0].message}")
        for problem in problems:
            sys.stderr.write(f"warning: --parameters {args.parameters}: {problem.message}\n")
        values.update(found)
    try:
        values.update(parse_assignments(args.assignments))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return values or None


class UsageError(Exception):
    """A bad option value: printed as ``azimagebuilder validate: error: ...`` with exit status 2."""


def run_validate(args: argparse.Namespace) -> int:
    """Validate every file; print a report; return the exit status."""
    from ..validation import validate_each

    try:
        values = parameter_values(args)
    except UsageError as exc:
        sys.stderr.write(f"azimagebuilder validate: error: {exc}\n")
        return 2
    reports: list[tuple[str, ValidationReport]] = []
    for name in args.files:
        # "-" is standard input, read as bytes so that text not starting with "{" is not taken for a path.
        source: Any = sys.stdin.buffer.read() if name == "-" else name
        try:
            each = validate_each(
                source,
                api_version=args.api_version,
                resource_name=args.resource_name,
                all_resources=args.all_resources,
                parameters=values,
                subscription_id=args.scope_subscription_id,
                resource_group=args.scope_resource_group,
                option="--resource-name",
            )
        except Exception as exc:  # a bug must not hide the other files' results behind a traceback
            each = [(None, _internal_error(exc))]
        for resource, report in each:
            reports.append((name if resource is None else f"{name} [{resource}]", report))
    print_reports(reports, args.format)
    failed = sum(not report.ok for _, report in reports)
    if failed:
        sys.stdout.flush()
        print(f"azimagebuilder validate: {failed} of {len(reports)} checked with errors", file=sys.stderr)
    return INVALID if failed else OK


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
            "errors": [_for_the_command_line(p.to_dict()) for p in report.errors],
            "warnings": [_for_the_command_line(p.to_dict()) for p in report.warnings],
        }
        for name, report in reports
    ]
    if fmt == "json":
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_text(results)


def _for_the_command_line(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem as the command line says it: options by their flags, not the Python keywords."""
    message = str(problem.get("message", ""))
    if "resource_name=" in message:
        problem = {**problem, "message": message.replace("resource_name=", "--resource-name NAME")}
    return problem


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

    json.dump(template_json_schema(args.api_version), sys.stdout, indent=args.indent)
    sys.stdout.write("\n")
    return 0
