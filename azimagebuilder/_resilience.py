"""Faults and secrets in the client's pipeline: retries, reconciliation, and no bearer token handed back.

Three things live here, shared by the sync and async clients:

- :class:`RetryPolicy` / :class:`AsyncRetryPolicy`: azure-core's retry policy, told to retry ``POST`` and
  ``PATCH`` too (azure-core skips non-idempotent methods after a dropped connection or a 429 without
  ``Retry-After``), with bounded exponential backoff and jitter. Retrying a POST could start a build twice;
  the clients *reconcile* instead (below).
- Reconciliation: when a retried ``POST .../run`` meets ``409`` and the template shows a run in progress,
  the earlier attempt did start it: the client adopts that run and polls it (:func:`adopted_run`); a
  retried ``POST .../cancel`` that meets ``409`` while the run is canceling or canceled likewise. When a
  retried ``PUT`` meets ``409`` and the template the service holds has the same content, the earlier
  attempt created it: the client polls that template (:func:`adopted_template`).
- :class:`StripAuthorizationPolicy` / :class:`AsyncStripAuthorizationPolicy`: the innermost policy. After
  every attempt it removes the ``Authorization`` header from the request the response (and any error)
  keeps, and from the transport's own copies (requests' ``PreparedRequest``, aiohttp's ``RequestInfo``).
  So no exception, chained cause, ``.response``, poller result or continuation token holds the token.
  :func:`scrub` does the same for any object graph (exceptions and their causes, responses, requests).

Example:
    >>> from azure.core.rest import HttpRequest
    >>> request = HttpRequest("GET", "https://example.invalid", headers={"Authorization": "Bearer x"})
    >>> scrub(request) is request, "Authorization" in request.headers
    (True, False)
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Mapping, MutableMapping
from typing import Any

from azure.core.pipeline.policies import AsyncHTTPPolicy, HTTPPolicy
from azure.core.pipeline.policies import AsyncRetryPolicy as _AsyncRetryPolicy
from azure.core.pipeline.policies import RetryPolicy as _RetryPolicy
from azure.core.polling.base_polling import LongRunningOperation

__all__ = [
    "RETRY_DEFAULTS",
    "AdoptedOperation",
    "AsyncRetryPolicy",
    "AsyncStripAuthorizationPolicy",
    "RetryPolicy",
    "StripAuthorizationPolicy",
    "adopted",
    "adopted_run",
    "adopted_template",
    "lro_algorithms",
    "maybe_acted",
    "scrub",
]

#: The client's retry settings unless the caller passes its own ``retry_*`` keywords.
RETRY_DEFAULTS: dict[str, Any] = {
    "retry_total": 12,
    "retry_connect": 6,
    "retry_read": 6,
    "retry_status": 6,
    "retry_backoff_factor": 0.8,
    "retry_backoff_max": 60,
}

_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization"})


# --------------------------------------------------------------------------------------------------
# Retries


class _RetryMixin:
    """What the sync and async retry policies add to azure-core's."""

    _method_whitelist: frozenset[str]

    def __init__(self, **kwargs: Any) -> None:
        for key, value in RETRY_DEFAULTS.items():
            kwargs.setdefault(key, value)
        super().__init__(**kwargs)
        # azure-core retries POST and PATCH only on a 500/503/504 answer; a dropped connection or a 429
        # without Retry-After loses the request. The client reconciles a retried POST or PUT that the
        # service had already carried out, so retrying them is safe.
        self._method_whitelist = frozenset(self._method_whitelist | {"POST", "PATCH"})

    def get_backoff_time(self, settings: dict[str, Any]) -> float:
        """azure-core's exponential backoff, with jitter (50-100 %), so clients that failed together do
        not all come back at the same instant."""
        base: float = super().get_backoff_time(settings)  # type: ignore[misc]
        return base * random.uniform(0.5, 1.0) if base > 0 else 0.0


def _throttle_floor(settings: dict[str, Any], response: Any) -> float:
    if response is None or response.http_response.status_code != 429:
        return 0.0
    if response.http_response.headers.get("Retry-After"):
        return 0.0
    factor = float(settings.get("backoff") or 0)
    return factor * random.uniform(0.5, 1.0)


class RetryPolicy(_RetryMixin, _RetryPolicy[Any, Any]):
    """azure-core's ``RetryPolicy`` that also retries POST and PATCH, with jittered backoff.

    Example:
        >>> policy = RetryPolicy(retry_backoff_factor=0)
        >>> "POST" in policy._method_whitelist, policy.total_retries
        (True, 12)
    """

    def sleep(self, settings: dict[str, Any], transport: Any, response: Any = None) -> None:
        floor = _throttle_floor(settings, response)
        if floor and self.get_backoff_time(settings) < floor:
            transport.sleep(floor)
            return
        super().sleep(settings, transport, response)


