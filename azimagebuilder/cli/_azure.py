"""What the commands that talk to Azure share: the connection options, their checks and the credential.

Every command that talks to Azure (``build``, ``run``, ``cancel``, ``status``, ``outputs``, ``show``,
``list``, ``delete``, ``logs``, ``preflight``) takes the same ``--subscription``, ``--base-url``,
``--ca-cert``, ``--emulator`` and ``--api-version`` options; keeping them here keeps their meaning and
their checks alike.
Every network call has a connect timeout (:data:`CONNECT_TIMEOUT`), and the credential is asked for a token
once, up front, so a missing login is one line (:data:`~._common.NO_CREDENTIAL`), not azure-identity's report.

Example:
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_connection_arguments(parser)
    >>> sub = "00000000-0000-0000-0000-000000000000"
    >>> read_connection(parser.parse_args(["--subscription", sub])).base_url
    'https://management.azure.com'
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._constants import ARM_ENDPOINT, CURRENT_STABLE_API_VERSION, KNOWN_API_VERSIONS
from ._common import FAILED, NO_CREDENTIAL, USAGE, CliError
from ._emulator import BASE_URL_ENV, CA_CERT_ENV
from ._emulator import SUBSCRIPTION_ENV as EMULATOR_SUBSCRIPTION_ENV

if TYPE_CHECKING:
    from .._client import ImageBuilderClient

SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID"

#: Seconds to wait for a TCP (and TLS) connection before giving up on an endpoint.
CONNECT_TIMEOUT = 10.0
#: Connection attempts retried after the first (azure-core's default is 3, with growing back-off).
CONNECT_RETRIES = 2

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_NAME = re.compile(r"^[A-Za-z0-9\-_.]{1,64}$")
_GROUP = re.compile(r"^[-\w._()]{1,90}$")


class UsageError(CliError):
    """Options that do not go together; the command prints the message and exits 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, USAGE)


@dataclass(frozen=True)
class Connection:
    """Where and how to reach Azure Resource Manager (or the emulator)."""

    subscription: str | None
    base_url: str
    pipeline: dict[str, Any] = field(default_factory=dict)  # azure-core options, e.g. connection_verify


def template_name(text: str) -> str:
    """argparse ``type=`` for a template name: 1 to 64 letters, digits, ``-``, ``_`` or ``.``."""
    if not _NAME.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a template name: use 1 to 64 letters, digits, '-', '_' or '.'"
        )
    return text


def resource_group_name(text: str) -> str:
    """argparse ``type=`` for a resource group name (1 to 90 letters, digits, ``-_.()``, not ending in .)."""
    if not _GROUP.match(text) or text.endswith("."):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a resource group name: use 1 to 90 letters, digits, '-', '_', '.', '(' or ')'"
        )
    return text


def add_connection_arguments(parser: argparse.ArgumentParser, *, api_version: bool = False) -> None:
    """Add ``--subscription``, ``--base-url``, ``--ca-cert``, ``--emulator`` (and ``--api-version``)."""
    parser.add_argument(
        "--subscription", metavar="ID", help=f"subscription id, a GUID (default: ${SUBSCRIPTION_ENV})"
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="Azure Resource Manager endpoint (or the emulator's)"
    )
    parser.add_argument("--ca-cert", metavar="FILE", help="CA certificate to trust (the emulator's ca_cert)")
    parser.add_argument(
        "--emulator",
        action="store_true",
        help="use the local emulator's credential: at --base-url, else at the one `azimagebuilder emulator "
        f"-- COMMAND` runs this in (${BASE_URL_ENV}), else (build, run, ...) one started in this process",
    )
    if api_version:
        parser.add_argument(
            "--api-version",
            default=CURRENT_STABLE_API_VERSION,
            choices=KNOWN_API_VERSIONS,
            metavar="VERSION",
            help=f"Image Builder api-version (default: {CURRENT_STABLE_API_VERSION}); one of "
            + ", ".join(KNOWN_API_VERSIONS),
        )


