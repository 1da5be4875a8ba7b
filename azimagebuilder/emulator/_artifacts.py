"""The artifact-store seam: where a run's VHD and its customization.log go.

The emulator never builds a VM, but a run still produces things a client fetches: the VHD of a ``VHD``
distributor (``artifactUri``) and the build log ``<run-id>/customization.log`` in the staging resource
group's ``packerlogs`` container. :class:`ArtifactStore` is the small protocol for that; the default
:class:`MemoryArtifactStore` keeps the bytes in memory under blob-shaped fake URLs, and a store backed by
real blob storage (Azurite) can be passed as ``Emulator(artifacts=...)`` so a VHD copy-out moves real
bytes.

Example:
    >>> store = MemoryArtifactStore()
    >>> url = store.put_log("IT_rg_tmpl_0000", "run-1", "hello")
    >>> url.endswith("/packerlogs/run-1/customization.log"), store.read(url)
    (True, b'hello')
"""

from __future__ import annotations

import hashlib
import threading
from typing import Protocol, runtime_checkable

__all__ = ["ArtifactStore", "MemoryArtifactStore", "fake_vhd", "staging_account_name"]


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


class MemoryArtifactStore:
    """Keeps artifacts in memory under ``https://<account>.blob.core.windows.net/...`` URLs."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._owner: dict[str, str] = {}
        self._lock = threading.Lock()

    def put_vhd(self, template_id: str, run_output_name: str, data: bytes) -> str:
        """Keep the VHD; its URL sits in the template's staging account, container ``vhds``."""
        digest = hashlib.sha256(f"{template_id.lower()}/{run_output_name}".encode()).hexdigest()
        account = digest[:24]
        url = f"https://{account}.blob.core.windows.net/vhds/{run_output_name}_{digest[24:36]}.vhd"
        with self._lock:
            self._blobs[url] = bytes(data)
            self._owner[url] = template_id.lower()
        return url

    def put_log(self, staging_rg: str, run_id: str, text: str) -> str:
        """Keep the log; container ``packerlogs``, blob ``<run_id>/customization.log``."""
        account = staging_account_name(staging_rg)
        url = f"https://{account}.blob.core.windows.net/packerlogs/{run_id}/customization.log"
        with self._lock:
            self._blobs[url] = text.encode("utf-8")
            self._owner[url] = staging_rg.lower()
        return url

    def delete_artifacts(self, template_id: str, staging_rg: str) -> None:
        """Drop the template's VHDs and logs."""
        owners = {template_id.lower(), staging_rg.lower()}
        with self._lock:
            for url in [u for u, owner in self._owner.items() if owner in owners]:
                del self._blobs[url]
                del self._owner[url]

    def read(self, url: str) -> bytes:
        """The bytes stored under ``url`` (a SAS query string, if any, is ignored).

        Raises:
            KeyError: nothing is stored there (never stored, or its template was deleted).
        """
        with self._lock:
            return self._blobs[url.split("?", 1)[0]]

    def urls(self) -> list[str]:
        """Every URL currently stored."""
        with self._lock:
            return sorted(self._blobs)
