"""The artifact-store seam: where a run's VHD and its customization.log go.

The emulator never builds a VM, but a run still produces things a client fetches: the VHD of a ``VHD``
distributor (``artifactUri``) and the build log ``<run-id>/customization.log`` in the staging resource
group's ``packerlogs`` container. :class:`ArtifactStore` is the small protocol for that.

The default :class:`MemoryArtifactStore` is a small in-memory blob store: once the emulator runs, its URLs
name the emulator's own address, path-style as Azurite's do (``https://127.0.0.1:<port>/<account>/<container>
/<blob>``), and the emulator answers the Blob service's REST calls on them (see :mod:`._blobs`), so
``azimagebuilder logs``, a VHD copy-out and azure-storage-blob itself work against it with no extra set-up.
A store backed by real blob storage (Azurite) can be passed as ``Emulator(artifacts=...)`` instead.

Example:
    >>> store = MemoryArtifactStore()
    >>> url = store.put_log("IT_rg_tmpl_0000", "run-1", "hello")
    >>> url.endswith("/packerlogs/run-1/customization.log"), store.read(url)
    (True, b'hello')
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

__all__ = [
    "ArtifactStore",
    "MemoryArtifactStore",
    "StoredBlob",
    "fake_vhd",
    "staging_account_name",
]


@runtime_checkable
class ArtifactStore(Protocol):
    """Where the emulator puts run artifacts. Implementations must be thread-safe."""

    def put_vhd(self, template_id: str, run_output_name: str, data: bytes) -> str:
        """Store the VHD of one run output; return its blob URL (no SAS)."""
        ...

    def put_log(self, staging_rg: str, run_id: str, text: str) -> str:
        """Store ``<run_id>/customization.log`` for the staging resource group; return its URL."""
        ...

    def delete_artifacts(self, template_id: str, staging_rg: str) -> None:
        """Forget everything of a deleted template (Azure deletes the staging resource group)."""
        ...


def staging_account_name(staging_rg: str) -> str:
    """The staging storage account's name: 24 lower-case letters and digits, stable per staging group."""
    return hashlib.sha256(staging_rg.lower().encode()).hexdigest()[:24]


def fake_vhd(template_id: str, run_output_name: str) -> bytes:
    """A small stand-in VHD: a text header then a 512-byte fixed-disk footer (cookie ``conectix``)."""
    header = f"azimagebuilder emulator: no VM was built; stand-in VHD of {template_id} / {run_output_name}\n"
    body = header.encode().ljust(1024, b"\0")
    footer = b"conectix".ljust(512, b"\0")
    return body + footer


@dataclass
class StoredBlob:
    """One blob of the in-memory store, with the properties the Blob service reports."""

    data: bytes
    blob_type: str = "BlockBlob"
    content_type: str = "application/octet-stream"
    content_md5: bytes | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    created: float = 0.0
    modified: float = 0.0
    copy: dict[str, str] = field(default_factory=dict)
    owner: str | None = None

    def touch(self) -> None:
        """A new ETag and Last-Modified time (after any change)."""
        self.modified = time.time()
        self.created = self.created or self.modified
        self.etag = f'"0x{uuid.uuid4().hex[:15].upper()}"'

    @property
    def md5_base64(self) -> str | None:
        """The Content-MD5 property as the service writes it, or None."""
        return base64.b64encode(self.content_md5).decode() if self.content_md5 else None


_FAKE_HOST_SUFFIX = ".blob.core.windows.net"


