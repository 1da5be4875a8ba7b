"""The HTTPS server: a threading HTTP/1.1 server whose TLS handshakes run in the worker threads.

The :class:`Dispatcher` holds the ARM front-door rules every provider shares, in the order ARM applies
them: bearer token (401), route (404 / 405), fault injection, ``api-version`` (400), provider registration
(409), then the provider's handler. Each connection gets its own thread (keep-alive supported), the listen
backlog is deep, and the TLS handshake is done off the accept loop, so hundreds of clients at once are fine.

Example:
    >>> from azimagebuilder.emulator._router import Router
    >>> dispatcher = Dispatcher(Router(), StateStore(), FaultPlan())
    >>> answer = dispatcher.dispatch(Request("GET", "/x", {}, {}, b"", "https://127.0.0.1"))
    >>> answer.status
    401
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ._arm import check_path_names
from ._faults import FaultPlan, fault_error
from ._router import COMMON_HEADERS, ArmError, Request, Response, Router, new_request_id
from ._state import StateStore

__all__ = ["DROP", "Dispatcher", "EmulatorHTTPServer"]

logger = logging.getLogger("azimagebuilder.emulator")

#: A handler answer meaning: close the connection without answering.
DROP = Response(-1)

#: The largest request body read (templates are a few KiB).
MAX_BODY = 4 * 1024 * 1024

_SAFE_HEADER_VALUE = re.compile(r"^[A-Za-z0-9._:;=+/-]{1,200}$")


def _one_line(value: str) -> str:
    """A header value on one line: CR, LF and other controls become spaces."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", value).strip()


_API_VERSION_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview|-beta|-alpha|-privatepreview)?$", re.IGNORECASE)


def _type_name(template: str, namespace: str) -> str:
    tail = template.split(namespace, 1)[-1].strip("/").split("/")
    literals = [part for part in tail if not part.startswith("{")]
    return "/".join(literals) or namespace


