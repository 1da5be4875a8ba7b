"""What the commands that talk to Azure share: the connection options, their checks and the credential.

``azimagebuilder logs`` and ``azimagebuilder preflight`` take the same ``--subscription``, ``--base-url``,
``--ca-cert`` and ``--emulator`` options; keeping them here keeps their meaning and their checks alike.

Example:
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_connection_arguments(parser)
    >>> read_connection(parser.parse_args(["--subscription", "0000"])).base_url
    'https://management.azure.com'
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any

from .._constants import ARM_ENDPOINT

SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID"


class UsageError(Exception):
    """Options that do not go together; the command prints the message and exits 2."""


@dataclass(frozen=True)
class Connection:
    """Where and how to reach Azure Resource Manager (or the emulator)."""

    subscription: str | None
    base_url: str
    pipeline: dict[str, Any] = field(default_factory=dict)  # azure-core options, e.g. connection_verify


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--subscription``, ``--base-url``, ``--ca-cert`` and ``--emulator``."""
    parser.add_argument(
        "--subscription", metavar="ID", help=f"subscription id (default: ${SUBSCRIPTION_ENV})"
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="Azure Resource Manager endpoint (or the emulator's)"
    )
    parser.add_argument("--ca-cert", metavar="FILE", help="CA certificate to trust (the emulator's ca_cert)")
    parser.add_argument(
        "--emulator", action="store_true", help="talk to the local emulator at --base-url with its credential"
    )


def read_connection(args: argparse.Namespace) -> Connection:
    """Check the connection options; raises :class:`UsageError` for options that do not go together."""
    if args.emulator and not args.base_url:
        raise UsageError("--emulator needs --base-url (the emulator prints its base_url)")
    if args.ca_cert and not os.path.isfile(args.ca_cert):
        raise UsageError(f"--ca-cert {args.ca_cert}: no such file")
    return Connection(
        subscription=args.subscription or os.environ.get(SUBSCRIPTION_ENV) or None,
        base_url=(args.base_url or ARM_ENDPOINT).rstrip("/"),
        pipeline={"connection_verify": args.ca_cert} if args.ca_cert else {},
    )


def arm_credential(args: argparse.Namespace) -> Any:
    """The emulator's credential with ``--emulator``, else azure-identity's ``DefaultAzureCredential``."""
    if args.emulator:
        from ..emulator._credential import EmulatorCredential

        return EmulatorCredential()
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()