class AsyncRetryPolicy(_RetryMixin, _AsyncRetryPolicy[Any, Any]):
    """The async twin of :class:`RetryPolicy`.

    Example:
        >>> "PATCH" in AsyncRetryPolicy()._method_whitelist
        True
    """

    async def sleep(self, settings: dict[str, Any], transport: Any, response: Any = None) -> None:
        floor = _throttle_floor(settings, response)
        if floor and self.get_backoff_time(settings) < floor:
            await transport.sleep(floor)
            return
        await super().sleep(settings, transport, response)


def maybe_acted(pipeline_response: Any) -> bool:
    """Whether an earlier attempt of this request may have reached the service (it was retried).

    Any retried attempt counts, a dropped connection as much as an error answer: the service may have
    acted on it and lost the answer (a gateway timeout, a connection closed after the request arrived).
    """
    context = getattr(pipeline_response, "context", None)
    history = context.get("history") if context is not None else None
    return bool(history)


# --------------------------------------------------------------------------------------------------
# Reconciliation: adopting what an earlier attempt did


def _body(pipeline_response: Any) -> Any:
    try:
        text = pipeline_response.http_response.text()
    except Exception:  # an unread or streamed body
        return None
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _run_state(body: Any) -> str:
    if not isinstance(body, Mapping):
        return ""
    props = body.get("properties")
    lrs = props.get("lastRunStatus") if isinstance(props, Mapping) else None
    return str(lrs.get("runState") or "") if isinstance(lrs, Mapping) else ""


def adopted_run(template_response: Any) -> bool:
    """Whether the template (a GET answer) shows a run in progress, which a retried POST .../run that
    met 409 then adopts as its own."""
    return _run_state(_body(template_response)).lower() == "running"


def adopted_template(template_response: Any, wanted: Mapping[str, Any]) -> bool:
    """Whether the template the service holds (a GET answer) is the one a retried PUT wanted."""
    from ._operations import template_differences

    body = _body(template_response)
    return isinstance(body, Mapping) and not template_differences(wanted, body)


def adopted(kind: str, template_response: Any, request: Any) -> bool:
    """Whether a retried ``request`` that met 409 adopts what the template (a GET answer) shows:
    ``kind`` ``"run"`` (a run in progress), ``"cancel"`` (the run canceling or canceled) or ``"put"``
    (the same template as the PUT's body)."""
    if kind == "run":
        return adopted_run(template_response)
    if kind == "cancel":  # the first attempt's cancel is under way, or done
        return _run_state(_body(template_response)).lower() in ("canceling", "canceled")
    try:
        content = request.content
        wanted = json.loads(content) if isinstance(content, (str, bytes)) else None
    except ValueError:
        return False
    return isinstance(wanted, Mapping) and adopted_template(template_response, wanted)


def lro_algorithms(kind: str, lro_options: Mapping[str, Any]) -> list[Any]:
    """ARM's polling algorithms, with :class:`AdoptedOperation` first (``kind``: ``"run"`` or
    ``"template"``)."""
    from azure.core.polling.base_polling import LocationPolling, StatusCheckPolling
    from azure.mgmt.core.polling.arm_polling import AzureAsyncOperationPolling, BodyContentPolling

    return [
        AdoptedOperation(kind),
        AzureAsyncOperationPolling(lro_options=dict(lro_options)),
        LocationPolling(),
        BodyContentPolling(),
        StatusCheckPolling(),
    ]


_RUN_STATES = {
    "running": "InProgress",
    "canceling": "InProgress",
    "succeeded": "Succeeded",
    "partiallysucceeded": "Succeeded",
    "failed": "Failed",
    "canceled": "Canceled",
}


class AdoptedOperation(LongRunningOperation[Any, Any]):
    """Polls an adopted operation by GETting the template: ``provisioningState`` for a PUT, or
    ``lastRunStatus.runState`` for a run. Picked when the poller's initial response is a GET (a client
    only ever starts its long-running operations with PUT, PATCH, POST or DELETE).

    Example:
        >>> AdoptedOperation("run")._kind
        'run'
    """

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._url = ""

    def can_poll(self, pipeline_response: Any) -> bool:
        return str(pipeline_response.http_request.method).upper() == "GET"

    def get_polling_url(self) -> str:
        return self._url

    def set_initial_status(self, pipeline_response: Any) -> str:
        self._url = str(pipeline_response.http_request.url)
        return self.get_status(pipeline_response)

    def get_status(self, pipeline_response: Any) -> str:
        body = _body(pipeline_response)
        if self._kind == "run":
            return _RUN_STATES.get(_run_state(body).lower(), "InProgress")
        props = body.get("properties") if isinstance(body, Mapping) else None
        state = str(props.get("provisioningState") or "") if isinstance(props, Mapping) else ""
        return state if state.lower() in ("succeeded", "failed", "canceled") else "InProgress"

    def get_final_get_url(self, pipeline_response: Any) -> str | None:
        return None


