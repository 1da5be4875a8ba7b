"""An emulator artifact store backed by real blob storage (Azurite in the tests, any account in fact).

``Emulator(artifacts=BlobArtifactStore(...))`` makes the emulator's run outputs real blobs: a VHD
distributor's ``artifactUri`` is a page blob of deterministic bytes ending in a valid fixed-disk VHD footer,
and ``customization.log`` is a block blob ``packerlogs/<run-id>/customization.log``, as in a staging
account. So the VHD copy-out and the build-log helpers move real bytes through the real blob protocol.

All staging resource groups share the one account given; blobs carry their owner in metadata so
``delete_artifacts`` removes exactly a deleted template's VHDs and logs.

Example:
    >>> from azimagebuilder.testing.azurite import start_azurite  # doctest: +SKIP
    >>> with start_azurite() as blob:  # doctest: +SKIP
    ...     acct = blob.account("ibstaging")
    ...     store = BlobArtifactStore(acct.blob_endpoint, acct.credential)
    ...     with Emulator(artifacts=store) as emu:
    ...         ...
"""

from __future__ import annotations

import contextlib
import hashlib
import struct
import threading
import uuid
from typing import TYPE_CHECKING, Any

from ._storage import redact_url, service_client

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient

__all__ = ["DEFAULT_VHD_SIZE", "BlobArtifactStore", "vhd_bytes", "vhd_footer"]

#: The account every Azure Storage emulator knows (public, documented by Microsoft).
WELL_KNOWN_ACCOUNT = "devstoreaccount1"
#: Its published key. Not a secret: it is the same on every machine.
WELL_KNOWN_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

#: Size of the stand-in VHDs the store writes unless told otherwise: big enough to need several chunks.
DEFAULT_VHD_SIZE = 4 * 1024 * 1024 + 512

_VHD_CONTAINER = "vhds"
_LOG_CONTAINER = "packerlogs"
_OWNER_KEY = "azimagebuilderowner"
# Seconds from the Unix epoch to 2000-01-01T00:00:00Z, the VHD format's epoch.
_VHD_EPOCH = 946684800


