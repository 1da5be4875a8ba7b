"""``azimagebuilder logs RG NAME``: print (or follow) a template's customization.log.

Finds the staging resource group ``IT_<rg>_<name>_<guid>`` and its storage account through Azure Resource
Manager, then reads ``packerlogs/<run-id>/customization.log`` (the newest run unless ``--run-id``).
``--storage-url`` names the staging account's blob endpoint directly and skips the look-ups (with a SAS in
the URL, or the account key in ``AZURE_STORAGE_KEY``). ``--follow`` prints new lines while the run is in
progress and returns when it ends.

Credentials: azure-identity's ``DefaultAzureCredential`` (``az login``, environment, managed identity); with
``--emulator`` the local emulator's (it accepts any token). The key and any SAS are never printed.

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["logs", "my-rg", "my-template", "--follow"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

_STORAGE_KEY_ENV = "AZURE_STORAGE_KEY"
_SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID"


def register(subparsers: Any) -> None:
    """Add the ``logs`` subcommand."""
    parser = subparsers.add_parser(
        "logs",
        help="print or follow a template's customization.log (the Packer build log)",
        description=(
            "Print a template's customization.log from its staging resource group's storage account "
            "(container packerlogs), the newest run unless --run-id; --follow prints new lines until the "
            "run ends."
        ),
    )
    parser.add_argument("resource_group", metavar="RESOURCE_GROUP", help="the template's resource group")
    parser.add_argument("template_name", metavar="NAME", help="the template's name")
    parser.add_argument(
        "--follow", "-f", action="store_true", help="keep printing new lines until the run ends"
    )
    parser.add_argument("--run-id", metavar="ID", help="the run whose log to read (default: the newest)")
    parser.add_argument(
        "--storage-url",
        metavar="URL",
        help=(
            "the staging storage account's blob endpoint (skips the look-ups); authorised by a SAS in the "
            f"URL, the account key in ${_STORAGE_KEY_ENV}, or your Azure credential"
        ),
    )
    parser.add_argument(
        "--staging-resource-group", metavar="NAME", help="the staging resource group (skips searching for it)"
    )
    parser.add_argument(
        "--subscription", metavar="ID", help=f"subscription id (default: ${_SUBSCRIPTION_ENV})"
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="Azure Resource Manager endpoint (or the emulator's)"
    )
    parser.add_argument("--ca-cert", metavar="FILE", help="CA certificate to trust (the emulator's ca_cert)")
    parser.add_argument(
        "--emulator", action="store_true", help="talk to the local emulator at --base-url with its credential"
    )
    parser.add_argument(
        "--poll",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="seconds between reads with --follow (default: 10)",
    )
    parser.set_defaults(func=run_logs)


def _fail(message: str, status: int = 1) -> int:
    print(f"azimagebuilder logs: {message}", file=sys.stderr)
    return status


def _arm_credential(args: argparse.Namespace) -> Any:
    if args.emulator:
        from ..emulator._credential import EmulatorCredential

        return EmulatorCredential()
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def _storage_credential(url: str | None, arm_credential: Any) -> Any:
    from ..resources._storage import has_sas

    if url is not None and has_sas(url):
        return None
    key = os.environ.get(_STORAGE_KEY_ENV)
    if url is not None and key:
        from azure.storage.blob import BlobServiceClient

        return {"account_name": BlobServiceClient(url).account_name, "account_key": key}
    return arm_credential


def run_logs(args: argparse.Namespace) -> int:
    """Print (or follow) the log; 0 when printed, 1 when it cannot be found or read, 2 on bad usage."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    from .._constants import ARM_ENDPOINT
    from ..resources._storage import redact_url
    from ..resources.logs import (
        LogNotFoundError,
        download_customization_log,
        find_log_location,
        follow_customization_log,
        run_in_progress,
    )

    if args.poll < 0:
        return _fail("--poll cannot be negative", 2)
    if args.emulator and not args.base_url:
        return _fail("--emulator needs --base-url (the emulator prints its base_url)", 2)
    subscription = args.subscription or os.environ.get(_SUBSCRIPTION_ENV)
    needs_arm = args.follow or args.storage_url is None
    if needs_arm and not subscription:
        return _fail(f"give --subscription or set ${_SUBSCRIPTION_ENV}", 2)
    base_url = (args.base_url or ARM_ENDPOINT).rstrip("/")
    pipeline: dict[str, Any] = {"connection_verify": args.ca_cert} if args.ca_cert else {}
    try:
        credential = _arm_credential(args)
        storage_credential = _storage_credential(args.storage_url, credential)
        where = None
        if not (args.follow and args.run_id is None):
            where = find_log_location(
                credential,
                subscription or "",
                args.resource_group,
                args.template_name,
                run_id=args.run_id,
                staging_resource_group=args.staging_resource_group,
                storage_url=args.storage_url,
                storage_credential=storage_credential,
                base_url=base_url,
                **pipeline,
            )
        if where is not None and not args.follow:
            sys.stdout.write(download_customization_log(where, credential=storage_credential))
            sys.stdout.flush()
            return 0
        from .._client import ImageBuilderClient

        with ImageBuilderClient(credential, subscription or "", base_url=base_url, **pipeline) as client:
            source: Any = where
            if source is None:
                # Follow the newest log and switch to a newer run's when it appears.
                source = args.storage_url or _account_url(
                    credential, subscription or "", args, base_url, pipeline
                )
            for line in follow_customization_log(
                source,
                credential=storage_credential,
                is_running=lambda: run_in_progress(client, args.resource_group, args.template_name),
                poll_interval=args.poll,
            ):
                print(line, flush=True)
        return 0
    except LogNotFoundError as exc:
        return _fail(str(exc))
    except ClientAuthenticationError as exc:
        return _fail(f"could not authenticate: {exc.message}")
    except HttpResponseError as exc:
        where_text = redact_url(args.storage_url) if args.storage_url else "Azure"
        return _fail(f"{where_text} answered {exc.status_code}: {exc.reason}")


def _account_url(
    credential: Any, subscription: str, args: argparse.Namespace, base_url: str, pipeline: dict[str, Any]
) -> str:
    from ..resources.logs import find_staging_resource_group, find_staging_storage_account

    group = args.staging_resource_group or find_staging_resource_group(
        credential, subscription, args.resource_group, args.template_name, base_url=base_url, **pipeline
    )
    account = find_staging_storage_account(credential, subscription, group, base_url=base_url, **pipeline)
    return f"https://{account}.blob.core.windows.net"
