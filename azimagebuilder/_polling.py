"""Polling for the client's long-running operations, on top of azure-mgmt-core's ARM polling.

Templates (PUT, PATCH, DELETE) use plain ARM polling with ``final-state-via: azure-async-operation``.
A run (POST .../run) needs more: when the async operation ends, the template's ``lastRunStatus`` is read
so the poller's result is the run's final status (``Succeeded`` or ``PartiallySucceeded``), and a
``Failed`` run raises :class:`~azimagebuilder._errors.BuildFailedError` with the service's code and
message. ``polling_interval=0`` means no waiting at all, even if the service sends ``Retry-After``.

Example:
    >>> polling = RunPolling(0)   # what begin_run(polling_interval=0) uses
    >>> polling._timeout
    0
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from azure.core.exceptions import HttpResponseError
from azure.core.polling.base_polling import OperationFailed
from azure.core.rest import HttpRequest
from azure.mgmt.core.polling.arm_polling import ARMPolling
from azure.mgmt.core.polling.async_arm_polling import AsyncARMPolling

from . import _operations as ops
from ._errors import BuildFailedError

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

    def __init__(self, timeout: float = 30, **kwargs: Any) -> None:
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

    def __init__(self, timeout: float = 30, **kwargs: Any) -> None:
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

    def failed(self, err: HttpResponseError, operation_response: Any, template_body: Any) -> BuildFailedError:
        body = ops.response_json(operation_response)
        code, message = ops.operation_error(body)
        status = ops.last_run_status_from(template_body, body)
        text = f"The image build failed: {code or 'Failed'}: {message or (status.message if status else '')}"
        _LOG.info("run failed: %s", code)
        return BuildFailedError(
            text.rstrip(": "),
            operation_response,
            code=code,
            service_message=message,
            last_run_status=status,
            error_format=ops._ArmErrorFormat,
        )


class RunPolling(TemplatePolling):
    """Polls a run; the result is the final :class:`LastRunStatus`, a failure raises BuildFailedError."""

    def __init__(
        self, timeout: float = 30, *, on_status: StatusCallback | None = None, **kwargs: Any
    ) -> None:
        super().__init__(timeout, **kwargs)
        self._run = _RunState(on_status)

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
                raise self._run.failed(err, operation_response, template) from err
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
                raise self._run.failed(err, operation_response, template) from err
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
