"""``azimagebuilder logs RG NAME``: print (or follow) a template's customization.log.

Finds the staging resource group ``IT_<rg>_<name>_<guid>`` and its storage account through Azure Resource
Manager, then reads ``packerlogs/<run-id>/customization.log`` (the newest run unless ``--run-id``).
``--storage-url`` names the staging account's blob endpoint directly and skips the look-ups (with a SAS in
the URL); the account key in ``AZURE_STORAGE_KEY``, when set, authorises the named or found account.
``--follow`` prints new lines while the run is in progress and returns when it ends.

Credentials: azure-identity's ``DefaultAzureCredential`` (``az login``, environment, managed identity); with
``--emulator`` the local emulator's (it accepts any token). The key and any SAS are never printed.

Example:
    >>> from azimagebuilder.cli import main
    >>> main(["logs", "my-rg", "my-template", "--follow"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any

from .._constants import CURRENT_STABLE_API_VERSION
from ._azure import (
    SUBSCRIPTION_ENV,
    UsageError,
    add_connection_arguments,
    arm_credential,
    check_credential,
    read_connection,
)
from ._common import CliError, explain, positive_seconds

_STORAGE_KEY_ENV = "AZURE_STORAGE_KEY"


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
    add_connection_arguments(parser)
    parser.add_argument(
        "--api-version",
        default=CURRENT_STABLE_API_VERSION,
        metavar="VERSION",
        help=f"Image Builder api-version for reading the template (default: {CURRENT_STABLE_API_VERSION})",
    )
    parser.add_argument(
        "--storage-suffix",
        default="core.windows.net",
        metavar="SUFFIX",
        help="the cloud's storage endpoint suffix (default: core.windows.net)",
    )
    parser.add_argument(
        "--poll",
        type=positive_seconds,
        default=10.0,
        metavar="SECONDS",
        help="seconds between reads with --follow (default: 10)",
    )
    parser.set_defaults(func=run_logs)


def _fail(message: str, status: int = 1) -> int:
    print(f"azimagebuilder logs: {message}", file=sys.stderr)
    return status


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
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

    from ..resources._storage import redact_url
    from ..resources.logs import LogNotFoundError

    try:
        arm = read_connection(args)
    except UsageError as exc:
        return _fail(str(exc), 2)
    if (args.follow or args.storage_url is None) and not arm.subscription:
        return _fail(f"give --subscription or set ${SUBSCRIPTION_ENV}", 2)
    try:
        return _print_log(args, arm.subscription or "", arm.base_url, arm.pipeline)
    except LogNotFoundError as exc:
        return _fail(str(exc))
    except ResourceNotFoundError:
        return _fail(f"no template {args.template_name!r} in resource group {args.resource_group!r}")
    except CliError as exc:
        return _fail(str(exc), exc.status)
    except ClientAuthenticationError as exc:
        return _fail(explain(exc)[0])
    except HttpResponseError as exc:
        where_text = redact_url(args.storage_url) if args.storage_url else "Azure"
        return _fail(f"{where_text} answered {exc.status_code}: {exc.reason}")


def _print_log(args: argparse.Namespace, subscription: str, base_url: str, pipeline: dict[str, Any]) -> int:
    from .._client import ImageBuilderClient
    from ..resources._storage import redact_url
    from ..resources.logs import (
        download_customization_log,
        find_staging_blob_endpoint,
        find_staging_resource_group,
        follow_customization_log,
        run_in_progress,
    )

    credential = arm_credential(args)
    token_needed = object()
    if (
        args.follow
        or args.storage_url is None
        or _storage_credential(args.storage_url, token_needed) is token_needed
    ):
        check_credential(credential, base_url)
    with contextlib.ExitStack() as stack:
        client: ImageBuilderClient | None = None
        if args.follow or args.storage_url is None:
            client = stack.enter_context(
                ImageBuilderClient(
                    credential, subscription, base_url=base_url, api_version=args.api_version, **pipeline
                )
            )
        account_url = args.storage_url
        if account_url is None:
            assert client is not None
            # The template must exist; from api-version 2022-02-14 it also names its staging group.
            template = client.get(args.resource_group, args.template_name)
            group = args.staging_resource_group or find_staging_resource_group(
                credential,
                subscription,
                args.resource_group,
                args.template_name,
                template=template,
                base_url=base_url,
                **pipeline,
            )
            account_url = find_staging_blob_endpoint(
                credential,
                subscription,
                group,
                storage_suffix=args.storage_suffix,
                base_url=base_url,
                **pipeline,
            )
        # The key in $AZURE_STORAGE_KEY is for the staging account, whether named or found.
        storage_credential = _storage_credential(account_url, credential)
        if hasattr(storage_credential, "get_token") and not account_url.lower().startswith("https:"):
            return _fail(
                f"the staging account's blob endpoint {redact_url(account_url)} is not https, so an Azure "
                f"token cannot be sent to it: set ${_STORAGE_KEY_ENV} to its key or give --storage-url with "
                "a SAS"
            )
        if client is None or not args.follow:
            text = download_customization_log(
                account_url, credential=storage_credential, run_id=args.run_id, **pipeline
            )
            sys.stdout.write(text)
            sys.stdout.flush()
            return 0
        watched = client
        # Without --run-id: the newest log, then the log of any newer run that appears.
        for line in follow_customization_log(
            account_url,
            credential=storage_credential,
            run_id=args.run_id,
            is_running=lambda: run_in_progress(watched, args.resource_group, args.template_name),
            poll_interval=args.poll,
            **pipeline,
        ):
            print(line, flush=True)
    return 0
