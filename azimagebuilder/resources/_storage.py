"""Small helpers the storage modules share: blob clients from URLs or clients, and URL redaction.

Private: the public helpers live in scripts.py, logs.py and vhd.py. azure.storage.blob is imported inside
the functions, never at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient, BlobServiceClient, ContainerClient


def redact_url(url: str) -> str:
    """The URL without its query string (where a SAS token lives) or fragment.

    Example:
        >>> redact_url("https://acct.blob.core.windows.net/vhds/a.vhd?sv=2020&sig=abc")
        'https://acct.blob.core.windows.net/vhds/a.vhd'
    """
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def has_sas(url: str) -> bool:
    """Whether the URL carries a shared access signature (a ``sig=`` query parameter)."""
    query = urlsplit(url).query
    return any(item.split("=", 1)[0].lower() == "sig" for item in query.split("&") if item)


def container_client(
    container: str | ContainerClient, credential: Any = None, **kwargs: Any
) -> ContainerClient:
    """A ContainerClient from a container URL (plus credential and pipeline options) or an existing client."""
    from azure.storage.blob import ContainerClient

    if isinstance(container, ContainerClient):
        return container
    if not isinstance(container, str):
        raise TypeError(f"container must be a container URL or a ContainerClient, not {type(container)}")
    return ContainerClient.from_container_url(
        container, credential=None if has_sas(container) else credential, **kwargs
    )


def blob_client(blob: str | BlobClient, credential: Any = None, **kwargs: Any) -> BlobClient:
    """A BlobClient from a blob URL (plus credential and pipeline options) or an existing client."""
    from azure.storage.blob import BlobClient

    if isinstance(blob, BlobClient):
        return blob
    if not isinstance(blob, str):
        raise TypeError(f"blob must be a blob URL or a BlobClient, not {type(blob)}")
    # A SAS in the URL authorises on its own; a credential next to it would be ignored anyway.
    return BlobClient.from_blob_url(blob, credential=None if has_sas(blob) else credential, **kwargs)


def service_client(
    account: str | BlobServiceClient, credential: Any = None, **kwargs: Any
) -> BlobServiceClient:
    """A BlobServiceClient from an account URL (plus credential and options) or an existing client."""
    from azure.storage.blob import BlobServiceClient

    if isinstance(account, BlobServiceClient):
        return account
    if not isinstance(account, str):
        raise TypeError(f"account must be an account URL or a BlobServiceClient, not {type(account)}")
    return BlobServiceClient(account, credential=credential, **kwargs)
