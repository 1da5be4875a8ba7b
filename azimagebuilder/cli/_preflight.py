"""``azimagebuilder preflight FILE``: check a template locally, then against Azure, before creating it.

Runs :func:`azimagebuilder.validate` on the file and, when the document has no errors,
:func:`azimagebuilder.resources.preflight` (providers registered, source image, distribution targets,
identity and its roles; with ``--resource-group``, the group the template is to be created in). Problems
print exactly as ``azimagebuilder validate`` prints them, in text or JSON.

Exit status: 0 when there are no errors; 3 when the document itself has errors (an unreadable or non-JSON
file included; Azure is not asked); 1 when Azure finds errors, or cannot be asked (no credential, network);
2 on usage errors.

Credentials: azure-identity's ``DefaultAzureCredential`` (``az login``, environment, managed identity); with
``--emulator`` the local emulator's (it accepts any token), at ``--base-url`` with ``--ca-cert``.

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["preflight", "template.json", "--subscription", "<id>", "--format", "json"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import TYPE_CHECKING, Any

from ._azure import (
    SUBSCRIPTION_ENV,
    Connection,
    UsageError,
    add_connection_arguments,
    arm_credential,
    check_credential,
    read_connection,
)
from ._common import FAILED, INVALID, OK, CliError, explain

if TYPE_CHECKING:  # pragma: no cover
    from ..validation import ValidationReport


def register(subparsers: Any) -> None:
    """Add the ``preflight`` subcommand."""
    parser = subparsers.add_parser(
        "preflight",
        help="check a template against Azure before creating it (source image, targets, identity, ...)",
        description=(
            "Check an Image Builder template as `validate` does, then ask Azure what the document cannot "
            "know: providers registered, the source image, the distribution targets, the identity and its "
            "roles, and (--resource-group) the template's resource group. Needs Reader on the subscription. "
            "Exit 0: no errors; 1: Azure found errors, or could not be asked; 2: usage; 3: the template "
            "itself is invalid."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the template JSON file; - reads stdin")
    parser.add_argument(
        "--resource-group", metavar="RG", help="the resource group the template is to be created in (checked)"
    )
    parser.add_argument(
        "--resource-name", default=None, help="which imageTemplates resource of a deployment template"
    )
    add_connection_arguments(parser)
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.set_defaults(func=run_preflight)


def _fail(message: str, status: int = 1) -> int:
    print(f"azimagebuilder preflight: {message}", file=sys.stderr)
    return status


def run_preflight(args: argparse.Namespace) -> int:
    """Validate the file, check it against Azure, print the problems; return the exit status."""
    from azure.core.exceptions import AzureError, ClientAuthenticationError

    from ..validation import ValidationReport, validate
    from ._validate import _internal_error, print_reports

    try:
        arm = read_connection(args)
    except UsageError as exc:
        return _fail(str(exc), 2)
    if not arm.subscription:
        return _fail(f"give --subscription or set ${SUBSCRIPTION_ENV}", 2)
    # "-" is standard input, read once, as bytes (as `validate` does).
    source: Any = sys.stdin.buffer.read() if args.file == "-" else args.file
    try:
        report = validate(source, resource_name=args.resource_name)
    except Exception as exc:  # a bug must not end in a traceback
        report = _internal_error(exc)
    document_ok = report.ok
    if report.ok:
        try:
            found = _check_with_azure(args, source, arm)
        except CliError as exc:
            return _fail(str(exc), exc.status)
        except ClientAuthenticationError as exc:
            return _fail(explain(exc)[0])
        except AzureError as exc:
            return _fail(f"could not check the template against Azure: {explain(exc, arm.base_url)[0]}")
        report = ValidationReport(
            errors=[*report.errors, *found.errors], warnings=[*report.warnings, *found.warnings]
        )
    else:
        print(
            "azimagebuilder preflight: the template has errors; the checks against Azure run once they "
            "are fixed",
            file=sys.stderr,
        )
    print_reports([(args.file, report)], args.format)
    if report.ok:
        return OK
    return FAILED if document_ok else INVALID


def _check_with_azure(args: argparse.Namespace, source: Any, arm: Connection) -> ValidationReport:
    from .._errors import TemplateValidationError
    from ..loading import TemplateWarning, load_template
    from ..resources import preflight
    from ..validation import ValidationReport

    try:
        # validate() has reported the document's warnings already.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TemplateWarning)
            template = load_template(source, resource_name=args.resource_name)
    except TemplateValidationError as exc:
        return ValidationReport(errors=list(exc.errors), warnings=[])
    credential = arm_credential(args)
    try:
        # Without a token every check would be skipped as a warning: say so and fail instead.
        check_credential(credential, arm.base_url)
        return preflight(
            template,
            credential=credential,
            subscription_id=arm.subscription or "",
            resource_group=args.resource_group,
            base_url=arm.base_url,
            **arm.pipeline,
        )
    finally:
        close = getattr(credential, "close", None)
        if callable(close):
            close()