class Dispatcher:
    """Applies the shared ARM rules, then calls the route's handler."""

    def __init__(self, router: Router, state: StateStore, faults: FaultPlan) -> None:
        self.router = router
        self.state = state
        self.faults = faults

    def dispatch(self, request: Request) -> Response:
        """Answer one request (``DROP`` to close the connection without an answer)."""
        try:
            return self._dispatch(request)
        except ArmError as err:
            return err.to_response()
        except Exception:  # a bug in a handler must not kill the connection thread
            logger.exception("emulator handler failed for %s %s", request.method, request.path)
            return ArmError(
                500, "InternalServerError", "Encountered internal server error in the emulator."
            ).to_response()

    def _dispatch(self, request: Request) -> Response:
        self._authenticate(request)
        match = self.router.match(request.method, request.path)
        if match is None:
            raise ArmError(
                404,
                "InvalidResourceType",
                f"The emulator serves no resource at '{request.method} {request.path}'. "
                "See docs/emulator.md for the routes it serves.",
            )
        route, params = match.route, match.params
        check_path_names(params)  # ARM's own checks (subscription GUID, resource group name), see _arm.py
        fault = self.faults.draw(route.name, request.method)
        if fault is not None and not fault.after:
            logger.debug("injecting fault %s on %s", fault.status, route.name)
            return DROP if fault.status == "drop" else fault_error(fault).to_response()
        if route.api_version_required or request.api_version is not None:
            self._check_api_version(request, route.namespace, route.template, route.api_versions)
        subscription = params.get("subscriptionId")
        if route.namespace and subscription and not self.state.is_registered(subscription, route.namespace):
            message = (
                f"The subscription is not registered to use namespace '{route.namespace}'. "
                "See https://aka.ms/rps-not-found for how to register subscriptions."
            )
            raise ArmError(
                409,
                "MissingSubscriptionRegistration",
                message,
                details=[
                    {"code": "MissingSubscriptionRegistration", "target": route.namespace, "message": message}
                ],
            )
        answer = route.handler(request, params)
        if fault is not None:  # after=True: the request was carried out, its answer is lost
            logger.debug("injecting fault %s after %s", fault.status, route.name)
            return DROP if fault.status == "drop" else fault_error(fault).to_response()
        return answer

    @staticmethod
    def _authenticate(request: Request) -> None:
        header = request.headers.get("authorization")
        challenge = {
            "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", '
            'error="invalid_token", error_description="The authentication failed because of missing '
            "'Authorization' header.\""
        }
        if header is None:
            raise ArmError(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                headers=challenge,
            )
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ArmError(
                401,
                "AuthenticationFailedInvalidHeader",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                headers=challenge,
            )

    @staticmethod
    def _check_api_version(
        request: Request, namespace: str | None, template: str, versions: frozenset[str] | None
    ) -> None:
        version = request.api_version
        if version is None:
            raise ArmError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if versions is None or version in versions:
            return
        supported = ", ".join(sorted(versions))
        if not _API_VERSION_SHAPE.match(version):
            raise ArmError(
                400,
                "InvalidApiVersionParameter",
                f"The api-version '{version}' is invalid. The supported versions are '{supported}'.",
            )
        type_name = _type_name(template, namespace or "")
        location = "global"
        with contextlib.suppress(Exception):
            body = request.json() if request.body else None
            if isinstance(body, dict) and isinstance(body.get("location"), str):
                location = body["location"]
        raise ArmError(
            400,
            "NoRegisteredProviderFound",
            f"No registered resource provider found for location '{location}' and API version "
            f"'{version}' for type '{type_name}'. The supported api-versions are '{supported}'.",
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "azimagebuilder-emulator"
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    server: EmulatorHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        # The request line holds no secret (tokens travel in headers, which are never logged).
        logger.debug("%s - %s", self.address_string(), format % args)

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            self.close_connection = True
            status = 413 if "at most" in str(exc) else 400
            self._send(ArmError(status, "InvalidRequestContent", str(exc)).to_response(), {})
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command.upper(),
            path=unquote(split.path),
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=self.server.base_url,
        )
        answer = self.server.dispatcher.dispatch(request)
        if answer is DROP:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(answer, request.headers)

    def _read_body(self) -> bytes:
        """The request body, by Content-Length or chunked; ValueError when malformed or too large."""
        too_large = f"The request body must be at most {MAX_BODY} bytes."
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = bytearray()
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise ValueError("The request content has a malformed chunked encoding.") from None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(data)
                if len(data) + size > MAX_BODY:
                    raise ValueError(too_large)
                data += self.rfile.read(size)
                self.rfile.readline(3)  # the CRLF after each chunk
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ValueError("The request has a malformed Content-Length.") from None
        if length < 0:
            raise ValueError("The request has a malformed Content-Length.")
        if length > MAX_BODY:
            raise ValueError(too_large)
        return self.rfile.read(length) if length else b""

    def _send(self, answer: Response, request_headers: dict[str, str]) -> None:
        self.send_response(answer.status)
        request_id = new_request_id()
        client_id = request_headers.get("x-ms-client-request-id", "")
        headers = {
            **COMMON_HEADERS,
            "x-ms-request-id": request_id,
            # Echoed only when it is a plain token: a request header is never reflected raw (a folded
            # or multi-line value would break, or inject into, the answer's headers).
            "x-ms-correlation-request-id": client_id if _SAFE_HEADER_VALUE.match(client_id) else request_id,
            **answer.headers,
        }
        for name, value in headers.items():
            self.send_header(name, _one_line(str(value)))
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if answer.body and self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _serve

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What http.server answers by itself (an unknown method, a request line or header too long, a
        malformed request), in ARM's JSON error shape instead of an HTML page."""
        codes = {
            400: ("InvalidRequest", "The request is malformed."),
            414: ("RequestUriTooLong", "The request URL is too long."),
            431: ("RequestHeadersTooLarge", "The request headers are too large."),
            501: ("MethodNotAllowed", f"The emulator does not support http method '{self.command}'."),
            505: ("HttpVersionNotSupported", "The HTTP version is not supported."),
        }
        status = 405 if code == 501 else code  # ARM refuses an unsupported method with 405
        error, text = codes.get(code, ("InvalidRequest", message or "The request is malformed."))
        self.close_connection = True
        if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
            # An unreadable request line leaves http.server at HTTP/0.9, which answers without a status
            # line or headers: answer as HTTP/1.1 instead.
            self.request_version = "HTTP/1.1"
        answer = ArmError(status, error, text).to_response()
        # The connection ends with this answer: say so, so that a client does not send its next request
        # on it.
        answer.headers["Connection"] = "close"
        with contextlib.suppress(OSError):  # the client is gone
            self._send(answer, {})
        self._drain_unread_request()

    def _drain_unread_request(self) -> None:
        """Read and drop what the client is still sending (at most 1 MiB, until 0.5 s of quiet) before
        the connection closes. An answer given before the whole request was read (a URL or header too long)
        is otherwise lost: closing a socket with unread data sends a TCP reset, which can reach the client
        before it reads the answer (it then sees "connection reset" instead of the 414). Web servers do the
        same ("lingering close")."""
        with contextlib.suppress(OSError, ValueError):
            self.wfile.flush()
            self.connection.settimeout(0.5)
            left = 1 << 20
            while left > 0:
                chunk = self.connection.recv(min(65536, left))
                if not chunk:  # the client read the answer and closed
                    break
                left -= len(chunk)


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Threading HTTP server with TLS done per connection in its worker thread."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, host: str, port: int, ssl_context: ssl.SSLContext, dispatcher: Dispatcher) -> None:
        self.ssl_context = ssl_context
        self.dispatcher = dispatcher
        self.base_url = ""
        super().__init__((host, port), _Handler)
        self.base_url = f"https://{host}:{self.server_address[1]}"
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(30)
        # Headers and body leave in separate writes; without TCP_NODELAY, Nagle's algorithm and the client's
        # delayed ACK add ~40 ms to every keep-alive answer.
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            logger.debug("TLS handshake with %s failed: %s", client_address, exc)
            return
        with self._open_lock:
            self._open.add(tls)
        try:
            tls.settimeout(_Handler.timeout)
            _Handler(tls, client_address, self)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            pass
        finally:
            with self._open_lock:
                self._open.discard(tls)
            with contextlib.suppress(OSError):
                tls.close()

    def close_connections(self) -> None:
        """Close every open client connection (used when the emulator stops)."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("connection error from %s", client_address, exc_info=True)
