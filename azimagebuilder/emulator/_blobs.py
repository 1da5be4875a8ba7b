"""The Blob service the emulator's URLs name: its staging accounts' logs and VHDs, on its own address.

A run's ``artifactUri`` and its ``customization.log`` live in the in-memory artifact store
(:class:`~._artifacts.MemoryArtifactStore`) under path-style URLs on the emulator's own address, as Azurite's
are: ``https://127.0.0.1:<port>/<account>/<container>/<blob>``. :class:`BlobService` answers the Blob REST
calls azure-storage-blob (and curl) make on them, so ``azimagebuilder logs``, ``build --copy-vhd-to``, the
log and VHD helpers of :mod:`azimagebuilder.resources` and a user's own ``BlobClient`` work against the
emulator with nothing else running. Any account name works, so a copy-out destination can be the emulator
too.

Served (the subset of the Blob service REST API those clients use):

- blobs: ``GET`` / ``HEAD`` (``x-ms-range`` / ``Range`` answered 206), ``PUT`` (block blob upload, page blob
  create, ``x-ms-copy-source`` server-side copy of a blob the emulator holds, finished at once),
  ``PUT ?comp=block|blocklist|page|properties|metadata``, ``PUT ?comp=copy`` (abort: there is never a
  pending copy), ``DELETE``;
- containers: ``PUT|GET|HEAD|DELETE ?restype=container``, ``GET ?restype=container&comp=list`` (prefix,
  metadata);
- the account: ``POST ?restype=service&comp=userdelegationkey`` (for user delegation SAS).

Any credential is accepted (a bearer token, Shared Key, a SAS, none): the emulator checks no signature.
Differences from Azure: a write to a container that does not exist creates it (Azure answers 404
``ContainerNotFound``); list answers have one page; a request body is at most 4 MiB (the emulator's limit),
so larger uploads need ``max_single_put_size`` / ``max_block_size`` of 4 MiB or less.

Example:
    >>> from azimagebuilder.emulator._artifacts import MemoryArtifactStore
    >>> from azimagebuilder.emulator._router import Request
    >>> store = MemoryArtifactStore()
    >>> store.bind("https://127.0.0.1:8443")
    >>> url = store.put_log("IT_rg_t_0", "run1", "hello")
    >>> path = url.removeprefix("https://127.0.0.1:8443")
    >>> BlobService(store).handle(Request("GET", path, {}, {}, b"", "https://127.0.0.1:8443")).body
    b'hello'
"""

from __future__ import annotations

import base64
import email.utils
import logging
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from ._artifacts import MemoryArtifactStore, StoredBlob
from ._router import Request, Response

__all__ = ["BlobService", "is_blob_request"]

logger = logging.getLogger("azimagebuilder.emulator")

_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
#: First path segments that belong to Azure Resource Manager, never to an account.
_ARM_ROOTS = frozenset({"subscriptions", "providers", "tenants", "metadata", "locations"})
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
_XML = "application/xml"


def is_blob_request(path: str) -> bool:
    """Whether a request path names a blob account (``/<account>/...``) rather than an ARM resource.

    Example:
        >>> is_blob_request("/a1b2c3/packerlogs/run/customization.log"), is_blob_request("/subscriptions/x")
        (True, False)
    """
    first = path.lstrip("/").split("/", 1)[0]
    return bool(_ACCOUNT.match(first)) and first not in _ARM_ROOTS


def _http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


