"""Copy a VHD run output out of the build's staging account before deleting the template destroys it.

A VHD distribution leaves the image as a blob in the storage account of the template's staging resource
group (``IT_<rg>_<name>_<guid>``); deleting the template deletes that group and the VHD with it. These
helpers copy the blob to your own storage account by a server-side copy (the bytes never pass through this
machine), wait for the copy to finish, check the destination has the source's size and MD5, and report.

:func:`copy_vhd_run_output` goes one step further: it reads the run output's ``artifactUri`` through an
``ImageBuilderClient`` and, once the copy is verified, tags the template
``azimagebuilder.vhdCopied.<runOutputName> = <destination URL>`` (no SAS), which is what lets
``client.begin_delete(force=False)`` delete it.

Example:
    >>> from azimagebuilder.resources import copy_vhd_run_output
    >>> result = copy_vhd_run_output(  # doctest: +SKIP
    ...     client, "my-rg", "my-template", "ubuntu-vhd",
    ...     "https://mystore.blob.core.windows.net/images",
    ...     source_credential=cred, destination_credential=cred,
    ... )
    >>> result.size, result.md5_base64  # doctest: +SKIP
    (32212255232, 'q1ZsX5b2...')
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .._constants import VHD_COPIED_TAG_PREFIX
from .._errors import ImageBuilderError
from ._storage import blob_client, container_client, has_sas, redact_url

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient, BlobProperties, ContainerClient

__all__ = [
    "CopyResult",
    "VhdCopyError",
    "copy_vhd",
    "copy_vhd_run_output",
    "verify_copy",
    "vhd_copied_tag",
]

_log = logging.getLogger("azimagebuilder.resources.vhd")

_CHUNK = 4 * 1024 * 1024
#: Azure refuses tag values longer than this.
_MAX_TAG_VALUE = 256

#: Called while a copy is pending with (bytes copied, total bytes).
ProgressCallback = Callable[[int, int], None]


class VhdCopyError(ImageBuilderError):
    """The VHD copy failed, was aborted, timed out, or the copy does not match its source.

    Messages name blobs by their URL without any SAS.
    """


@dataclass(frozen=True)
class CopyResult:
    """What a verified copy produced.

    Attributes:
        source_url: the source blob, without SAS.
        destination_url: the copy, without SAS (the value recorded in the template's tag).
        size: bytes, equal on both sides.
        md5_base64: the Content-MD5 both sides agree on, base64 as Azure shows it.
        source_md5_computed: the source's MD5 was computed by reading its bytes: it is a page blob (whose
            Content-MD5 property, if any, the service never keeps up to date), it had no Content-MD5, or
            its property disagreed with the copy's bytes. The destination then got it as its Content-MD5.
        content_verified: the destination's bytes were read back and hashed (``verify_content=True``, or
            the default when it had no Content-MD5 property to compare).
        copy_id: the service's copy id (None from :func:`verify_copy`, which copies nothing).
        seconds: wall-clock time from the copy's start to the end of verification.
        tag: the template tag set by :func:`copy_vhd_run_output` (``None`` from :func:`copy_vhd`).
    """

    source_url: str
    destination_url: str
    size: int
    md5_base64: str
    source_md5_computed: bool
    content_verified: bool
    copy_id: str | None
    seconds: float
    tag: tuple[str, str] | None = None

    @property
    def md5_hex(self) -> str:
        """The MD5 as lower-case hex (``md5sum`` style)."""
        return base64.b64decode(self.md5_base64).hex()


def vhd_copied_tag(run_output_name: str) -> str:
    """The template tag that records a copied-out VHD run output.

    Example:
        >>> vhd_copied_tag("ubuntu-vhd")
        'azimagebuilder.vhdCopied.ubuntu-vhd'
    """
    return f"{VHD_COPIED_TAG_PREFIX}{run_output_name}"


def _is_key_credential(credential: Any) -> bool:
    from azure.core.credentials import AzureNamedKeyCredential

    return isinstance(credential, AzureNamedKeyCredential) or (
        isinstance(credential, dict) and "account_key" in credential
    )


def _account_key(credential: Any) -> str:
    from azure.core.credentials import AzureNamedKeyCredential

    if isinstance(credential, AzureNamedKeyCredential):
        return str(credential.named_key.key)
    return str(credential["account_key"])


def _readable_source_url(
    source: BlobClient, credential: Any, ttl: timedelta, client_kwargs: dict[str, Any]
) -> str:
    """The source URL the destination service can read: as given, or with a short read-only SAS."""
    from azure.core.credentials import AzureSasCredential
    from azure.storage.blob import BlobSasPermissions, BlobServiceClient, generate_blob_sas

    url = str(source.url)
    if has_sas(url) or credential is None:
        return url  # already signed, or public / same-account
    now = datetime.now(timezone.utc)
    expiry = now + ttl
    if isinstance(credential, AzureSasCredential):
        return f"{url}?{credential.signature.lstrip('?')}"
    if _is_key_credential(credential):
        sas = generate_blob_sas(
            str(source.account_name),
            source.container_name,
            source.blob_name,
            account_key=_account_key(credential),
            permission=BlobSasPermissions(read=True),
            start=now - timedelta(minutes=5),
            expiry=expiry,
        )
    elif hasattr(credential, "get_token"):
        # Microsoft Entra ID: a user delegation SAS (needs Storage Blob Delegator or Data Reader+).
        account_url = url[: url.index(f"/{source.container_name}/")]
        service = BlobServiceClient(account_url, credential=credential, **client_kwargs)
        key = service.get_user_delegation_key(now - timedelta(minutes=5), expiry)
        sas = generate_blob_sas(
            str(source.account_name),
            source.container_name,
            source.blob_name,
            user_delegation_key=key,
            permission=BlobSasPermissions(read=True),
            start=now - timedelta(minutes=5),
            expiry=expiry,
        )
    else:
        raise TypeError(
            "source_credential must be a TokenCredential, an account-key dict / AzureNamedKeyCredential, "
            "an AzureSasCredential, or None"
        )
    return f"{url}?{sas}"


def _md5_of_blob(blob: BlobClient) -> bytes:
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in blob.download_blob(max_concurrency=1).chunks():
        digest.update(chunk)
    return digest.digest()


def _b64(md5: bytes | bytearray | None) -> str | None:
    return base64.b64encode(bytes(md5)).decode() if md5 else None


def verify_copy(
    source: str | BlobClient,
    destination: str | BlobClient,
    *,
    source_credential: Any = None,
    destination_credential: Any = None,
    verify_content: bool | None = None,
    **client_kwargs: Any,
) -> CopyResult:
    """Check that ``destination`` is a complete, intact copy of ``source``; return what was compared.

    Sizes must be equal. The source's MD5 is its Content-MD5 property, or is computed by reading it when it
    has none (page blobs, which VHDs are, never have one); it is then stored as the destination's
    Content-MD5. The destination's Content-MD5 property, when it has one, must equal the source's. Its bytes
    are read back and hashed when ``verify_content`` is true, or (the default, ``None``) when it has no
    Content-MD5 property to compare; ``False`` never reads it back, trusting the service's completed copy
    and the sizes. A copy carries the source's Content-MD5 property along, so only reading the bytes proves
    them.

    Raises:
        VhdCopyError: sizes or MD5s differ, or the destination's last copy did not succeed.

    Example:
        >>> verify_copy(source_url, dest_url, source_credential=cred,
        ...             destination_credential=cred, verify_content=True)  # doctest: +SKIP
    """
    src = blob_client(source, source_credential, **client_kwargs)
    dst = blob_client(destination, destination_credential, **client_kwargs)
    with _storage_errors(src, dst):
        return _verify(src, dst, None, verify_content=verify_content)


def _verify(
    src: BlobClient, dst: BlobClient, src_props: BlobProperties | None, *, verify_content: bool | None
) -> CopyResult:
    from azure.storage.blob import ContentSettings

    start = time.monotonic()
    src_name, dst_name = redact_url(src.url), redact_url(dst.url)
    src_props = src_props or src.get_blob_properties()
    dst_props = dst.get_blob_properties()
    copy = dst_props.copy
    if copy is not None and copy.status not in (None, "success"):
        raise VhdCopyError(
            f"the copy to {dst_name} is {copy.status}: {copy.status_description or ''}".strip()
        )
    if dst_props.size != src_props.size:
        raise VhdCopyError(
            f"{dst_name} has {dst_props.size} bytes but its source {src_name} has {src_props.size}: "
            "the copy is incomplete; copy again"
        )
    property_md5 = bytes(src_props.content_settings.content_md5 or b"")
    # A Content-MD5 property is what someone set, not what the bytes are: the service keeps it up to date
    # for a block blob uploaded whole, never for a page blob (VHDs are page blobs, written page by page).
    # So a page blob's MD5 is computed from its bytes, whatever its property says.
    trusted = bool(property_md5) and str(src_props.blob_type or "").lower().endswith("blockblob")
    source_md5 = property_md5 if trusted else b""
    source_md5_computed = not trusted
    if source_md5_computed:
        why = "has no Content-MD5" if not property_md5 else "is a page blob (its Content-MD5 is not kept)"
        _log.info("%s %s; computing its MD5 by reading %d bytes", src_name, why, src_props.size)
        source_md5 = _md5_of_blob(src)
    dest_md5 = bytes(dst_props.content_settings.content_md5 or b"")
    if verify_content is False and dest_md5 and dest_md5 not in (source_md5, property_md5):
        raise VhdCopyError(
            f"{dst_name} has Content-MD5 {_b64(dest_md5)} but {src_name} has {_b64(source_md5)}: "
            "the copy does not match its source; copy again"
        )
    # Read the copy back when asked, when it has no MD5 property, or when its property disagrees with the
    # source's MD5 (a copy carries the source's property along, right or wrong: only the bytes can tell).
    content_verified = bool(verify_content) or (
        verify_content is None and (not dest_md5 or dest_md5 != source_md5)
    )
    if content_verified:
        computed = _md5_of_blob(dst)
        if computed != source_md5 and not source_md5_computed:
            # The source's property may be the wrong one: compare with its bytes before calling it corrupt.
            _log.info("%s: its Content-MD5 differs from the copy's bytes; reading the source", src_name)
            source_md5, source_md5_computed = _md5_of_blob(src), True
        if computed != source_md5:
            raise VhdCopyError(
                f"the bytes of {dst_name} hash to MD5 {_b64(computed)} but {src_name} has "
                f"{_b64(source_md5)}: the copy does not match its source (corrupt); copy again"
            )
    if (content_verified and dest_md5 != source_md5) or not dest_md5:
        # Record the verified MD5 so later checks (and Azure tools) can compare without reading.
        settings = dst_props.content_settings
        dst.set_http_headers(
            ContentSettings(
                content_type=settings.content_type,
                content_encoding=settings.content_encoding,
                content_language=settings.content_language,
                content_disposition=settings.content_disposition,
                cache_control=settings.cache_control,
                content_md5=bytearray(source_md5),
            ),
            etag=dst_props.etag,
            match_condition=_if_not_modified(),
        )
    return CopyResult(
        source_url=src_name,
        destination_url=dst_name,
        size=int(src_props.size),
        md5_base64=_b64(source_md5) or "",
        source_md5_computed=source_md5_computed,
        content_verified=content_verified,
        copy_id=copy.id if copy is not None else None,
        seconds=time.monotonic() - start,
    )


def _if_not_modified() -> Any:
    from azure.core import MatchConditions

    return MatchConditions.IfNotModified


def copy_vhd(
    source: str | BlobClient,
    destination: str | BlobClient,
    *,
    source_credential: Any = None,
    destination_credential: Any = None,
    overwrite: bool = False,
    verify_content: bool | None = None,
    poll_interval: float = 10.0,
    timeout: float | None = None,
    sas_ttl: timedelta = timedelta(hours=24),
    progress: ProgressCallback | None = None,
    **client_kwargs: Any,
) -> CopyResult:
    """Server-side copy of the blob ``source`` to the blob ``destination``; wait, verify and report.

    Args:
        source: the VHD's blob URL (a run output's ``artifactUri``) or a ``BlobClient``.
        destination: the copy's blob URL or a ``BlobClient``.
        source_credential: reads the source. When the source URL has no SAS, a read-only SAS valid for
            ``sas_ttl`` is made from it for the copy: from an account key, or a user delegation key for a
            ``TokenCredential``. ``None`` for a SAS URL or a public blob.
        destination_credential: writes the destination ('Storage Blob Data Contributor').
        overwrite: replace an existing destination blob (otherwise :class:`VhdCopyError`).
        verify_content: read the destination back and hash it: ``True`` always, ``None`` (default) when it
            has no Content-MD5 property to compare, ``False`` never (see :func:`verify_copy`).
        poll_interval: seconds between copy-status checks.
        timeout: seconds to wait for the copy; then the copy is aborted and :class:`VhdCopyError` raised.
        progress: called with (bytes copied, total) while the copy is pending.
        **client_kwargs: azure-core pipeline options for the blob clients made from URLs (for example
            ``connection_verify=``, ``proxies=``, ``retry_total=``).

    Example:
        >>> copy_vhd(artifact_uri, "https://mystore.blob.core.windows.net/images/ubuntu.vhd",
        ...          source_credential=cred, destination_credential=cred)  # doctest: +SKIP
        CopyResult(source_url=..., destination_url=..., size=32212255232, ...)
    """
    src = blob_client(source, source_credential, **client_kwargs)
    dst = blob_client(destination, destination_credential, **client_kwargs)
    with _storage_errors(src, dst):
        return _copy_vhd(
            src,
            dst,
            source_credential=source_credential,
            overwrite=overwrite,
            verify_content=verify_content,
            poll_interval=poll_interval,
            timeout=timeout,
            sas_ttl=sas_ttl,
            progress=progress,
            client_kwargs=client_kwargs,
        )


@contextlib.contextmanager
def _storage_errors(src: BlobClient, dst: BlobClient) -> Iterator[None]:
    """Turn azure-core's errors while copying into a :class:`VhdCopyError` naming the source, the
    destination and the cause. Not chained: a failed request's headers can carry a signed source URL."""
    from azure.core.exceptions import AzureError, HttpResponseError

    src_name, dst_name = redact_url(src.url), redact_url(dst.url)
    try:
        yield
    except HttpResponseError as exc:
        failed = str(getattr(getattr(exc.response, "request", None), "url", "") or "").split("?", 1)[0]
        side = "the source" if failed == src_name else "the destination" if failed == dst_name else "a blob"
        code = getattr(exc, "error_code", None) or ""
        status = exc.status_code or ""
        hint = {
            403: "check that source_credential can read the source and destination_credential can write "
            "the destination",
            404: "check the blob URL (a run output's artifactUri) and that the container exists",
        }.get(int(status or 0), "try again")
        cause = f"{status} {code}".strip() or type(exc).__name__
        raise VhdCopyError(
            f"copying {src_name} to {dst_name} failed: {side} answered {cause} ({_short(exc.reason)}); {hint}"
        ) from None
    except AzureError as exc:  # no answer at all: a dropped connection, a name that does not resolve
        raise VhdCopyError(
            f"copying {src_name} to {dst_name} failed: {type(exc).__name__}: {_short(exc)}"
        ) from None


