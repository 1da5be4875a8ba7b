"""``azimagebuilder upgrade FILE --to VERSION``: a template rewritten for a newer api-version.

The rewritten template goes to stdout (or ``--output FILE``); what changed and the problems left at the
target version go to stderr. Exit status (the table in :mod:`._common`): 0 when the result has no error at
``--to``, 3 when errors are left to fix (an identity to add, a subscription id, an ISO source) or the file
cannot be read, 2 on usage errors.

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["upgrade", "template.json", "--to", "2025-10-01"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .._constants import KNOWN_API_VERSIONS
from ._common import INVALID, OK


def register(subparsers: Any) -> None:
    """Add the ``upgrade`` subcommand."""
    parser = subparsers.add_parser(
        "upgrade",
        help="rewrite a template for a newer api-version and say what is left to fix",
        description=(
            "Rewrite an Image Builder template for a newer api-version: vnetConfig name/subnetName/"
            "resourceGroupName to subnetId, replicationRegions to targetRegions, names and types in the "
            "REST API's spelling, fields the version no longer knows dropped. Prints the template (stdout "
            "or --output), then what changed and the problems left (stderr). Exit 0: no errors left; "
            "3: errors left to fix; 2: usage."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the template JSON file; - reads stdin")
    parser.add_argument(
        "--to",
        choices=KNOWN_API_VERSIONS,
        default=KNOWN_API_VERSIONS[-1],
        metavar="VERSION",
        help=f"the api-version to upgrade to (default: {KNOWN_API_VERSIONS[-1]}); one of "
        + ", ".join(KNOWN_API_VERSIONS),
    )
    parser.add_argument(
        "--subscription-id",
        default=None,
        metavar="ID",
        help="the subscription of the build VM's virtual network (completes the subnetId made from an "
        "old vnetConfig)",
    )
    parser.add_argument("--output", "-o", default=None, metavar="FILE", help="write the template to FILE")
    parser.set_defaults(func=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    """Upgrade one file; print the template, the changes and the problems left; return the exit status."""
    from ..loading import upgrade

    source: Any = sys.stdin.read() if args.file == "-" else args.file
    result = upgrade(source, to=args.to, subscription_id=args.subscription_id)
    err = sys.stderr
    if result.template is None:
        for problem in result.report.errors:
            err.write(f"error: {problem}\n")
        return INVALID
    text = json.dumps(result.template, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    label = "stdin" if args.file == "-" else args.file
    err.write(f"{label}: {result.from_version} -> {result.to_version}, {len(result.changes)} change(s)\n")
    for change in result.changes:
        err.write(f"  changed: {change}\n")
    for problem in result.report.errors:
        err.write(f"  error: {problem}\n")
    for problem in result.report.warnings:
        err.write(f"  warning: {problem}\n")
    if result.report.errors:
        err.write(f"{len(result.report.errors)} error(s) left to fix at {result.to_version}\n")
        return INVALID
    return OK