class BlobError(Exception):
    """A Blob service error answer: status, ``x-ms-error-code`` and an XML body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    def to_response(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f"<Error><Code>{escape(self.code)}</Code><Message>{escape(self.message)}\n"
            f"RequestId:{request_id}\nTime:{datetime.now(timezone.utc).isoformat()}</Message></Error>"
        ).encode()
        headers = {"x-ms-error-code": self.code, "Content-Type": _XML, **_version(request)}
        return Response(self.status, body if request.method != "HEAD" else b"", headers)


def _version(request: Request) -> dict[str, str]:
    return {"x-ms-version": request.headers.get("x-ms-version", "2021-08-06")}


def _not_found(what: str = "blob") -> BlobError:
    if what == "container":
        return BlobError(404, "ContainerNotFound", "The specified container does not exist.")
    return BlobError(404, "BlobNotFound", "The specified blob does not exist.")


class BlobService:
    """Answers Blob service REST calls from a :class:`~._artifacts.MemoryArtifactStore`."""

    def __init__(self, store: MemoryArtifactStore) -> None:
        self.store = store
        self._blocks: dict[tuple[str, str, str], dict[str, bytes]] = {}
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        """Answer one request whose path is ``/<account>[/<container>[/<blob>]]``."""
        try:
            return self._handle(request)
        except BlobError as err:
            return err.to_response(request)
        except Exception:  # a bug here must not kill the connection thread
            logger.exception("emulator blob handler failed for %s %s", request.method, request.path)
            error = BlobError(500, "InternalError", "The server encountered an internal error.")
            return error.to_response(request)

    # -- dispatch ------------------------------------------------------------------------------------
    def _handle(self, request: Request) -> Response:
        account, _, rest = request.path.lstrip("/").partition("/")
        container, _, name = rest.partition("/")
        query = {k.lower(): v for k, v in request.query.items()}
        restype, comp = query.get("restype", "").lower(), query.get("comp", "").lower()
        method = request.method
        if not container:
            if method == "POST" and restype == "service" and comp == "userdelegationkey":
                return self._user_delegation_key(request)
            raise BlobError(
                400, "UnsupportedQueryParameter", "The emulator serves blobs and containers only."
            )
        if not name:
            if restype == "container" and comp == "list" and method == "GET":
                return self._list(request, account, container, query)
            if restype == "container":
                return self._container(request, account, container)
            raise BlobError(400, "InvalidUri", "The requested URI does not represent any resource.")
        key = (account, container, name)
        if method in ("GET", "HEAD"):
            return self._get(request, key)
        if method == "DELETE":
            if not self.store.delete(key):
                raise _not_found()
            return Response(202, b"", _version(request))
        if method == "PUT":
            if comp == "block":
                return self._put_block(request, key, query.get("blockid", ""))
            if comp == "blocklist":
                return self._put_block_list(request, key)
            if comp == "page":
                return self._put_page(request, key)
            if comp in ("properties", "metadata"):
                return self._set_properties(request, key, comp)
            if comp == "copy":
                raise BlobError(
                    409, "NoPendingCopyOperation", "There is currently no pending copy operation."
                )
            if "x-ms-copy-source" in request.headers:
                return self._copy(request, key)
            return self._put_blob(request, key)
        raise BlobError(405, "UnsupportedHttpVerb", f"The resource doesn't support {method}.")

    # -- answers -------------------------------------------------------------------------------------
    def _properties(self, request: Request, blob: StoredBlob) -> dict[str, str]:
        headers = {
            **_version(request),
            "ETag": blob.etag,
            "Last-Modified": _http_date(blob.modified),
            "x-ms-creation-time": _http_date(blob.created),
            "x-ms-blob-type": blob.blob_type,
            "Content-Type": blob.content_type,
            "Accept-Ranges": "bytes",
            "x-ms-lease-state": "available",
            "x-ms-lease-status": "unlocked",
            "x-ms-server-encrypted": "true",
        }
        if blob.md5_base64:
            headers["Content-MD5"] = blob.md5_base64
        for meta_name, value in blob.metadata.items():
            headers[f"x-ms-meta-{meta_name}"] = value
        for copy_name, value in blob.copy.items():
            headers[f"x-ms-copy-{copy_name}"] = value
        return headers

    def _require(self, key: tuple[str, str, str]) -> StoredBlob:
        blob = self.store.get(key)
        if blob is None:
            if not self.store.has_container(key[0], key[1]):
                raise _not_found("container")
            raise _not_found()
        return blob

    def _get(self, request: Request, key: tuple[str, str, str]) -> Response:
        blob = self._require(key)
        headers = self._properties(request, blob)
        wanted = request.headers.get("x-ms-range") or request.headers.get("range")
        size = len(blob.data)
        if not wanted or request.method == "HEAD":
            return Response(200, blob.data, headers)
        match = _RANGE.match(wanted.strip())
        if match is None:
            raise BlobError(400, "InvalidHeaderValue", f"The value for the range header is invalid: {wanted}")
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        if start >= size or end < start:
            raise BlobError(
                416, "InvalidRange", "The range specified is invalid for the current size of the resource."
            )
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers.pop("Content-MD5", None)  # the whole blob's MD5 would not match the range
        if blob.md5_base64:
            headers["x-ms-blob-content-md5"] = blob.md5_base64
        return Response(206, blob.data[start : end + 1], headers)

    def _written(self, request: Request, blob: StoredBlob, status: int = 201) -> Response:
        headers = {
            **_version(request),
            "ETag": blob.etag,
            "Last-Modified": _http_date(blob.modified),
            "x-ms-request-server-encrypted": "true",
        }
        if blob.md5_base64:
            headers["Content-MD5"] = blob.md5_base64
        return Response(status, b"", headers)

    @staticmethod
    def _metadata(request: Request) -> dict[str, str]:
        return {k[len("x-ms-meta-") :]: v for k, v in request.headers.items() if k.startswith("x-ms-meta-")}

    @staticmethod
    def _md5(request: Request, header: str) -> bytes | None:
        value = request.headers.get(header)
        if not value:
            return None
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise BlobError(400, "InvalidHeaderValue", f"The value for header {header} is invalid.") from None

    def _check_conditions(self, request: Request, blob: StoredBlob | None) -> None:
        if_match = request.headers.get("if-match")
        if if_match and if_match != "*" and (blob is None or blob.etag != if_match):
            raise BlobError(
                412, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met."
            )
        if request.headers.get("if-none-match") == "*" and blob is not None:
            raise BlobError(409, "BlobAlreadyExists", "The specified blob already exists.")

    def _put_blob(self, request: Request, key: tuple[str, str, str]) -> Response:
        self._check_conditions(request, self.store.get(key))
        kind = request.headers.get("x-ms-blob-type", "BlockBlob")
        data = request.body
        if kind.lower() == "pageblob":
            try:
                length = int(request.headers.get("x-ms-blob-content-length", "0"))
            except ValueError:
                raise BlobError(
                    400, "InvalidHeaderValue", "x-ms-blob-content-length is not a number."
                ) from None
            if length < 0 or length % 512 or length > 64 * 1024 * 1024:
                raise BlobError(
                    400,
                    "InvalidHeaderValue",
                    "A page blob's size is a multiple of 512 bytes, up to 64 MiB here.",
                )
            data, kind = bytes(length), "PageBlob"
        elif kind.lower() != "blockblob":
            raise BlobError(400, "InvalidBlobType", f"The emulator stores block and page blobs, not {kind}.")
        else:
            kind = "BlockBlob"
        md5 = self._md5(request, "x-ms-blob-content-md5")
        blob = self.store.put(
            key,
            data,
            blob_type=kind,
            content_type=request.headers.get("x-ms-blob-content-type", "application/octet-stream"),
            content_md5=md5,
            metadata=self._metadata(request),
        )
        return self._written(request, blob)

    def _put_block(self, request: Request, key: tuple[str, str, str], block_id: str) -> Response:
        if not block_id:
            raise BlobError(400, "InvalidQueryParameterValue", "blockid is required.")
        with self._lock:
            self._blocks.setdefault(key, {})[block_id] = request.body
        return Response(201, b"", {**_version(request), "x-ms-request-server-encrypted": "true"})

    def _put_block_list(self, request: Request, key: tuple[str, str, str]) -> Response:
        with self._lock:
            staged = self._blocks.pop(key, {})
        old = self.store.get(key)
        self._check_conditions(request, old)
        try:
            root = ElementTree.fromstring(request.body or b"<BlockList/>")
        except ElementTree.ParseError:
            raise BlobError(400, "InvalidXmlDocument", "The block list is not XML.") from None
        parts: list[bytes] = []
        for element in root:
            block_id = element.text or ""
            if block_id not in staged:
                raise BlobError(400, "InvalidBlockList", f"The block {block_id} was not uploaded.")
            parts.append(staged[block_id])
        blob = self.store.put(
            key,
            b"".join(parts),
            content_type=request.headers.get("x-ms-blob-content-type", "application/octet-stream"),
            content_md5=self._md5(request, "x-ms-blob-content-md5"),
            metadata=self._metadata(request),
        )
        return self._written(request, blob)

    def _put_page(self, request: Request, key: tuple[str, str, str]) -> Response:
        blob = self._require(key)
        if blob.blob_type != "PageBlob":
            raise BlobError(400, "InvalidBlobType", "The blob type is invalid for this operation.")
        match = _RANGE.match(
            (request.headers.get("x-ms-range") or request.headers.get("range") or "").strip()
        )
        if match is None or not match.group(2):
            raise BlobError(400, "InvalidHeaderValue", "The page range header is invalid.")
        start, end = int(match.group(1)), int(match.group(2))
        if start % 512 or (end + 1) % 512 or end >= len(blob.data):
            raise BlobError(416, "InvalidPageRange", "The page range specified is invalid.")
        clear = request.headers.get("x-ms-page-write", "update").lower() == "clear"
        chunk = bytes(end - start + 1) if clear else request.body
        if len(chunk) != end - start + 1:
            raise BlobError(400, "InvalidHeaderValue", "The body's length does not match the page range.")
        data = bytearray(blob.data)
        data[start : end + 1] = chunk
        blob.data = bytes(data)
        blob.content_md5 = None
        blob.touch()
        return self._written(request, blob)

    def _set_properties(self, request: Request, key: tuple[str, str, str], comp: str) -> Response:
        blob = self._require(key)
        self._check_conditions(request, blob)
        if comp == "metadata":
            blob.metadata = self._metadata(request)
        else:
            blob.content_type = request.headers.get("x-ms-blob-content-type", blob.content_type)
            md5 = self._md5(request, "x-ms-blob-content-md5")
            blob.content_md5 = md5
        blob.touch()
        return self._written(request, blob, 200)

    def _copy(self, request: Request, key: tuple[str, str, str]) -> Response:
        source_url = request.headers["x-ms-copy-source"]
        source_key = self.store.locate(source_url)
        source = self.store.get(source_key) if source_key is not None else None
        if source is None:
            raise BlobError(
                404 if source_key is not None else 400,
                "CannotVerifyCopySource",
                "The emulator copies only blobs it holds; the copy source was not found.",
            )
        self._check_conditions(request, self.store.get(key))
        copy_id = str(uuid.uuid4())
        parts = urlsplit(source_url)
        blob = self.store.put(
            key,
            source.data,
            blob_type=source.blob_type,
            content_type=source.content_type,
            content_md5=source.content_md5,
            metadata=self._metadata(request) or dict(source.metadata),
        )
        blob.copy = {
            "id": copy_id,
            "status": "success",
            "source": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
            "progress": f"{len(source.data)}/{len(source.data)}",
            "completion-time": _http_date(blob.modified),
        }
        answer = self._written(request, blob, 202)
        answer.headers.update({"x-ms-copy-id": copy_id, "x-ms-copy-status": "success"})
        return answer

    def _container(self, request: Request, account: str, container: str) -> Response:
        method = request.method
        if method == "PUT":
            if not self.store.create_container(account, container):
                raise BlobError(409, "ContainerAlreadyExists", "The specified container already exists.")
            return Response(201, b"", {**_version(request), "ETag": f'"0x{uuid.uuid4().hex[:15].upper()}"'})
        if not self.store.has_container(account, container):
            raise _not_found("container")
        if method in ("GET", "HEAD"):
            headers = {
                **_version(request),
                "ETag": '"0x8D0000000000000"',
                "Last-Modified": _http_date(0),
                "x-ms-lease-state": "available",
                "x-ms-lease-status": "unlocked",
                "x-ms-has-immutability-policy": "false",
                "x-ms-has-legal-hold": "false",
            }
            return Response(200, b"", headers)
        if method == "DELETE":
            for name, _ in self.store.list_blobs(account, container):
                self.store.delete((account, container, name))
            self.store.drop_container(account, container)
            return Response(202, b"", _version(request))
        raise BlobError(405, "UnsupportedHttpVerb", f"The resource doesn't support {method}.")

    def _list(self, request: Request, account: str, container: str, query: dict[str, str]) -> Response:
        if not self.store.has_container(account, container):
            raise _not_found("container")
        prefix = query.get("prefix", "")
        with_metadata = "metadata" in query.get("include", "").lower()
        items = []
        for name, blob in self.store.list_blobs(account, container, prefix):
            md5 = f"<Content-MD5>{blob.md5_base64}</Content-MD5>" if blob.md5_base64 else "<Content-MD5 />"
            metadata = ""
            if with_metadata:
                metadata = (
                    "<Metadata>"
                    + "".join(f"<{escape(k)}>{escape(v)}</{escape(k)}>" for k, v in blob.metadata.items())
                    + "</Metadata>"
                )
            items.append(
                f"<Blob><Name>{escape(name)}</Name><Properties>"
                f"<Creation-Time>{_http_date(blob.created)}</Creation-Time>"
                f"<Last-Modified>{_http_date(blob.modified)}</Last-Modified>"
                f"<Etag>{escape(blob.etag)}</Etag>"
                f"<Content-Length>{len(blob.data)}</Content-Length>"
                f"<Content-Type>{escape(blob.content_type)}</Content-Type>{md5}"
                f"<BlobType>{blob.blob_type}</BlobType><LeaseStatus>unlocked</LeaseStatus>"
                f"<LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted>"
                f"</Properties>{metadata}</Blob>"
            )
        endpoint = escape(self.store.account_endpoint(account) + "/")
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<EnumerationResults ServiceEndpoint="{endpoint}" ContainerName="{escape(container)}">'
            f"<Prefix>{escape(prefix)}</Prefix><Blobs>{''.join(items)}</Blobs><NextMarker />"
            "</EnumerationResults>"
        ).encode()
        return Response(200, body, {**_version(request), "Content-Type": _XML})

    def _user_delegation_key(self, request: Request) -> Response:
        now = datetime.now(timezone.utc)
        start, expiry = (
            now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        try:
            root: Any = ElementTree.fromstring(request.body) if request.body else None
        except ElementTree.ParseError:
            root = None
        if root is not None:
            start = root.findtext("Start") or start
            expiry = root.findtext("Expiry") or expiry
        value = base64.b64encode(uuid.uuid4().bytes * 2).decode()
        zero = "00000000-0000-0000-0000-000000000000"
        body = (
            '<?xml version="1.0" encoding="utf-8"?><UserDelegationKey>'
            f"<SignedOid>{zero}</SignedOid><SignedTid>{zero}</SignedTid>"
            f"<SignedStart>{escape(start)}</SignedStart><SignedExpiry>{escape(expiry)}</SignedExpiry>"
            f"<SignedService>b</SignedService><SignedVersion>{escape(_version(request)['x-ms-version'])}</SignedVersion>"
            f"<Value>{value}</Value></UserDelegationKey>"
        ).encode()
        return Response(200, body, {**_version(request), "Content-Type": _XML})