# --------------------------------------------------------------------------------------------------
# No bearer token on anything handed back


def _clean_headers(holder: Any, attr: str) -> None:
    headers = getattr(holder, attr, None)
    if headers is None or not hasattr(headers, "keys"):
        return
    names = [k for k in list(headers.keys()) if isinstance(k, str) and k.lower() in _SENSITIVE_HEADERS]
    if not names:
        return
    if isinstance(headers, MutableMapping):
        for name in names:
            while name in headers:
                del headers[name]
        return
    try:  # an immutable mapping (aiohttp's CIMultiDictProxy): put a cleaned copy in its place
        from multidict import CIMultiDict, CIMultiDictProxy

        cleaned = CIMultiDictProxy(
            CIMultiDict((k, v) for k, v in headers.items() if k.lower() not in _SENSITIVE_HEADERS)
        )
        setattr(holder, attr, cleaned)
    except Exception:  # pragma: no cover - read-only holder; its owner is replaced instead
        pass


def _clean_request_info(holder: Any, attr: str) -> None:
    """aiohttp keeps the sent headers in a (read-only, tuple) ``RequestInfo``: replace it."""
    info = getattr(holder, attr, None)
    headers = getattr(info, "headers", None)
    if info is None or headers is None or not hasattr(info, "_replace"):
        return
    if not any(k.lower() in _SENSITIVE_HEADERS for k in headers):
        return
    from multidict import CIMultiDict, CIMultiDictProxy

    cleaned = CIMultiDictProxy(
        CIMultiDict((k, v) for k, v in headers.items() if k.lower() not in _SENSITIVE_HEADERS)
    )
    replacement = info._replace(headers=cleaned)
    with contextlib.suppress(Exception):  # a read-only property: its backing attribute is cleaned too
        setattr(holder, attr, replacement)
    cache = getattr(holder, "_cache", None)  # aiohttp caches the property's value there
    if isinstance(cache, dict) and cache.get(attr.lstrip("_")) is info:
        cache[attr.lstrip("_")] = replacement


_FOLLOW = (
    "request",
    "http_request",
    "response",
    "http_response",
    "internal_response",
    "_internal_response",
    "inner_exception",
    "exc_value",
    "history",
    "_history",
    "error",
    "reason",
    "__cause__",
    "__context__",
)


def scrub(obj: Any, _seen: set[int] | None = None) -> Any:
    """Remove ``Authorization`` headers from ``obj`` and everything it leads to (an exception's causes
    and response, a response's request, a transport's request copies); returns ``obj``.

    Example:
        >>> err = ValueError("x")
        >>> scrub(err) is err
        True
    """
    seen = set() if _seen is None else _seen
    pending = [obj]
    while pending:
        item = pending.pop()
        if item is None or isinstance(item, (str, bytes, int, float, bool)) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (list, tuple)) and not hasattr(item, "_replace"):
            pending.extend(item)
            continue
        if isinstance(item, BaseException):
            pending.extend(a for a in item.args if isinstance(a, BaseException))
        _clean_headers(item, "headers")
        for attr in ("request_info", "_request_info"):
            _clean_request_info(item, attr)
        for attr in _FOLLOW:
            try:
                value = getattr(item, attr, None)
            except Exception:  # a property that cannot be read in this state
                continue
            if value is not None and not callable(value):
                pending.append(value)
        if isinstance(item, BaseException):
            pending.extend(v for v in vars(item).values() if isinstance(v, BaseException))
    return obj


def _scrub_response(pipeline_response: Any) -> None:
    scrub(pipeline_response.http_response)


class StripAuthorizationPolicy(HTTPPolicy[Any, Any]):
    """The innermost policy: once an attempt is over, nothing it leaves behind keeps the bearer token.

    The authentication policy sets the header again on every attempt (retries, challenges), so taking it
    off the request afterwards changes nothing on the wire.

    Example:
        >>> StripAuthorizationPolicy().__class__.__name__
        'StripAuthorizationPolicy'
    """

    def send(self, request: Any) -> Any:
        try:
            response = self.next.send(request)
        except BaseException as exc:
            scrub(exc)
            raise
        finally:
            scrub(request.http_request)
        _scrub_response(response)
        return response


class AsyncStripAuthorizationPolicy(AsyncHTTPPolicy[Any, Any]):
    """The async twin of :class:`StripAuthorizationPolicy`.

    Example:
        >>> AsyncStripAuthorizationPolicy().__class__.__name__
        'AsyncStripAuthorizationPolicy'
    """

    async def send(self, request: Any) -> Any:
        try:
            response = await self.next.send(request)
        except BaseException as exc:
            scrub(exc)
            raise
        finally:
            scrub(request.http_request)
        _scrub_response(response)
        return response