class MemoryArtifactStore:
    """Keeps artifacts (and any other blob written to the emulator) in memory, by account and container.

    Before the emulator binds its port, URLs look like Azure's (``https://<account>.blob.core.windows.net/
    ...``); :meth:`bind` (the emulator calls it on start) makes them path-style URLs on its own address.
    """

    def __init__(self) -> None:
        self._blobs: dict[tuple[str, str, str], StoredBlob] = {}
        self._containers: set[tuple[str, str]] = set()
        self._lock = threading.RLock()
        self._endpoint: str | None = None

    # -- addresses -----------------------------------------------------------------------------------
    def bind(self, endpoint: str | None) -> None:
        """Serve URLs under ``endpoint`` (``https://127.0.0.1:<port>``), or Azure-shaped ones (None)."""
        self._endpoint = endpoint.rstrip("/") if endpoint else None

    def account_endpoint(self, account: str) -> str:
        """The blob endpoint of ``account`` (no trailing slash)."""
        if self._endpoint:
            return f"{self._endpoint}/{account}"
        return f"https://{account}{_FAKE_HOST_SUFFIX}"

    def url(self, account: str, container: str, name: str) -> str:
        """The URL of a blob."""
        return f"{self.account_endpoint(account)}/{container}/{name}"

    def locate(self, url: str) -> tuple[str, str, str] | None:
        """``(account, container, blob)`` of a URL in either shape, or None when it is not one of ours."""
        parts = urlsplit(url)
        path = unquote(parts.path).lstrip("/")
        host = parts.netloc.lower()
        if host.endswith(_FAKE_HOST_SUFFIX):
            account = host[: -len(_FAKE_HOST_SUFFIX)]
        elif self._endpoint and host == urlsplit(self._endpoint).netloc.lower():
            account, _, path = path.partition("/")
        else:
            return None
        container, _, name = path.partition("/")
        if not account or not container or not name:
            return None
        return account, container, name

    # -- the ArtifactStore protocol ------------------------------------------------------------------
    def put_vhd(self, template_id: str, run_output_name: str, data: bytes) -> str:
        """Keep the VHD (a page blob); it sits in the template's staging account, container ``vhds``."""
        digest = hashlib.sha256(f"{template_id.lower()}/{run_output_name}".encode()).hexdigest()
        key = (digest[:24], "vhds", f"{run_output_name}_{digest[24:36]}.vhd")
        self.put(key, bytes(data), blob_type="PageBlob", owner=template_id.lower())
        return self.url(*key)

    def put_log(self, staging_rg: str, run_id: str, text: str) -> str:
        """Keep the log; container ``packerlogs``, blob ``<run_id>/customization.log``."""
        key = (staging_account_name(staging_rg), "packerlogs", f"{run_id}/customization.log")
        self.put(
            key, text.encode("utf-8"), content_type="text/plain; charset=utf-8", owner=staging_rg.lower()
        )
        return self.url(*key)

    def delete_artifacts(self, template_id: str, staging_rg: str) -> None:
        """Drop the template's VHDs and logs."""
        owners = {template_id.lower(), staging_rg.lower()}
        with self._lock:
            for key in [k for k, blob in self._blobs.items() if blob.owner in owners]:
                del self._blobs[key]

    # -- a small blob service ------------------------------------------------------------------------
    def put(
        self,
        key: tuple[str, str, str],
        data: bytes,
        *,
        blob_type: str = "BlockBlob",
        content_type: str = "application/octet-stream",
        content_md5: bytes | None = None,
        metadata: dict[str, str] | None = None,
        owner: str | None = None,
        copy: dict[str, str] | None = None,
    ) -> StoredBlob:
        """Write a blob (replacing any); its container springs into existence."""
        blob = StoredBlob(
            data=bytes(data),
            blob_type=blob_type,
            content_type=content_type,
            content_md5=content_md5,
            metadata=dict(metadata or {}),
            owner=owner,
            copy=dict(copy or {}),
        )
        with self._lock:
            old = self._blobs.get(key)
            blob.created = old.created if old is not None else 0.0
            blob.touch()
            self._blobs[key] = blob
            self._containers.add(key[:2])
        return blob

    def get(self, key: tuple[str, str, str]) -> StoredBlob | None:
        """The blob at ``key``, or None."""
        with self._lock:
            return self._blobs.get(key)

    def delete(self, key: tuple[str, str, str]) -> bool:
        """Delete a blob; whether it existed."""
        with self._lock:
            return self._blobs.pop(key, None) is not None

    def create_container(self, account: str, container: str) -> bool:
        """Create a container; False when it existed already."""
        with self._lock:
            if (account, container) in self._containers:
                return False
            self._containers.add((account, container))
            return True

    def drop_container(self, account: str, container: str) -> None:
        """Forget a container (its blobs are deleted by the caller)."""
        with self._lock:
            self._containers.discard((account, container))

    def has_container(self, account: str, container: str) -> bool:
        """Whether the container exists (created, or written to)."""
        with self._lock:
            return (account, container) in self._containers

    def list_blobs(self, account: str, container: str, prefix: str = "") -> list[tuple[str, StoredBlob]]:
        """``(name, blob)`` of the container's blobs whose names start with ``prefix``, sorted by name."""
        with self._lock:
            return sorted(
                (name, blob)
                for (acct, cont, name), blob in self._blobs.items()
                if acct == account and cont == container and name.startswith(prefix)
            )

    # -- reading back ----------------------------------------------------------------------------------
    def read(self, url: str) -> bytes:
        """The bytes stored under ``url`` (a SAS query string, if any, is ignored).

        Raises:
            KeyError: nothing is stored there (never stored, or its template was deleted).
        """
        key = self.locate(url)
        blob = self.get(key) if key is not None else None
        if blob is None:
            raise KeyError(url)
        return blob.data

    def urls(self) -> list[str]:
        """Every URL currently stored."""
        with self._lock:
            return sorted(self.url(*key) for key in self._blobs)
