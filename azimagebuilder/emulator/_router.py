"""The router: provider modules register ARM routes here; the server dispatches requests to them.

A route is a method, a path template with ``{placeholders}`` (matched case-insensitively, as ARM
matches paths), a short ``name`` used by fault injection, the resource provider ``namespace`` (for the
per-subscription registration switch) and the api-versions it serves (``None``: any).

Example:
    >>> router = Router()
    >>> @router.route("GET", "/subscriptions/{subscriptionId}/hello", name="hello.get")
    ... def hello(request: Request, params: dict[str, str]) -> Response:
    ...     return Response.json(200, {"hello": params["subscriptionId"]})
    >>> match = router.match("GET", "/subscriptions/abc/HELLO")
    >>> match.route.name, match.params
    ('hello.get', {'subscriptionId': 'abc'})
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ArmError",
    "Handler",
    "Match",
    "Request",
    "Response",
    "Route",
    "Router",
    "arm_json",
]

#: Headers ARM puts on every answer (seen in every recorded response).
COMMON_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-cache",
    "Pragma": "no-cache",
    "Expires": "-1",
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def arm_json(body: Any) -> bytes:
    """Serialise like the service: one-space indent, ``<``, ``>`` and ``&`` escaped as Go's encoder does."""
    text = json.dumps(body, indent=1, ensure_ascii=False)
    # These characters can only occur inside JSON strings, so replacing them keeps the document valid.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.encode("utf-8")


@dataclass
class Request:
    """One HTTP request as a provider sees it.

    Attributes:
        method: upper-case HTTP method.
        path: the URL path, percent-decoded.
        query: query parameters (first value of each; keys as sent).
        headers: request headers with lower-case names.
        body: the raw body.
        base_url: the emulator's ``https://127.0.0.1:<port>``, for building absolute URLs.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    base_url: str

    @property
    def api_version(self) -> str | None:
        """The ``api-version`` query parameter, if any."""
        for key, value in self.query.items():
            if key.lower() == "api-version":
                return value
        return None

    def json(self) -> Any:
        """The body parsed as JSON, or an ARM 400 ``InvalidRequestContent`` when it is not JSON."""
        if not self.body.strip():
            raise ArmError(
                400, "InvalidRequestContent", "The request content was invalid: the body is empty."
            )
        try:
            value = json.loads(self.body.decode("utf-8-sig"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            # ValueError: not JSON, NaN/Infinity, or an integer of more than 4300 digits;
            # RecursionError: nesting deeper than the parser follows.
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise ArmError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid and could not be deserialized: '{reason}'.",
            ) from exc
        _check_depth(value)
        return value


#: The deepest JSON body the emulator accepts (a template nests about ten levels).
MAX_BODY_DEPTH = 64


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_depth(value: Any) -> None:
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_BODY_DEPTH:
                raise ArmError(
                    400,
                    "InvalidRequestContent",
                    f"The request content was invalid: it nests more than {MAX_BODY_DEPTH} levels deep.",
                )
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


@dataclass
class Response:
    """What a handler answers: status, body bytes and headers (``Content-Length`` is added by the server).

    Example:
        >>> Response.json(200, {"a": 1}).status
        200
    """

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON answer in the service's formatting."""
        merged = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, arm_json(body), merged)

    @classmethod
    def empty(cls, status: int, headers: Mapping[str, str] | None = None) -> Response:
        """An answer without a body (``content-length: 0``)."""
        return cls(status, b"", dict(headers or {}))


class ArmError(Exception):
    """Raise in a handler to answer with ARM's error shape ``{"error": {"code", "message", ...}}``.

    Example:
        >>> err = ArmError(404, "ResourceNotFound", "nope")
        >>> err.to_response().status
        404
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        details: Iterable[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = [dict(d) for d in details]
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The wrapped error body."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            error["target"] = self.target
        if self.details:
            error["details"] = self.details
        return {"error": error}

    def to_response(self) -> Response:
        """The error as an HTTP answer (compact JSON, as ARM's front door writes it)."""
        headers = {"Content-Type": "application/json; charset=utf-8", **self.headers}
        return Response(self.status, json.dumps(self.body(), separators=(",", ":")).encode(), headers)


Handler = Callable[[Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    """One registered route."""

    method: str
    template: str
    name: str
    handler: Handler
    namespace: str | None = None
    api_versions: frozenset[str] | None = None
    pattern: re.Pattern[str] = field(repr=False, compare=False, default=re.compile(""))
    api_version_required: bool = True


@dataclass(frozen=True)
class Match:
    """A route that matched a request, with the path parameters."""

    route: Route
    params: dict[str, str]


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _shape(template: str) -> str:
    """A template with its placeholders unnamed, for spotting two registrations of one path."""
    return _PLACEHOLDER.sub("{}", template).strip("/").lower()


def _compile(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : m.start()]))
        parts.append(f"(?P<{m.group(1)}>[^/]+)")
        last = m.end()
    parts.append(re.escape(template[last:]))
    return re.compile("^" + "".join(parts) + "/?$", re.IGNORECASE)


class Router:
    """Routes registered by provider modules; thread-safe to read while serving."""

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._lock = threading.Lock()

    @property
    def routes(self) -> list[Route]:
        """The registered routes, in registration order."""
        with self._lock:
            return list(self._routes)

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        name: str,
        namespace: str | None = None,
        api_versions: Collection[str] | None = None,
        api_version_required: bool = True,
    ) -> Route:
        """Register ``handler`` for ``method`` on ``template``; returns the route.

        ``api_version_required=False`` is for the emulator's own helper routes (not ARM's).
        """
        route = Route(
            method=method.upper(),
            template=template,
            name=name,
            handler=handler,
            namespace=namespace,
            api_versions=frozenset(api_versions) if api_versions is not None else None,
            pattern=_compile(template),
            api_version_required=api_version_required,
        )
        with self._lock:
            for existing in self._routes:
                if existing.method == route.method and _shape(existing.template) == _shape(template):
                    raise ValueError(f"route {method} {template} is already registered by {existing.name}")
            self._routes.append(route)
        return route

    def route(
        self,
        method: str,
        template: str,
        *,
        name: str,
        namespace: str | None = None,
        api_versions: Collection[str] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`add`."""

        def decorate(handler: Handler) -> Handler:
            self.add(method, template, handler, name=name, namespace=namespace, api_versions=api_versions)
            return handler

        return decorate

    def match(self, method: str, path: str) -> Match | None:
        """The route for ``method`` and ``path``, or None.

        Raises:
            ArmError: 405 when the path is known but not for this method.
        """
        path_known = False
        for route in self.routes:
            m = route.pattern.match(path)
            if m is None:
                continue
            if route.method == method.upper():
                return Match(route, m.groupdict())
            path_known = True
        if path_known:
            raise ArmError(
                405,
                "MethodNotAllowed",
                f"The requested resource does not support http method '{method.upper()}'.",
            )
        return None


def new_request_id() -> str:
    """A fresh ``x-ms-request-id``."""
    return str(uuid.uuid4())