def _chs(total_sectors: int) -> tuple[int, int, int]:
    """Cylinders, heads, sectors per track, as the VHD specification's appendix computes them."""
    total = min(total_sectors, 65535 * 16 * 255)
    if total >= 65535 * 16 * 63:
        spt, heads = 255, 16
        cyl_heads = total // spt
    else:
        spt = 17
        cyl_heads = total // spt
        heads = max((cyl_heads + 1023) // 1024, 4)
        if cyl_heads >= heads * 1024 or heads > 16:
            spt, heads = 31, 16
            cyl_heads = total // spt
        if cyl_heads >= heads * 1024:
            spt, heads = 63, 16
            cyl_heads = total // spt
    return cyl_heads // heads, heads, spt


def vhd_footer(disk_size: int, *, unique_id: bytes, timestamp: int = 0) -> bytes:
    """The 512-byte footer of a fixed-size VHD of ``disk_size`` bytes (checksum included).

    Example:
        >>> footer = vhd_footer(1024 * 1024, unique_id=bytes(16))
        >>> len(footer), footer[:8]
        (512, b'conectix')
    """
    if disk_size % 512:
        raise ValueError("a VHD's disk size is a whole number of 512-byte sectors")
    cylinders, heads, sectors = _chs(disk_size // 512)
    fields = struct.pack(
        ">8sIIQI4sI4sQQHBBII16sB",
        b"conectix",
        0x00000002,  # features: reserved bit always set
        0x00010000,  # format version 1.0
        0xFFFFFFFFFFFFFFFF,  # data offset: none for a fixed disk
        timestamp,
        b"aibe",  # creator application
        0x00010000,
        b"Wi2k",  # creator host OS
        disk_size,  # original size
        disk_size,  # current size
        cylinders,
        heads,
        sectors,
        2,  # disk type: fixed
        0,  # checksum, filled in below
        unique_id[:16].ljust(16, b"\0"),
        0,  # saved state
    )
    checksum = (~sum(fields)) & 0xFFFFFFFF
    fields = fields[:64] + struct.pack(">I", checksum) + fields[68:]
    return fields.ljust(512, b"\0")


def vhd_bytes(size: int, seed: str) -> bytes:
    """A deterministic fixed-disk VHD of ``size`` bytes in total (data, then the 512-byte footer).

    The data is a SHA-256 keystream of ``seed``, so every run gives the same bytes for the same seed.

    Example:
        >>> image = vhd_bytes(4096, "tmpl/vhd")
        >>> len(image), image[-512:-504], image == vhd_bytes(4096, "tmpl/vhd")
        (4096, b'conectix', True)
    """
    if size < 1024 or size % 512:
        raise ValueError("size must be a multiple of 512 and at least 1024")
    data_size = size - 512
    block = hashlib.sha256(seed.encode()).digest()
    parts: list[bytes] = []
    counter = 0
    produced = 0
    while produced < data_size:
        chunk = hashlib.sha256(block + counter.to_bytes(8, "big")).digest() * 2048  # 64 KiB
        parts.append(chunk)
        produced += len(chunk)
        counter += 1
    data = b"".join(parts)[:data_size]
    unique_id = uuid.uuid5(uuid.NAMESPACE_URL, f"azimagebuilder:{seed}").bytes
    return data + vhd_footer(data_size, unique_id=unique_id)


class BlobArtifactStore:
    """The emulator's artifact store in a real blob account (implements the emulator's ``ArtifactStore``).

    Args:
        account_url: the blob endpoint standing in for every staging storage account, for example
            ``http://127.0.0.1:10000/ibstaging`` (Azurite) or ``https://<acct>.blob.core.windows.net``.
        credential: what azure-storage-blob accepts for it (account-key dict, TokenCredential, ...).
        vhd_size: write VHDs of this many bytes (deterministic per template and run output) instead of the
            small stand-in the emulator passes; ``None`` stores the emulator's bytes as they are.
    """

    def __init__(self, account_url: str, credential: Any = None, *, vhd_size: int | None = DEFAULT_VHD_SIZE):
        self._service: BlobServiceClient = service_client(account_url, credential)
        self._vhd_size = vhd_size
        self._lock = threading.Lock()
        self._containers_ready = False

    def __repr__(self) -> str:
        return f"BlobArtifactStore({redact_url(str(self._service.url))!r})"

    @property
    def account_url(self) -> str:
        """The blob endpoint (no SAS)."""
        return redact_url(str(self._service.url)).rstrip("/")

    def _ensure_containers(self) -> None:
        from azure.core.exceptions import ResourceExistsError

        with self._lock:
            if self._containers_ready:
                return
            for name in (_VHD_CONTAINER, _LOG_CONTAINER):
                with contextlib.suppress(ResourceExistsError):
                    self._service.create_container(name)
            self._containers_ready = True

    def put_vhd(self, template_id: str, run_output_name: str, data: bytes) -> str:
        """Store a run output's VHD as a page blob in container ``vhds``; return its URL (no SAS)."""
        from azure.storage.blob import BlobType

        self._ensure_containers()
        seed = f"{template_id.lower()}/{run_output_name}"
        digest = hashlib.sha256(seed.encode()).hexdigest()
        name = f"{run_output_name}_{digest[:12]}.vhd"
        payload = vhd_bytes(self._vhd_size, seed) if self._vhd_size else _page_aligned(data)
        blob = self._service.get_blob_client(_VHD_CONTAINER, name)
        blob.upload_blob(
            payload,
            blob_type=BlobType.PAGEBLOB,
            overwrite=True,
            metadata={_OWNER_KEY: _owner(template_id)},
        )
        return redact_url(str(blob.url))

    def put_log(self, staging_rg: str, run_id: str, text: str) -> str:
        """Store (or replace with its longer self) ``packerlogs/<run_id>/customization.log``."""
        from azure.storage.blob import ContentSettings

        self._ensure_containers()
        blob = self._service.get_blob_client(_LOG_CONTAINER, f"{run_id}/customization.log")
        blob.upload_blob(
            text.encode("utf-8"),
            overwrite=True,
            metadata={_OWNER_KEY: _owner(staging_rg)},
            content_settings=ContentSettings(content_type="text/plain; charset=utf-8"),
        )
        return redact_url(str(blob.url))

    def delete_artifacts(self, template_id: str, staging_rg: str) -> None:
        """Delete the template's VHDs and its staging group's logs (Azure deletes the whole group)."""
        from azure.core.exceptions import ResourceNotFoundError

        self._ensure_containers()
        owners = {_owner(template_id), _owner(staging_rg)}
        for container_name in (_VHD_CONTAINER, _LOG_CONTAINER):
            container = self._service.get_container_client(container_name)
            for item in container.list_blobs(include=["metadata"]):
                if (item.metadata or {}).get(_OWNER_KEY) in owners:
                    with contextlib.suppress(ResourceNotFoundError):
                        container.delete_blob(item.name)


def _owner(name: str) -> str:
    # Metadata values are ASCII; a resource id or group name may not be, so store its hash.
    return hashlib.sha256(name.lower().encode()).hexdigest()


def _page_aligned(data: bytes) -> bytes:
    remainder = len(data) % 512
    return data if not remainder else data + b"\0" * (512 - remainder)