def read_connection(args: argparse.Namespace, *, in_process_emulator: bool = False) -> Connection:
    """Check the connection options; raises :class:`UsageError` for options that do not go together.

    ``in_process_emulator``: the command can start an emulator of its own for ``--emulator`` without
    ``--base-url`` (the caller does that); otherwise ``--emulator`` needs ``--base-url``.
    ``--emulator`` without ``--base-url`` under ``azimagebuilder emulator -- COMMAND`` means that emulator:
    its base URL, CA certificate and subscription come from the environment (and are set on ``args``).
    """
    where = {"base_url": "--base-url", "ca_cert": "--ca-cert", "subscription": "--subscription"}
    if args.emulator and not args.base_url and os.environ.get(BASE_URL_ENV):
        for option, variable in (
            ("base_url", BASE_URL_ENV),
            ("ca_cert", CA_CERT_ENV),
            ("subscription", EMULATOR_SUBSCRIPTION_ENV),
        ):
            if not getattr(args, option) and os.environ.get(variable):
                setattr(args, option, os.environ[variable])
                where[option] = f"${variable}"
    if args.emulator and not args.base_url and not in_process_emulator:
        raise UsageError(
            "--emulator needs --base-url (the emulator prints its base_url), or run this command under "
            "`azimagebuilder emulator -- COMMAND`"
        )
    if args.ca_cert and not os.path.isfile(args.ca_cert):
        raise UsageError(f"{where['ca_cert']} {args.ca_cert}: no such file")
    base_url = (args.base_url or ARM_ENDPOINT).rstrip("/")
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise UsageError(f"{where['base_url']} {args.base_url}: not an http(s) URL")
    subscription = args.subscription or os.environ.get(SUBSCRIPTION_ENV) or None
    if subscription is not None and not _GUID.match(subscription.strip()):
        where_sub = where["subscription"] if args.subscription else f"${SUBSCRIPTION_ENV}"
        raise UsageError(
            f"{where_sub} {subscription!r} is not a subscription id (a GUID, as `az account show` prints)"
        )
    pipeline: dict[str, Any] = {"connection_timeout": CONNECT_TIMEOUT, "retry_connect": CONNECT_RETRIES}
    if args.ca_cert:
        pipeline["connection_verify"] = args.ca_cert
    return Connection(
        subscription=subscription.strip() if subscription else None, base_url=base_url, pipeline=pipeline
    )


def require_subscription(arm: Connection) -> str:
    """The subscription, or a usage error saying how to give one."""
    if not arm.subscription:
        raise UsageError(f"give --subscription or set ${SUBSCRIPTION_ENV}")
    return arm.subscription


def arm_credential(args: argparse.Namespace) -> Any:
    """The emulator's credential with ``--emulator``, else azure-identity's ``DefaultAzureCredential``."""
    if args.emulator:
        from ..emulator._credential import EmulatorCredential

        return EmulatorCredential()
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def check_credential(credential: Any, base_url: str) -> None:
    """Ask ``credential`` for a token for ``base_url`` once; :class:`CliError` (exit 1) when it has none.

    azure-identity's own account of every credential it tried (a dozen lines) is not shown.
    """
    from azure.core.exceptions import ClientAuthenticationError

    try:
        credential.get_token(f"{base_url.rstrip('/')}/.default")
    except ClientAuthenticationError:
        close_credential(credential)
        raise CliError(NO_CREDENTIAL, FAILED) from None


def close_credential(credential: Any) -> None:
    """Close a credential's connections (azure-identity's hold HTTP sessions)."""
    close = getattr(credential, "close", None)
    if callable(close):
        close()


def _or_default(value: Any, default: float) -> float:
    return default if value is None else float(value)


@contextmanager
def image_builder_client(
    args: argparse.Namespace, *, polling_interval: float | None = None
) -> Iterator[ImageBuilderClient]:
    """An :class:`~azimagebuilder.ImageBuilderClient` for the command's connection options.

    With ``--emulator`` and no ``--base-url``, an emulator is started in this process for the duration
    (``args.emulator_scenario`` and ``args.emulator_build_duration`` when the command has them).
    """
    from .._client import ImageBuilderClient

    arm = read_connection(args, in_process_emulator=True)
    emulator = None
    with ExitStack() as stack:
        if args.emulator and not args.base_url:
            from ..emulator import Emulator

            emulator = Emulator(
                build_duration=_or_default(getattr(args, "emulator_build_duration", None), 1.0),
                scenario=getattr(args, "emulator_scenario", None),
            ).start()
            stack.callback(emulator.stop)
            arm = Connection(
                subscription=arm.subscription or emulator.subscription_id,
                base_url=emulator.base_url,
                pipeline={**arm.pipeline, "connection_verify": emulator.ca_cert},
            )
        subscription = require_subscription(arm)
        credential = arm_credential(args)
        stack.callback(close_credential, credential)
        check_credential(credential, arm.base_url)
        default_interval = 0.25 if args.emulator else 30.0
        interval = polling_interval if polling_interval is not None else default_interval
        with ImageBuilderClient(
            credential,
            subscription,
            base_url=arm.base_url,
            api_version=getattr(args, "api_version", None) or CURRENT_STABLE_API_VERSION,
            polling_interval=interval,
            **arm.pipeline,
        ) as client:
            # The blob helpers (logs, scripts, VHD copy) reuse the connection (CA, timeouts) and credential.
            args.resolved_connection = arm
            args.resolved_credential = credential
            args.in_process_emulator = emulator
            yield client
