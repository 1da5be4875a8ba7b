"""Shared command-line handling for the examples: Azure by default, the local emulator with --base-url.

Against Azure: ``python examples/build_linux_image.py --subscription-id <id> --resource-group <rg>``
(credentials from ``DefaultAzureCredential``: ``az login``, environment variables, managed identity, ...).

Against the emulator: start it (``azimagebuilder emulator``, or ``Emulator()`` in Python) and pass its URL and
certificate: ``--base-url https://127.0.0.1:PORT --ca-cert emulator-ca.pem``.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from azimagebuilder import CURRENT_STABLE_API_VERSION, DEFAULT_API_VERSION


class AnyTokenCredential:
    """The emulator accepts any bearer token; this credential hands one out (never use it for Azure)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("emulator-example-token", int(time.time()) + 3600)


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--base-url", help="the emulator's URL (default: Azure Resource Manager)")
    p.add_argument("--ca-cert", help="the emulator's CA certificate (PEM) to trust")
    p.add_argument(
        "--subscription-id",
        default=os.environ.get("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-000000000000"),
    )
    p.add_argument("--resource-group", default="examples-rg")
    p.add_argument("--location", default="westus2")
    p.add_argument(
        "--api-version",
        default=None,
        help=f"default: {DEFAULT_API_VERSION} on the emulator, {CURRENT_STABLE_API_VERSION} on Azure",
    )
    p.add_argument("--polling-interval", type=float, default=None, help="seconds between polls")
    return p


def client_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for ImageBuilderClient (sync or aio) from the parsed arguments."""
    kwargs: dict[str, Any] = {}
    if args.base_url:  # the emulator
        kwargs["base_url"] = args.base_url
        kwargs["api_version"] = args.api_version or DEFAULT_API_VERSION
        kwargs["polling_interval"] = 0.2 if args.polling_interval is None else args.polling_interval
        if args.ca_cert:
            kwargs["connection_verify"] = args.ca_cert
    else:  # Azure retired the preview api-versions: use a current one unless told otherwise
        kwargs["api_version"] = args.api_version or CURRENT_STABLE_API_VERSION
        kwargs["polling_interval"] = 30 if args.polling_interval is None else args.polling_interval
    return kwargs


def credential(args: argparse.Namespace) -> Any:
    if args.base_url:
        return AnyTokenCredential()
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()
