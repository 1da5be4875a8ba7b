"""Polling for the client's long-running operations, on top of azure-mgmt-core's ARM polling.

Templates (PUT, PATCH, DELETE) use plain ARM polling with ``final-state-via: azure-async-operation``.
A run (POST .../run) needs more: when the async operation ends, the template's ``lastRunStatus`` is read
so the poller's result is the run's final status (``Succeeded`` or ``PartiallySucceeded``), a
``Failed`` run raises :class:`~azimagebuilder._errors.BuildFailedError` with the service's code and
message, and a ``Canceled`` one :class:`~azimagebuilder._errors.BuildCanceledError`. A failure's message
ends with a hint saying where the run's ``customization.log`` is and how to fetch it (also its
``.log_hint``); a SAS query in any URL the service quotes is dropped before it gets there.
``polling_interval=0`` means no waiting at all, even if the service sends ``Retry-After``.

Example:
    >>> polling = RunPolling(0)   # what begin_run(polling_interval=0) uses
    >>> polling._timeout
    0
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from azure.core.exceptions import HttpResponseError
from azure.core.polling import AsyncPollingMethod, PollingMethod
from azure.core.polling.base_polling import OperationFailed
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat
from azure.mgmt.core.polling.arm_polling import ARMPolling
from azure.mgmt.core.polling.async_arm_polling import AsyncARMPolling

from . import _operations as ops
from ._errors import BuildCanceledError, BuildFailedError
from ._resilience import lro_algorithms

if TYPE_CHECKING:
    from .models import LastRunStatus

_LOG = logging.getLogger("azimagebuilder.client.polling")

LRO_OPTIONS = {"final-state-via": "azure-async-operation"}

#: Called with each new ``lastRunStatus`` read while a run goes on (used by ``build()``).
StatusCallback = Callable[["LastRunStatus"], None]


def _api_version_of(url: str) -> str:
    from urllib.parse import parse_qs, urlparse

    return (parse_qs(urlparse(url).query).get("api-version") or [""])[0]


def _mapped(err: HttpResponseError, initial_response: Any) -> HttpResponseError:
    """The client's error for a failed poll (404 -> ResourceNotFoundError, api-version, ...), or ``err``
    itself when the operation ran and reported failure (its body carries the service's error)."""
    if isinstance(err.__cause__, OperationFailed):
        return err
    response = err.response
    if response is None or (response.status_code or 0) < 400:
        return err
    request = getattr(initial_response, "http_request", None)
    return ops.http_error(response, _api_version_of(str(getattr(request, "url", ""))))


class TemplatePolling(ARMPolling):
    """ARM polling for template operations; ``timeout`` (the interval) 0 means never sleep."""

    _adopted_kind = "template"  # what an adopted (retried, already carried out) operation polls

    def __init__(self, timeout: float = 30, **kwargs: Any) -> None:
        kwargs.setdefault("lro_algorithms", lro_algorithms(self._adopted_kind, LRO_OPTIONS))
        super().__init__(timeout=timeout, lro_options=dict(LRO_OPTIONS), **kwargs)

    def run(self) -> None:
        try:
            super().run()
        except HttpResponseError as err:
            mapped = _mapped(err, self._initial_response)
            if mapped is err:
                raise
            raise mapped from err

    def _extract_delay(self) -> float:
        if not self._timeout:
            return 0
        return super()._extract_delay()


class AsyncTemplatePolling(AsyncARMPolling):
    """Async ARM polling for template operations; ``timeout`` 0 means never sleep."""

    _adopted_kind = "template"  # what an adopted (retried, already carried out) operation polls

    def __init__(self, timeout: float = 30, **kwargs: Any) -> None:
        kwargs.setdefault("lro_algorithms", lro_algorithms(self._adopted_kind, LRO_OPTIONS))
        super().__init__(timeout=timeout, lro_options=dict(LRO_OPTIONS), **kwargs)

    async def run(self) -> None:
        try:
            await super().run()
        except HttpResponseError as err:
            mapped = _mapped(err, self._initial_response)
            if mapped is err:
                raise
            raise mapped from err

    def _extract_delay(self) -> float:
        if not self._timeout:
            return 0
        return super()._extract_delay()


class _RunState:
    """What the sync and async run pollers share: the template URL, the outcome, the error."""

    def __init__(self, on_status: StatusCallback | None) -> None:
        self.on_status = on_status
        self.last_seen: LastRunStatus | None = None
        self.result: LastRunStatus | None = None

    @staticmethod
    def template_url(initial_response: Any) -> str:
        return ops.template_url_of_run(str(initial_response.http_request.url))

    def seen(self, template_body: Any) -> None:
        if self.on_status is None:
            return
        status = ops.last_run_status_from(template_body, None)
        if status is not None and status != self.last_seen:
            self.last_seen = status
            self.on_status(status)

    def failed(
        self, err: HttpResponseError, operation_response: Any, template_body: Any, template_url: str
    ) -> HttpResponseError:
        """The error a run that did not succeed raises: BuildCanceledError or BuildFailedError."""
        _redact_error(err)  # the cause is chained to the error we raise: no SAS there either
        body = _redacted(ops.response_json(operation_response))
        code, message = ops.operation_error(body)
        status = ops.last_run_status_from(template_body, body)
        if status is not None and status.message:
            status = status.model_copy(update={"message": redact_sas(status.message)})
        if ops.run_was_canceled(body, status):
            _LOG.info("run canceled")
            return BuildCanceledError(
                f"The image build was canceled: {(status.message if status else None) or 'Canceled'}",
                operation_response,
                last_run_status=status,
                error_format=_RedactedArmErrorFormat,
            )
        text = f"The image build failed: {code or 'Failed'}: {message or (status.message if status else '')}"
        try:
            hint = _log_hint(template_url, template_body, message or (status.message if status else None))
        except Exception:  # pragma: no cover - a hint must never hide the error it decorates
            _LOG.debug("no build-log hint", exc_info=True)
            hint = None
        if hint:
            text = f"{text.rstrip(': ')}\n{hint}"
        _LOG.info("run failed: %s", code)
        return BuildFailedError(
            text.rstrip(": "),
            operation_response,
            code=code,
            service_message=message,
            last_run_status=status,
            log_hint=hint,
            error_format=_RedactedArmErrorFormat,
        )


# --------------------------------------------------------------------------------------------------
# The failed build's log hint, and keeping SAS tokens out of the error.

_URL = re.compile(r"https?://[^\s'\"<>()\[\]{}]+")
_TEMPLATE_PATH = re.compile(
    r"/resourceGroups/(?P<rg>[^/?#]+)/providers/Microsoft\.VirtualMachineImages/imageTemplates/(?P<name>[^/?#]+)",
    re.IGNORECASE,
)


def redact_sas(text: str) -> str:
    """``text`` with the query string dropped from every URL that carries a SAS (``sig=``).

    Example:
        >>> redact_sas("log: https://a.blob.core.windows.net/packerlogs/r/customization.log?sv=1&sig=x.")
        'log: https://a.blob.core.windows.net/packerlogs/r/customization.log.'
    """

    def strip(match: re.Match[str]) -> str:
        url = match.group(0)
        trail = url[len(url.rstrip(".,;:")) :]  # sentence punctuation after the URL stays
        path, sep, query = url[: len(url) - len(trail)].partition("?")
        if sep and re.search(r"(?:^|&)sig=", query, re.IGNORECASE):
            return path + trail
        return url

    return _URL.sub(strip, text)


def _redacted(value: Any) -> Any:
    """A JSON value with :func:`redact_sas` applied to every string in it."""
    if isinstance(value, str):
        return redact_sas(value)
    if isinstance(value, Mapping):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


def _redact_error(err: HttpResponseError) -> None:
    """Drop SAS tokens from the texts an azure-core error carries (message, args, parsed ARM error)."""
    err.message = redact_sas(str(err.message))
    err.args = tuple(redact_sas(a) if isinstance(a, str) else a for a in err.args)
    err.exc_msg = redact_sas(str(err.exc_msg))
    pending: list[Any] = [err.error]
    while pending:
        odata = pending.pop()
        if odata is None:
            continue
        for attr in ("message", "target"):
            value = getattr(odata, attr, None)
            if isinstance(value, str):
                setattr(odata, attr, redact_sas(value))
        if isinstance(getattr(odata, "innererror", None), Mapping):
            odata.innererror = _redacted(odata.innererror)
        pending.extend(getattr(odata, "details", None) or [])


class _RedactedArmErrorFormat(ARMErrorFormat):
    """The ARM error format (either shape, as ``ops.arm_error_format()``), read from the body with SAS
    tokens dropped from its URLs."""

    def __init__(self, json_object: Mapping[str, Any]) -> None:
        super().__init__(ops.arm_error_body(_redacted(json_object)))


def _log_url_in(message: str | None) -> str | None:
    """The build log's URL quoted in the service's message (``.../customization.log``), if any."""
    for match in _URL.finditer(message or ""):
        url = match.group(0).rstrip(".,;:")
        if "customization.log" in url.partition("?")[0] or "/packerlogs/" in url:
            return url
    return None


def _log_hint(template_url: str, template_body: Any, message: str | None) -> str | None:
    """The sentence that says where the failed run's log is and how to fetch it (``None`` if unknown)."""
    from urllib.parse import unquote

    found = _TEMPLATE_PATH.search(template_url.partition("?")[0])
    if found is None:
        return None
    from .resources.logs import log_location_hint, staging_resource_group_of  # stdlib imports only

    rg, name = unquote(found.group("rg")), unquote(found.group("name"))
    log_url = _log_url_in(message)
    staging = staging_resource_group_of(template_body) if isinstance(template_body, Mapping) else None
    if staging is None and log_url is not None:
        staging = f"IT_{rg}_{name}_<guid>"  # the service's naming; the URL alone does not say the group
    return log_location_hint(rg, name, staging_resource_group=staging, log_url=log_url)


class PollerAbandoned(Exception):
    """Ends the thread of a run poller that ``build()`` left on Ctrl-C (kept in the poller, never shown)."""


class RunPolling(TemplatePolling):
    """Polls a run; the result is the final :class:`LastRunStatus`, a failure raises BuildFailedError."""

    _adopted_kind = "run"

    def __init__(
        self, timeout: float = 30, *, on_status: StatusCallback | None = None, **kwargs: Any
    ) -> None:
        super().__init__(timeout, **kwargs)
        self._run = _RunState(on_status)
        self._abandoned = False

    def abandon(self) -> None:
        """Stop polling at the next poll (the run goes on in the service); nothing is reported again."""
        self._abandoned = True
        self._run.on_status = None

    def _delay(self) -> None:
        if self._abandoned:
            raise PollerAbandoned("build() was interrupted; this poller stopped (the run goes on)")
        super()._delay()
        if self._abandoned:
            raise PollerAbandoned("build() was interrupted; this poller stopped (the run goes on)")

    def _get_template(self) -> Any:
        url = _RunState.template_url(self._initial_response)
        response = self._client.send_request(HttpRequest("GET", url), _return_pipeline_response=True)
        ops.raise_for_status(response, (200,), _api_version_of(url))
        return ops.response_json(response.http_response)

    def update_status(self) -> None:
        super().update_status()
        if self._run.on_status is not None and not self.finished():
            try:
                self._run.seen(self._get_template())
            except HttpResponseError as err:  # progress is best effort; the operation decides
                _LOG.debug("could not read the template's run status: %s", err.status_code)

    def run(self) -> None:
        try:
            super().run()
        except HttpResponseError as err:
            if isinstance(err.__cause__, OperationFailed):
                operation_response = self._pipeline_response.http_response
                try:
                    template = self._get_template()
                except HttpResponseError:
                    template = None
                template_url = _RunState.template_url(self._initial_response)
                raise self._run.failed(err, operation_response, template, template_url) from err
            raise
        try:
            template = self._get_template()
        except HttpResponseError as err:
            _LOG.debug("could not read the template after the run: %s", err.status_code)
            template = None
        self._run.seen(template)
        self._run.result = ops.last_run_status_from(
            template, ops.response_json(self._pipeline_response.http_response)
        )

    def resource(self) -> Any:
        return self._run.result


class AsyncRunPolling(AsyncTemplatePolling):
    """The async twin of :class:`RunPolling`."""

    _adopted_kind = "run"

    def __init__(
        self, timeout: float = 30, *, on_status: StatusCallback | None = None, **kwargs: Any
    ) -> None:
        super().__init__(timeout, **kwargs)
        self._run = _RunState(on_status)

    async def _get_template(self) -> Any:
        url = _RunState.template_url(self._initial_response)
        response = await self._client.send_request(HttpRequest("GET", url), _return_pipeline_response=True)
        ops.raise_for_status(response, (200,), _api_version_of(url))
        return ops.response_json(response.http_response)

    async def update_status(self) -> None:
        await super().update_status()
        if self._run.on_status is not None and not self.finished():
            try:
                self._run.seen(await self._get_template())
            except HttpResponseError as err:
                _LOG.debug("could not read the template's run status: %s", err.status_code)

    async def run(self) -> None:
        try:
            await super().run()
        except HttpResponseError as err:
            if isinstance(err.__cause__, OperationFailed):
                operation_response = self._pipeline_response.http_response
                try:
                    template = await self._get_template()
                except HttpResponseError:
                    template = None
                template_url = _RunState.template_url(self._initial_response)
                raise self._run.failed(err, operation_response, template, template_url) from err
            raise
        try:
            template = await self._get_template()
        except HttpResponseError as err:
            _LOG.debug("could not read the template after the run: %s", err.status_code)
            template = None
        self._run.seen(template)
        self._run.result = ops.last_run_status_from(
            template, ops.response_json(self._pipeline_response.http_response)
        )

    def resource(self) -> Any:
        return self._run.result


# --------------------------------------------------------------------------------------------------
# Cancel: POST .../cancel answers 204 (2020-02-14 to 2024-02-01, as recorded) or 202 with an operation
# (2025-10-01). Either way the cancel is over when the template's lastRunStatus leaves Running/Canceling,
# so the pollers below read the template, whatever the answer was.

_STILL_GOING = frozenset({"running", "canceling"})


class _CancelState:
    """What the sync and async cancel pollers share: the template URL, the token, the outcome."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.template_url = ""
        self.status = "InProgress"
        self.result: LastRunStatus | None = None
        self.deserialize: Callable[[Any], Any] = lambda _: None

    def start(self, initial_response: Any, deserialization_callback: Callable[[Any], Any]) -> None:
        self.deserialize = deserialization_callback
        if isinstance(initial_response, _ResumedCancel):
            self.template_url = initial_response.template_url
        else:
            self.template_url = ops.template_url_of_action(str(initial_response.http_request.url))

    def seen(self, pipeline_response: Any) -> None:
        ops.raise_for_status(pipeline_response, (200,), _api_version_of(self.template_url))
        body = ops.response_json(pipeline_response.http_response)
        status = ops.last_run_status_from(body, None)
        state = str(getattr(status, "run_state", None) or "").lower()
        if state in _STILL_GOING:
            return
        self.result = status
        self.status = "Succeeded"

    def token(self) -> str:
        import base64
        import json

        payload = json.dumps({"cancel": self.template_url}).encode("utf-8")
        return base64.urlsafe_b64encode(payload).decode("ascii")

    @staticmethod
    def resumed(continuation_token: str) -> _ResumedCancel:
        import base64
        import binascii
        import json

        try:
            data = json.loads(base64.urlsafe_b64decode(continuation_token.encode("ascii")))
            url = data["cancel"]
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError) as exc:
            raise ValueError(
                "this continuation token is not one of begin_cancel's: pass the token that "
                "begin_cancel(...).continuation_token() returned"
            ) from exc
        if not isinstance(url, str) or not url:
            raise ValueError("this continuation token is not one of begin_cancel's")
        return _ResumedCancel(url)


class _ResumedCancel:
    """Stands for the initial response of a cancel resumed from a continuation token."""

    def __init__(self, template_url: str) -> None:
        self.template_url = template_url


class _CancelPollingBase:
    """What the sync and async cancel polling share: everything but sending the GET and waiting."""

    def __init__(self, timeout: float = 30) -> None:
        self._state = _CancelState(timeout)
        self._client: Any = None

    def initialize(self, client: Any, initial_response: Any, deserialization_callback: Any) -> None:
        self._client = client
        self._state.start(initial_response, deserialization_callback)

    def status(self) -> str:
        return self._state.status

    def finished(self) -> bool:
        return self._state.status != "InProgress"

    def resource(self) -> Any:
        return self._state.result

    def get_continuation_token(self) -> str:
        return self._state.token()

    @classmethod
    def from_continuation_token(cls, continuation_token: str, **kwargs: Any) -> tuple[Any, Any, Any]:
        client = kwargs["client"]
        deserialization_callback = kwargs["deserialization_callback"]
        return client, _CancelState.resumed(continuation_token), deserialization_callback


class CancelPolling(_CancelPollingBase, PollingMethod):  # type: ignore[type-arg]
    """Polls the template after POST .../cancel until its run is no longer Running or Canceling.

    The result is the final :class:`LastRunStatus` (``run_state`` Canceled, or the state the run reached
    first if it ended before the cancel took).
    """

    def _poll(self) -> None:
        request = HttpRequest("GET", self._state.template_url, headers={"Accept": "application/json"})
        self._state.seen(self._client.send_request(request, _return_pipeline_response=True))

    def run(self) -> None:
        import time

        self._poll()
        while not self.finished():
            if self._state.interval:
                time.sleep(self._state.interval)
            self._poll()


class AsyncCancelPolling(_CancelPollingBase, AsyncPollingMethod):  # type: ignore[type-arg]
    """The async twin of :class:`CancelPolling`."""

    async def _poll(self) -> None:
        request = HttpRequest("GET", self._state.template_url, headers={"Accept": "application/json"})
        self._state.seen(await self._client.send_request(request, _return_pipeline_response=True))

    async def run(self) -> None:
        import asyncio

        await self._poll()
        while not self.finished():
            if self._state.interval:
                await asyncio.sleep(self._state.interval)
            await self._poll()