def _short(text: Any) -> str:
    first = str(text or "").strip().splitlines()[0] if str(text or "").strip() else ""
    return redact_sas_in(first)[:200]


def redact_sas_in(text: str) -> str:
    """``text`` without any ``sig=`` value."""
    return re.sub(r"(?i)(sig=)[^&\s'\"]+", r"\1<redacted>", text)


def _copy_vhd(
    src: BlobClient,
    dst: BlobClient,
    *,
    source_credential: Any,
    overwrite: bool,
    verify_content: bool | None,
    poll_interval: float,
    timeout: float | None,
    sas_ttl: timedelta,
    progress: ProgressCallback | None,
    client_kwargs: dict[str, Any],
) -> CopyResult:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    start = time.monotonic()
    src_name, dst_name = redact_url(src.url), redact_url(dst.url)
    src_props = src.get_blob_properties()
    if not overwrite:
        try:
            dst.get_blob_properties()
        except ResourceNotFoundError:
            pass
        else:
            raise VhdCopyError(f"{dst_name} already exists; pass overwrite=True to replace it")
    readable = _readable_source_url(src, source_credential, sas_ttl, client_kwargs)
    _log.info("copying %s (%d bytes) to %s", src_name, src_props.size, dst_name)
    try:
        started = dst.start_copy_from_url(readable, requires_sync=False)
    except HttpResponseError as exc:
        # Not chained: the failed request carries the signed source URL in its headers.
        code = getattr(exc, "error_code", None) or exc.status_code
        raise VhdCopyError(
            f"the copy of {src_name} to {dst_name} was refused: {code} "
            f"{exc.reason or ''}; check that source_credential can read the source and "
            "destination_credential can write the destination"
        ) from None
    copy_id = str(started["copy_id"]) if started.get("copy_id") else None
    status = started.get("copy_status")
    deadline = None if timeout is None else time.monotonic() + timeout
    while status == "pending":
        if deadline is not None and time.monotonic() > deadline:
            if copy_id:
                dst.abort_copy(copy_id)
            raise VhdCopyError(f"the copy to {dst_name} did not finish within {timeout} s; it was aborted")
        time.sleep(poll_interval)
        copy = dst.get_blob_properties().copy
        status = copy.status
        if progress is not None and copy.progress:
            done, _, total = copy.progress.partition("/")
            progress(int(done), int(total or 0))
    if status != "success":
        description = dst.get_blob_properties().copy.status_description or ""
        raise VhdCopyError(f"the copy to {dst_name} ended {status}: {description}".strip())
    result = _verify(src, dst, src_props, verify_content=verify_content)
    _log.info("copied %s to %s: %d bytes, MD5 %s", src_name, dst_name, result.size, result.md5_base64)
    return replace(result, copy_id=copy_id, seconds=time.monotonic() - start)


