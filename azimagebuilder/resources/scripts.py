"""Host customization scripts in blob storage and get back the customizer, checksum included.

Image Builder downloads each ``scriptUri`` / ``sourceUri`` during the build and compares it with the
``sha256Checksum`` you give; computing that checksum by hand (``sha256sum``) and keeping it in step with the
uploaded file is a chore these helpers remove. The checksum is always computed locally, from the bytes that
are uploaded.

A folder is uploaded as one ``.tar.gz`` archive (the File customizer fetches single files only). The archive
is reproducible: the same folder gives the same bytes and the same checksum, whatever the file times.

The blob's URL (without any SAS) goes into the customizer: the build VM reads it either because the
container allows public read access, or through the template's user-assigned identity holding
'Storage Blob Data Reader' on the account (see docs/resources/scripts.md).

Example:
    >>> from azimagebuilder.resources import upload_shell_script
    >>> step = upload_shell_script(  # doctest: +SKIP
    ...     "setup.sh", "https://mystore.blob.core.windows.net/scripts", credential=DefaultAzureCredential()
    ... )
    >>> step.script_uri  # doctest: +SKIP
    'https://mystore.blob.core.windows.net/scripts/setup.sh'
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import logging
import os
import stat
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._errors import ImageBuilderError
from ._storage import container_client, redact_url

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient, ContainerClient

    from ..models import FileCustomizer, PowerShellCustomizer, ShellCustomizer

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "ScriptUploadError",
    "sha256_of_file",
    "sha256_of_url",
    "upload_file",
    "upload_folder",
    "upload_powershell_script",
    "upload_shell_script",
    "write_folder_archive",
]

_log = logging.getLogger("azimagebuilder.resources.scripts")

_CHUNK = 1024 * 1024
#: sha256_of_url stops (and raises) after this many bytes unless told otherwise.
DEFAULT_MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024
#: Blob metadata key holding the sha256 of the uploaded bytes, so a repeated upload can be skipped.
_SHA256_METADATA = "sha256"

PathLike = str | os.PathLike[str]


class ScriptUploadError(ImageBuilderError):
    """A script could not be uploaded or hashed (for example a different blob is already there)."""


def _sha256_stream(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_of_file(path: PathLike) -> str:
    """The lower-case hex sha256 of a local file, as ``sha256Checksum`` wants it (= ``sha256sum``).

    Example:
        >>> import pathlib, tempfile
        >>> script = pathlib.Path(tempfile.mkdtemp()) / "hello.sh"
        >>> _ = script.write_bytes(b"echo hello\\n")
        >>> sha256_of_file(script)
        '5dbad7dd0b9b122dcd9956884390f4aac4738caba8ff53498a7ab6718b176c30'
    """
    with open(path, "rb") as stream:
        return _sha256_stream(stream)


class _NoDowngradeRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but never from https to plain http unless allowed."""

    def __init__(self, allow_http: bool) -> None:
        super().__init__()
        self._allow_http = allow_http

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() != "https" and not self._allow_http:
            raise ScriptUploadError(
                f"{redact_url(req.full_url)} redirects to a non-https URL ({redact_url(newurl)}); "
                "pass allow_http=True to follow it"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def sha256_of_url(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    allow_http: bool = False,
    timeout: float = 60.0,
    headers: Mapping[str, str] | None = None,
) -> str:
    """The sha256 of a file you already host, streamed (never held in memory) and size-limited.

    Use it for a ``scriptUri`` / ``sourceUri`` that lives elsewhere (GitHub, your own web server, a blob
    with a SAS). Only ``https`` URLs are fetched unless ``allow_http=True``; a redirect to ``http`` is
    refused likewise. Messages quote the URL without its query string, so a SAS never shows.

    Raises:
        ValueError: the URL is not https (and ``allow_http`` is false), or not http(s) at all.
        ScriptUploadError: the server answered an error, or the file is larger than ``max_bytes``.

    Example:
        >>> digest = sha256_of_url("https://example.com/setup.sh")  # doctest: +SKIP
        >>> len(digest)  # doctest: +SKIP
        64
    """
    scheme = urlsplit(url).scheme.lower()
    shown = redact_url(url)
    if scheme not in ("https", "http"):
        raise ValueError(f"{shown}: only https (or, when allowed, http) URLs can be fetched")
    if scheme == "http" and not allow_http:
        raise ValueError(f"{shown}: refusing plain http; use https or pass allow_http=True")
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    request = urllib.request.Request(url, headers=dict(headers or {}), method="GET")
    opener = urllib.request.build_opener(_NoDowngradeRedirects(allow_http))
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise ScriptUploadError(f"{shown} is {declared} bytes, more than max_bytes={max_bytes}")
            digest = hashlib.sha256()
            total = 0
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                total += len(chunk)
                if total > max_bytes:
                    raise ScriptUploadError(f"{shown} is larger than max_bytes={max_bytes}")
                digest.update(chunk)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise ScriptUploadError(f"{shown} answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise ScriptUploadError(f"{shown} could not be fetched: {exc.reason}") from None
    _log.debug("sha256 of %s (%d bytes) computed", shown, total)
    return digest.hexdigest()


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # Same folder -> same archive bytes -> same checksum: drop times, owners and umask noise.
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if info.isdir():
        info.mode = 0o755
    elif info.isfile():
        info.mode = 0o755 if info.mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH) else 0o644
    return info


def write_folder_archive(folder: PathLike, target: IO[bytes]) -> None:
    """Write ``folder`` as a reproducible gzip'd tar to ``target``; entries sit under the folder's name.

    Symbolic links are stored as links, not followed. What is neither a file, a folder nor a link (a
    socket, a named pipe, a device) is skipped with a warning naming it.
    """
    root = Path(folder)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder")
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=target, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        tar.add(root, arcname=root.name, recursive=False, filter=_normalised)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            base = Path(dirpath)
            for entry in sorted([*dirnames, *filenames]):
                full = base / entry
                kind = _special_kind(full)
                if kind is not None:
                    warnings.warn(f"skipped {full}: a {kind}, not a file or folder", stacklevel=3)
                    continue
                arcname = f"{root.name}/{full.relative_to(root).as_posix()}"
                info = _normalised(tar.gettarinfo(str(full), arcname=arcname))
                if info.isfile():
                    with open(full, "rb") as stream:
                        tar.addfile(info, stream)
                else:
                    tar.addfile(info)


def _special_kind(path: Path) -> str | None:
    """``"socket"``, ``"named pipe"``, ``"device"`` for what a tar of scripts must not hold; else None."""

    mode = os.lstat(path).st_mode
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
        return None
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISFIFO(mode):
        return "named pipe"
    return "device"


def _content_type(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".sh"):
        return "text/x-shellscript"
    if lower.endswith(".ps1"):
        return "text/plain"
    if lower.endswith((".tar.gz", ".tgz")):
        return "application/gzip"
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _upload(
    local: Path,
    container: str | ContainerClient,
    *,
    blob_name: str,
    credential: Any,
    overwrite: bool,
    create_container: bool,
    checksum: str,
    client_kwargs: dict[str, Any],
) -> str:
    """Upload ``local`` as ``blob_name``; returns the blob URL without any SAS."""
    from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
    from azure.storage.blob import ContentSettings

    client = container_client(container, credential, **client_kwargs)
    if create_container:
        with contextlib.suppress(ResourceExistsError):
            client.create_container()
    blob: BlobClient = client.get_blob_client(blob_name)
    shown = redact_url(blob.url)
    try:
        existing = blob.get_blob_properties()
    except ResourceNotFoundError:
        existing = None
    if existing is not None and not overwrite:
        if (existing.metadata or {}).get(_SHA256_METADATA) == checksum:
            _log.info("%s already holds these bytes (sha256 %s); not uploading again", shown, checksum)
            return shown
        raise ScriptUploadError(
            f"{shown} already exists with different content; a template may still point at it with its "
            "old checksum. Pick another blob_name, or pass overwrite=True to replace it"
        )
    with open(local, "rb") as stream:
        blob.upload_blob(
            stream,
            overwrite=True,
            length=local.stat().st_size,
            metadata={_SHA256_METADATA: checksum},
            content_settings=ContentSettings(content_type=_content_type(blob_name)),
        )
    _log.info("uploaded %s to %s (sha256 %s)", local, shown, checksum)
    return shown


def _require_file(path: PathLike) -> Path:
    local = Path(path)
    if not local.is_file():
        raise FileNotFoundError(f"{local} is not a file")
    return local


def _upload_file(
    path: PathLike,
    container: str | ContainerClient,
    blob_name: str | None,
    credential: Any,
    overwrite: bool,
    create_container: bool,
    client_kwargs: dict[str, Any],
) -> tuple[Path, str, str]:
    """Check and upload one local file (as ``blob_name``, default its own name): its path, URL and sha256."""
    local = _require_file(path)
    checksum = sha256_of_file(local)
    url = _upload(
        local,
        container,
        blob_name=blob_name or local.name,
        credential=credential,
        overwrite=overwrite,
        create_container=create_container,
        checksum=checksum,
        client_kwargs=client_kwargs,
    )
    return local, url, checksum


def upload_shell_script(
    path: PathLike,
    container: str | ContainerClient,
    *,
    credential: Any = None,
    name: str | None = None,
    blob_name: str | None = None,
    overwrite: bool = False,
    create_container: bool = False,
    **client_kwargs: Any,
) -> ShellCustomizer:
    """Upload a shell script and return a ``ShellCustomizer`` pointing at it, with its sha256.

    Args:
        path: the local script.
        container: a container URL (``https://<account>.blob.core.windows.net/<container>``) or a
            ``ContainerClient``.
        credential: for a container URL: a ``TokenCredential`` (needs 'Storage Blob Data Contributor'), an
            account key, or ``None`` when the URL carries a SAS.
        name: the customizer's name; defaults to the file name.
        blob_name: defaults to the file name.
        overwrite: replace a blob of the same name with different content (identical content is never
            uploaded twice).
        create_container: create the container (private) when it does not exist.
        **client_kwargs: azure-core pipeline options for a client made from a URL (``connection_verify=``,
            ``proxies=``, ...).

    Other customizer fields can be set afterwards: ``step.model_copy(update={...})``.

    Example:
        >>> step = upload_shell_script("setup.sh", container_url, credential=cred)  # doctest: +SKIP
        >>> step.sha256_checksum == sha256_of_file("setup.sh")  # doctest: +SKIP
        True
    """
    from ..models import ShellCustomizer

    local, url, checksum = _upload_file(
        path, container, blob_name, credential, overwrite, create_container, client_kwargs
    )
    return ShellCustomizer(name=name or local.name, script_uri=url, sha256_checksum=checksum)


def upload_powershell_script(
    path: PathLike,
    container: str | ContainerClient,
    *,
    credential: Any = None,
    name: str | None = None,
    blob_name: str | None = None,
    overwrite: bool = False,
    create_container: bool = False,
    **client_kwargs: Any,
) -> PowerShellCustomizer:
    """Upload a PowerShell script and return a ``PowerShellCustomizer`` pointing at it, with its sha256.

    Arguments as for :func:`upload_shell_script`. Set ``runElevated`` / ``validExitCodes`` afterwards with
    ``step.model_copy(update={...})``.

    Example:
        >>> step = upload_powershell_script("setup.ps1", container_url, credential=cred)  # doctest: +SKIP
    """
    from ..models import PowerShellCustomizer

    local, url, checksum = _upload_file(
        path, container, blob_name, credential, overwrite, create_container, client_kwargs
    )
    return PowerShellCustomizer(name=name or local.name, script_uri=url, sha256_checksum=checksum)


def upload_file(
    path: PathLike,
    container: str | ContainerClient,
    *,
    destination: str,
    credential: Any = None,
    name: str | None = None,
    blob_name: str | None = None,
    overwrite: bool = False,
    create_container: bool = False,
    **client_kwargs: Any,
) -> FileCustomizer:
    """Upload a file and return a ``FileCustomizer`` that puts it at ``destination`` on the build VM.

    On Linux the only folder Image Builder can write to is ``/tmp``; the File customizer suits files under
    20 MB. Other arguments as for :func:`upload_shell_script`.

    Example:
        >>> step = upload_file("app.conf", container_url, destination="/tmp/app.conf",
        ...                    credential=cred)  # doctest: +SKIP
    """
    from ..models import FileCustomizer

    local, url, checksum = _upload_file(
        path, container, blob_name, credential, overwrite, create_container, client_kwargs
    )
    return FileCustomizer(
        name=name or local.name, source_uri=url, destination=destination, sha256_checksum=checksum
    )


def upload_folder(
    path: PathLike,
    container: str | ContainerClient,
    *,
    destination: str | None = None,
    credential: Any = None,
    name: str | None = None,
    blob_name: str | None = None,
    overwrite: bool = False,
    create_container: bool = False,
    **client_kwargs: Any,
) -> FileCustomizer:
    """Upload a folder as one reproducible ``.tar.gz`` and return the ``FileCustomizer`` that fetches it.

    Entries sit under the folder's own name, so ``tar -xzf /tmp/app.tar.gz -C /tmp`` (in a later Shell
    customizer) gives ``/tmp/app/...``. ``destination`` defaults to ``/tmp/<folder>.tar.gz``; ``blob_name``
    to ``<folder>.tar.gz``. Other arguments as for :func:`upload_shell_script`.

    Example:
        >>> step = upload_folder("app", container_url, credential=cred)  # doctest: +SKIP
        >>> step.destination  # doctest: +SKIP
        '/tmp/app.tar.gz'
    """
    from ..models import FileCustomizer

    root = Path(path)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder")
    archive_name = f"{root.resolve().name}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="azimagebuilder-") as workdir:
        archive = Path(workdir) / archive_name
        with open(archive, "wb") as target:
            write_folder_archive(root.resolve(), target)
        checksum = sha256_of_file(archive)
        url = _upload(
            archive,
            container,
            blob_name=blob_name or archive_name,
            credential=credential,
            overwrite=overwrite,
            create_container=create_container,
            checksum=checksum,
            client_kwargs=client_kwargs,
        )
    return FileCustomizer(
        name=name or archive_name,
        source_uri=url,
        destination=destination or f"/tmp/{archive_name}",
        sha256_checksum=checksum,
    )