def _blob_name_from(url: str) -> str:
    return redact_url(url).rstrip("/").rsplit("/", 1)[-1]


def copy_vhd_run_output(
    client: Any,
    resource_group: str,
    template_name: str,
    run_output_name: str,
    destination_container: str | ContainerClient,
    *,
    blob_name: str | None = None,
    source_credential: Any = None,
    destination_credential: Any = None,
    overwrite: bool = False,
    verify_content: bool | None = None,
    poll_interval: float = 10.0,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
    tag: bool = True,
    **client_kwargs: Any,
) -> CopyResult:
    """Copy a template's VHD run output to your container, verify it, and tag the template as copied.

    Reads the run output's ``artifactUri`` with ``client`` (an ``ImageBuilderClient``), copies it with
    :func:`copy_vhd` to ``destination_container`` (as ``blob_name``, default the source blob's name), then
    merges the tag ``azimagebuilder.vhdCopied.<run_output_name> = <destination URL without SAS>`` into the
    template's tags with ``client.begin_update(tags=...)``. After that ``client.begin_delete(...)`` no
    longer refuses to delete the template for this output.

    Raises:
        VhdCopyError: no such run output, it has no ``artifactUri`` (not a VHD output), or the copy failed.

    Example:
        >>> result = copy_vhd_run_output(  # doctest: +SKIP
        ...     client, "rg", "tpl", "ubuntu-vhd", container_url,
        ...     source_credential=cred, destination_credential=cred,
        ... )
        >>> result.tag  # doctest: +SKIP
        ('azimagebuilder.vhdCopied.ubuntu-vhd', 'https://mystore.blob.core.windows.net/images/ubuntu.vhd')
    """
    artifact_uri = _artifact_uri(client, resource_group, template_name, run_output_name)
    container = container_client(destination_container, destination_credential, **client_kwargs)
    destination = container.get_blob_client(blob_name or _blob_name_from(artifact_uri))
    tag_name = vhd_copied_tag(run_output_name)
    tag_value = redact_url(destination.url)
    if tag and len(tag_value) > _MAX_TAG_VALUE:
        raise VhdCopyError(
            f"the destination URL is {len(tag_value)} characters, more than a tag value may hold "
            f"({_MAX_TAG_VALUE}); choose a shorter container or blob name"
        )
    result = copy_vhd(
        artifact_uri,
        destination,
        source_credential=source_credential,
        overwrite=overwrite,
        verify_content=verify_content,
        poll_interval=poll_interval,
        timeout=timeout,
        progress=progress,
        **client_kwargs,
    )
    if not tag:
        return result
    template = client.get(resource_group, template_name)
    tags = {**(template.tags or {}), tag_name: tag_value}
    client.begin_update(resource_group, template_name, tags=tags).result()
    _log.info("tagged %s/%s %s=%s", resource_group, template_name, tag_name, tag_value)
    return replace(result, tag=(tag_name, tag_value))


def _artifact_uri(client: Any, resource_group: str, template_name: str, run_output_name: str) -> str:
    outputs = list(client.list_run_outputs(resource_group, template_name))
    for output in outputs:
        if output.name == run_output_name:
            if not output.artifact_uri:
                raise VhdCopyError(
                    f"run output {run_output_name!r} of {template_name} has no artifactUri: it is not a VHD "
                    f"output (its artifactId is {output.artifact_id})"
                )
            return str(output.artifact_uri)
    names = ", ".join(sorted(o.name for o in outputs)) or "none"
    raise VhdCopyError(
        f"template {template_name} has no run output {run_output_name!r} (it has: {names}); "
        "run the template first, or check the runOutputName of its VHD distributor"
    )
